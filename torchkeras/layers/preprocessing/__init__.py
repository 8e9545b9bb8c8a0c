"""Preprocessing layers: image (resizing, cropping, augmentation), numeric (rescaling,
normalization), categorical (encoding, hashing, lookups), text (TextVectorization) and audio
(STFT and mel spectrograms)."""

from torchkeras.layers.preprocessing import audio, categorical, image, numeric, text
from torchkeras.layers.preprocessing.categorical import (
    CategoryEncoding,
    Discretization,
    Hashing,
    IntegerLookup,
    StringLookup,
)
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
from torchkeras.layers.preprocessing.text import TextVectorization

__all__ = [
    "CategoryEncoding",
    "CenterCrop",
    "Discretization",
    "Hashing",
    "IntegerLookup",
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
    "StringLookup",
    "TextVectorization",
    "audio",
    "categorical",
    "image",
    "numeric",
    "text",
]
