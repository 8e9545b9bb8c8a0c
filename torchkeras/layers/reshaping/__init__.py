"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector."""

from torchkeras.layers.reshaping.flatten import Flatten
from torchkeras.layers.reshaping.permute import Permute
from torchkeras.layers.reshaping.repeat_vector import RepeatVector
from torchkeras.layers.reshaping.reshape import Reshape

__all__ = ["Flatten", "Permute", "RepeatVector", "Reshape"]
