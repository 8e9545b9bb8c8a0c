"""RandomGrayscale, RandomInvert and RandomColorDegeneration: per-image colour changes."""

import torch

from torchkeras.layers.preprocessing.image.augment_base import (
    AugmentLayer,
    check_channels,
    check_probability,
    check_value_range,
)
from torchkeras.layers.preprocessing.image.base import factor_range
from torchkeras.ops import image as image_ops
from torchkeras.registry import LAYERS


@LAYERS.register()
class RandomGrayscale(AugmentLayer):
    """Replaces each image by its luma (kept on every channel) with probability `factor`.

    Draws one uniform number per image, as Keras, so a seeded layer converts the same images
    as Keras' layer of the same seed. Keras' config has no `seed` entry (so a reloaded layer
    is unseeded); the config here is the same.

    Args:
        factor: Probability in [0, 1] of converting an image (default 0.5).
        data_format: `"channels_last"` (default) or `"channels_first"`.
        seed: Optional int seed of the layer's random generator.

    Shapes: `(..., H, W, 3)` -> the same shape (channels_last).
    """

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = check_probability(self, factor, "factor")

    def sample(self, images):
        """Which images to convert: bool `(B, 1, 1, 1)`."""
        draws = self.random_uniform((images.shape[0],), 0, 1, images.device)
        return (draws < self.factor).view(-1, 1, 1, 1)

    def augment(self, images, apply):
        gray = image_ops.rgb_to_grayscale(images, data_format=self.data_format)
        return torch.where(apply, gray, images)

    def get_config(self):
        config = {**super().get_config(), "factor": self.factor}
        del config["seed"]  # Keras 3.15 leaves it out
        return config


@LAYERS.register()
class RandomInvert(AugmentLayer):
    """Inverts an image, `value_range[1] - x`, with a probability drawn per image.

    Per image Keras draws a probability `p` in `factor` and then a threshold `t` in [0, 1); the
    image is inverted when `t < p`. Both draws are Keras', in Keras' order.

    Args:
        factor: A float `f` (probabilities in [0, f]) or a pair in [0, 1]; default 1.0.
        value_range: `(min, max)` of the pixel values.
        seed: Optional int seed of the layer's random generator.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(self, factor, "factor", bounds=(0, 1))
        self.value_range = check_value_range(self, value_range)

    def sample(self, images):
        """Which images to invert: bool `(B,)`."""
        batch, device = images.shape[0], images.device
        probability = self.random_uniform((batch,), *self.factor, device)
        threshold = self.random_uniform((batch,), 0, 1, device)
        return threshold < probability

    def augment(self, images, apply):
        images = self.cast(images)
        return torch.where(apply.view(-1, 1, 1, 1), self.value_range[1] - images, images)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


@LAYERS.register()
class RandomColorDegeneration(AugmentLayer):
    """Blends each image towards its grayscale version, `x + f * (gray(x) - x)`, clipped.

    `f` is drawn per image from `factor`; Keras bounds it to [-1, 1], so a float `factor=0.5`
    draws from `[-0.5, 0.5]` (negative values push colours away from gray).

    Args:
        factor: A float `f` (in `[-f, f]`) or a pair `(lower, upper)` in [-1, 1].
        value_range: `(min, max)` of the pixel values; outputs are clipped to it.
        data_format: `"channels_last"` (default) or `"channels_first"`.
        seed: Optional int seed of the layer's random generator.

    Shapes: `(..., H, W, 3)` -> the same shape (channels_last).
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(self, factor, "factor")
        self.value_range = check_value_range(self, value_range, sort=True)

    def sample(self, images):
        """Blend factors `(B, 1, 1, 1)`."""
        return self.random_uniform((images.shape[0], 1, 1, 1), *self.factor, images.device)

    def augment(self, images, factor):
        check_channels(self, images)
        images = self.cast(images)
        gray = image_ops.rgb_to_grayscale(images, data_format=self.data_format)
        images = images + factor.to(images.dtype) * (gray - images)
        return images.clamp(self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}
