"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector, padding, cropping, upsampling."""

from torchkeras.layers.reshaping.cropping import Cropping1D, Cropping2D, Cropping3D
from torchkeras.layers.reshaping.flatten import Flatten
from torchkeras.layers.reshaping.permute import Permute
from torchkeras.layers.reshaping.repeat_vector import RepeatVector
from torchkeras.layers.reshaping.reshape import Reshape
from torchkeras.layers.reshaping.up_sampling import (
    UpSampling1D,
    UpSampling2D,
    UpSampling3D,
)
from torchkeras.layers.reshaping.zero_padding import (
    ZeroPadding1D,
    ZeroPadding2D,
    ZeroPadding3D,
)

__all__ = [
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
    "Flatten",
    "Permute",
    "RepeatVector",
    "Reshape",
    "UpSampling1D",
    "UpSampling2D",
    "UpSampling3D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
]
