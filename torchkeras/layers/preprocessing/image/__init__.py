"""Image preprocessing layers: resizing, cropping and random augmentation (Keras names)."""

from torchkeras.layers.preprocessing.image.center_crop import CenterCrop
from torchkeras.layers.preprocessing.image.random_brightness import RandomBrightness
from torchkeras.layers.preprocessing.image.random_contrast import RandomContrast
from torchkeras.layers.preprocessing.image.random_crop import RandomCrop
from torchkeras.layers.preprocessing.image.random_flip import RandomFlip
from torchkeras.layers.preprocessing.image.random_rotation import RandomRotation
from torchkeras.layers.preprocessing.image.random_translation import RandomTranslation
from torchkeras.layers.preprocessing.image.random_zoom import RandomZoom
from torchkeras.layers.preprocessing.image.resizing import Resizing

__all__ = [
    "CenterCrop",
    "RandomBrightness",
    "RandomContrast",
    "RandomCrop",
    "RandomFlip",
    "RandomRotation",
    "RandomTranslation",
    "RandomZoom",
    "Resizing",
]
