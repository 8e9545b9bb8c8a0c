"""Solarization and RandomPosterization: per-image pixel-value remappings on a 0-255 scale."""

import torch

from torchkeras.layers.preprocessing.image.augment_base import (
    AugmentLayer,
    check_value_range,
)
from torchkeras.layers.preprocessing.image.base import factor_range
from torchkeras.registry import LAYERS


def _addition_range(layer, factor, name):
    """Keras' Solarization factor: a float `f` means `(0, f)`, a pair is sorted; all in [0, 1]."""
    if isinstance(factor, (tuple, list)):
        return factor_range(layer, factor, name, bounds=(0, 1))
    return 0, factor_range(layer, factor, name, bounds=(0, 1))[1]


@LAYERS.register()
class Solarization(AugmentLayer):
    """Adds a random value to each image, then inverts the pixels above a random threshold.

    On the 0-255 scale: `y = clip(x + a, 0, 255)`, then `255 - y` where `y >= t`. As in Keras,
    `a` is drawn in `[addition_factor[0], addition_factor[1] * 255]` and `t` in
    `[threshold_factor[0], threshold_factor[1] * 255]` (only the upper end is scaled by 255),
    both per image. Outputs are floats in `value_range`, at inference too (a cast).

    Args:
        addition_factor: A float `f` (in `[0, f]`) or a pair, fractions in [0, 1].
        threshold_factor: A float `f` (in `[0, f]`) or a pair, fractions in [0, 1].
        value_range: `(min, max)` of the pixel values.
        seed: Optional int seed of the layer's random generator.
        data_format: `"channels_last"` (default) or `"channels_first"` (a keyword argument).

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    CAST_AT_INFERENCE = True

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255),
                 seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.addition_factor = _addition_range(self, addition_factor, "addition_factor")
        self.threshold_factor = _addition_range(self, threshold_factor, "threshold_factor")
        self.value_range = check_value_range(self, value_range, sort=True)

    def sample(self, images):
        """Additions and thresholds, each `(B, 1, 1, 1)` on the 0-255 scale."""
        shape, device, dtype = (images.shape[0], 1, 1, 1), images.device, self.compute_dtype
        low, high = self.addition_factor
        additions = self.random_uniform(shape, low, high * 255, device, dtype)
        low, high = self.threshold_factor
        thresholds = self.random_uniform(shape, low, high * 255, device, dtype)
        return additions, thresholds

    def augment(self, images, transformation):
        additions, thresholds = transformation
        images = self.to_range(self.cast(images), self.value_range, (0, 255))
        images = (images + additions).clamp(0, 255)
        images = torch.where(images < thresholds, images, 255 - images)
        return self.to_range(images, (0, 255), self.value_range)

    def get_config(self):
        return {
            **super().get_config(),
            "value_range": self.value_range,
            "addition_factor": self.addition_factor,
            "threshold_factor": self.threshold_factor,
        }


@LAYERS.register()
class RandomPosterization(AugmentLayer):
    """Keeps only the `b` most significant bits of each 8-bit pixel value, `b` drawn per image.

    Pixels are mapped to 0-255, truncated to uint8, shifted right then left by `8 - b`, and
    mapped back to `value_range` as floats. As in Keras, `b` is drawn with `randint` in
    `[factor[0], factor[1])` (the upper bound is never drawn), or fixed when both are equal.

    Args:
        factor: An int `f` (bits in `[1, f)`) or a pair of ints in [1, 8].
        value_range: `(min, max)` of the pixel values.
        data_format: `"channels_last"` (default) or `"channels_first"`.
        seed: Optional int seed of the layer's random generator.

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(self, factor, "factor", bounds=(1, 8))
        self.value_range = check_value_range(self, value_range, sort=True)

    def sample(self, images):
        """Right/left shifts `(B, 1, 1, 1)` (uint8), `8 - bits`."""
        batch, device = images.shape[0], images.device
        low, high = self.factor
        if low != high:
            bits = self.random_randint((batch,), low, high, device, dtype=torch.uint8)
        else:
            bits = torch.full((batch,), low, dtype=torch.uint8, device=device)
        return (8 - bits).view(-1, 1, 1, 1)

    def augment(self, images, shifts):
        images = self.to_range(images, self.value_range, (0, 255)).to(torch.uint8)
        images = torch.bitwise_left_shift(torch.bitwise_right_shift(images, shifts), shifts)
        return self.to_range(self.cast(images), (0, 255), self.value_range)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}
