"""RandomSharpness and RandomGaussianBlur: per-image blends with a smoothed image."""

import torch
import torch.nn.functional as F

from torchkeras.layers.preprocessing.image.augment_base import (
    AugmentLayer,
    check_value_range,
)
from torchkeras.layers.preprocessing.image.base import factor_range
from torchkeras.ops.image_filters import blur_channels_first
from torchkeras.registry import LAYERS

_SMOOTH = (1.0 / 13.0, 5.0 / 13.0)  # Keras' 3x3 smoothing kernel: edges a, centre b


@LAYERS.register()
class RandomSharpness(AugmentLayer):
    """Blends each image with a smoothed copy: `x + (1 - 2f) * (smooth(x) - x)`, clipped.

    `smooth` is Keras' 3x3 depthwise kernel (1/13 around, 5/13 in the centre, zero padding);
    `f` is drawn per image in `factor`, so `f = 0.5` keeps the image, `f = 0` smooths it and
    `f = 1` sharpens it. Outputs are floats at inference too (a cast), as Keras.

    Args:
        factor: A float `f` (in `[0, f]`) or a pair `(lower, upper)` in [0, 1].
        value_range: `(min, max)` of the pixel values; outputs are clipped to it.
        data_format: `"channels_last"` (default) or `"channels_first"`.
        seed: Optional int seed of the layer's random generator.

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    CAST_AT_INFERENCE = True

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(self, factor, "factor", bounds=(0, 1))
        self.value_range = check_value_range(self, value_range, sort=True)

    def sample(self, images):
        """Sharpness factors `(B,)`."""
        return self.random_uniform((images.shape[0],), *self.factor, images.device)

    def augment(self, images, factor):
        images = self.to_nchw(self.cast(images))
        factor = (factor * 2).to(images.dtype).view(-1, 1, 1, 1)
        channels = images.shape[1]
        edge, centre = _SMOOTH
        kernel = torch.full((3, 3), edge, dtype=images.dtype, device=images.device)
        kernel[1, 1] = centre
        kernel = kernel.expand(channels, 1, 3, 3)
        smoothed = F.conv2d(images, kernel, padding=1, groups=channels)
        images = images + (1.0 - factor) * (smoothed - images)
        return self.from_nchw(images.clamp(self.value_range[0], self.value_range[1]))

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


def _kernel_size(layer, kernel_size):
    """Keras' `(height, width)` kernel size: odd ints, one for both or a pair. Keras 3.15 also
    takes unequal pairs but its blur then fails on every batch (it pads by `kernel_size[0]`
    on both axes), so they are refused here."""
    sizes = kernel_size if isinstance(kernel_size, (tuple, list)) else (kernel_size, kernel_size)
    valid = len(sizes) == 2 and sizes[0] == sizes[1] and all(
        isinstance(n, int) and not isinstance(n, bool) and n > 0 and n % 2 for n in sizes
    )
    if not valid:
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': `kernel_size` must be an odd positive int "
            f"or a pair of two equal ones, got kernel_size={kernel_size!r}."
        )
    return tuple(sizes)


@LAYERS.register()
class RandomGaussianBlur(AugmentLayer):
    """Blurs each image with probability drawn per image, with one random sigma per batch.

    Per image Keras draws a probability `p` in `factor` and a threshold `t` in [0, 1) (blur
    when `t < p`), then one `(sigma_x, sigma_y)` for the batch in `sigma` (plus 1e-6); the
    blur is `ops.image.gaussian_blur` (zero padding). Outputs are clipped to `value_range`,
    and are floats at inference too (a cast).

    Args:
        factor: A float `f` (probabilities in `[0, f]`) or a pair in [0, 1]; default 1.0.
        kernel_size: Odd int, or a pair of two equal odd ints; default 3.
        sigma: A float `s` (in `[0, s]`) or a pair, in [0, 1] as Keras bounds it.
        value_range: `(min, max)` of the pixel values.
        data_format: `"channels_last"` (default) or `"channels_first"`.
        seed: Optional int seed of the layer's random generator.

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    CAST_AT_INFERENCE = True

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255),
                 data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(self, factor, "factor", bounds=(0, 1))
        self.kernel_size = _kernel_size(self, kernel_size)
        self.sigma = factor_range(self, sigma, "sigma", bounds=(0, 1))
        self.value_range = check_value_range(self, value_range)

    def sample(self, images):
        """Which images to blur `(B,)` and the batch's `(sigma_x, sigma_y)`."""
        batch, device = images.shape[0], images.device
        probability = self.random_uniform((batch,), *self.factor, device)
        threshold = self.random_uniform((batch,), 0.0, 1.0, device)
        sigma = self.random_uniform((2,), *self.sigma, device, self.compute_dtype) + 1e-6
        return threshold < probability, sigma

    def augment(self, images, transformation):
        apply, sigma = transformation
        images = self.cast(images)
        blurred = self.from_nchw(blur_channels_first(self.to_nchw(images), self.kernel_size,
                                                     sigma))
        images = torch.where(apply.view(-1, 1, 1, 1), blurred, images)
        return images.clamp(self.value_range[0], self.value_range[1])

    def get_config(self):
        return {
            **super().get_config(),
            "factor": self.factor,
            "kernel_size": self.kernel_size,
            "sigma": self.sigma,
            "value_range": self.value_range,
        }
