"""Image preprocessing layers: resizing, cropping and random augmentation (Keras names)."""

from torchkeras.layers.preprocessing.image.center_crop import CenterCrop
from torchkeras.layers.preprocessing.image.clahe import (
    ContrastLimitedAdaptiveHistogramEqualization,
)
from torchkeras.layers.preprocessing.image.histogram_ops import (
    AutoContrast,
    Equalization,
)
from torchkeras.layers.preprocessing.image.max_num_bounding_boxes import (
    MaxNumBoundingBoxes,
)
from torchkeras.layers.preprocessing.image.mixing import CutMix, MixUp
from torchkeras.layers.preprocessing.image.rand_augment import AugMix, RandAugment
from torchkeras.layers.preprocessing.image.random_brightness import RandomBrightness
from torchkeras.layers.preprocessing.image.random_color import (
    RandomColorDegeneration,
    RandomGrayscale,
    RandomInvert,
)
from torchkeras.layers.preprocessing.image.random_color_jitter import RandomColorJitter
from torchkeras.layers.preprocessing.image.random_contrast import RandomContrast
from torchkeras.layers.preprocessing.image.random_crop import RandomCrop
from torchkeras.layers.preprocessing.image.random_erasing import RandomErasing
from torchkeras.layers.preprocessing.image.random_filters import (
    RandomGaussianBlur,
    RandomSharpness,
)
from torchkeras.layers.preprocessing.image.random_flip import RandomFlip
from torchkeras.layers.preprocessing.image.random_hsv import RandomHue, RandomSaturation
from torchkeras.layers.preprocessing.image.random_rotation import RandomRotation
from torchkeras.layers.preprocessing.image.random_translation import RandomTranslation
from torchkeras.layers.preprocessing.image.random_warp import (
    RandomElasticTransform,
    RandomPerspective,
    RandomShear,
)
from torchkeras.layers.preprocessing.image.random_zoom import RandomZoom
from torchkeras.layers.preprocessing.image.resizing import Resizing
from torchkeras.layers.preprocessing.image.solarization import (
    RandomPosterization,
    Solarization,
)

__all__ = [
    "AugMix",
    "AutoContrast",
    "CenterCrop",
    "ContrastLimitedAdaptiveHistogramEqualization",
    "CutMix",
    "Equalization",
    "MaxNumBoundingBoxes",
    "MixUp",
    "RandAugment",
    "RandomBrightness",
    "RandomColorDegeneration",
    "RandomColorJitter",
    "RandomContrast",
    "RandomCrop",
    "RandomElasticTransform",
    "RandomErasing",
    "RandomFlip",
    "RandomGaussianBlur",
    "RandomGrayscale",
    "RandomHue",
    "RandomInvert",
    "RandomPerspective",
    "RandomPosterization",
    "RandomRotation",
    "RandomSaturation",
    "RandomSharpness",
    "RandomShear",
    "RandomTranslation",
    "RandomZoom",
    "Resizing",
    "Solarization",
]
