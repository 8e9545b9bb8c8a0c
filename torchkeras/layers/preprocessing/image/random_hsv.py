"""RandomSaturation and RandomHue: per-image changes of an HSV channel."""

import torch

from torchkeras import config
from torchkeras.layers.preprocessing.image.augment_base import (
    AugmentLayer,
    check_value_range,
)
from torchkeras.layers.preprocessing.image.base import factor_range
from torchkeras.ops import image as image_ops
from torchkeras.registry import LAYERS


class HSVLayer(AugmentLayer):
    """Shared HSV plumbing: `value_range`, `factor`, and a per-image update of one channel."""

    def __init__(self, factor, value_range, data_format, seed, bounds, sort_range, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(self, factor, "factor", bounds=bounds)
        self.value_range = check_value_range(self, value_range, sort=sort_range)

    @property
    def channel_axis(self):
        return -1 if self.data_format == "channels_last" else -3

    def update_channel(self, images, index, update):
        """HSV images with channel `index` replaced by `update(channel)`, back to RGB."""
        hsv = image_ops.rgb_to_hsv(images, data_format=self.data_format)
        channels = list(hsv.unbind(dim=self.channel_axis))
        channels[index] = update(channels[index])
        hsv = torch.stack(channels, dim=self.channel_axis)
        return image_ops.hsv_to_rgb(hsv, data_format=self.data_format)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


@LAYERS.register()
class RandomSaturation(HSVLayer):
    """Multiplies each image's HSV saturation by `f / (1 - f + epsilon)`, `f` drawn per image.

    As Keras 3.15: `factor` is bounded to [-1, 1] (a float `f` draws in `[-f, f]`), the images
    are converted to HSV as given (no rescaling by `value_range`), and the scaled saturation
    is clipped to `value_range` before converting back.

    Args:
        factor: A float `f` or a pair `(lower, upper)` in [-1, 1]; 0.5 keeps the saturation.
        value_range: `(min, max)` of the pixel values.
        data_format: `"channels_last"` (default) or `"channels_first"`.
        seed: Optional int seed of the layer's random generator.

    Shapes: `(..., H, W, 3)` -> the same shape (channels_last).
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(factor, value_range, data_format, seed, bounds=(-1, 1),
                         sort_range=True, **kwargs)

    def sample(self, images):
        """Saturation multipliers `(B, 1, 1)`."""
        factor = self.random_uniform((images.shape[0],), *self.factor, images.device)
        return (factor / (1 - factor + config.epsilon())).view(-1, 1, 1)

    def augment(self, images, factor):
        low, high = self.value_range
        factor = factor.to(self.compute_dtype)
        return self.update_channel(images, 1, lambda s: (s * factor).clamp(low, high))


@LAYERS.register()
class RandomHue(HSVLayer):
    """Rotates each image's hue by a random `±f / 2` of a turn, `f` drawn per image.

    Keras draws a sign (negative when a uniform draw exceeds 0.5) and then `f` in `factor`,
    per image; the images are rescaled to [0, 1], shifted in HSV, clipped and rescaled back.

    Args:
        factor: A float `f` (in `[0, f]`) or a pair `(lower, upper)` in [0, 1].
        value_range: `(min, max)` of the pixel values.
        data_format: `"channels_last"` (default) or `"channels_first"`.
        seed: Optional int seed of the layer's random generator.

    Shapes: `(..., H, W, 3)` -> the same shape (channels_last).
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(factor, value_range, data_format, seed, bounds=(0, 1),
                         sort_range=False, **kwargs)

    def sample(self, images):
        """Hue shifts `(B, 1, 1)` in turns."""
        batch, device = images.shape[0], images.device
        sign = torch.where(self.random_uniform((batch,), 0, 1, device) > 0.5, -1.0, 1.0)
        factor = self.random_uniform((batch,), *self.factor, device)
        return (sign * factor * 0.5).view(-1, 1, 1)

    def augment(self, images, shift):
        images = self.to_range(self.cast(images), self.value_range, (0, 1))
        images = self.update_channel(images, 0, lambda hue: self.wrap(hue + shift))
        return self.to_range(images.clamp(0, 1), (0, 1), self.value_range)

    @staticmethod
    def wrap(hue):
        """Hue back into [0, 1] after a shift of at most half a turn, as Keras."""
        hue = torch.where(hue > 1.0, hue - 1.0, hue)
        return torch.where(hue < 0.0, hue + 1.0, hue)
