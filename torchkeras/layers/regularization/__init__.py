"""Regularization layers: Dropout."""

from torchkeras.layers.regularization.dropout import Dropout

__all__ = ["Dropout"]
