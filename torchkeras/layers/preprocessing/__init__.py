"""Preprocessing layers: image (resizing, cropping, augmentation) and numeric (rescaling,
normalization) families."""

from torchkeras.layers.preprocessing import image, numeric
from torchkeras.layers.preprocessing.image import (
    CenterCrop,
    RandomBrightness,
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Resizing,
)
from torchkeras.layers.preprocessing.numeric import Normalization, Rescaling

__all__ = [
    "CenterCrop",
    "Normalization",
    "RandomBrightness",
    "RandomContrast",
    "RandomCrop",
    "RandomFlip",
    "RandomRotation",
    "RandomTranslation",
    "RandomZoom",
    "Rescaling",
    "Resizing",
    "image",
    "numeric",
]
