"""Numeric preprocessing layers: Rescaling and Normalization (Keras names)."""

from torchkeras.layers.preprocessing.numeric.normalization import Normalization
from torchkeras.layers.preprocessing.numeric.rescaling import Rescaling

__all__ = ["Normalization", "Rescaling"]
