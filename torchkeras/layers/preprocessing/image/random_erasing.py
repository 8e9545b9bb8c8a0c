"""RandomErasing: fills a random rectangle of each image with noise or a constant."""

import torch

from torchkeras.layers.preprocessing.image.augment_base import (
    AugmentLayer,
    check_value_range,
)
from torchkeras.layers.preprocessing.image.base import factor_range
from torchkeras.registry import LAYERS


def _check_fill_value(layer, fill_value):
    """Keras' fill value: None (noise), a number, or three numbers (one per channel)."""
    number = isinstance(fill_value, (int, float)) and not isinstance(fill_value, bool)
    triple = isinstance(fill_value, (tuple, list)) and len(fill_value) == 3
    if fill_value is not None and not (number or triple):
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': `fill_value` must be None, a number or a "
            f"list of three numbers, got fill_value={fill_value!r}."
        )
    return fill_value


@LAYERS.register()
class RandomErasing(AugmentLayer):
    """Erases one random rectangle per image, with a probability drawn per image.

    Keras' draws, in order: the rectangle's relative area per axis in `scale` (its square
    root is the side ratio), the rectangle's x then y start, a probability `p` in `factor`
    and a threshold `t` (erase when `t < p`), then, without `fill_value`, normal noise times
    `value_range[1]`. The fill is clipped to `value_range`. Outputs are floats at inference
    too (a cast).

    Args:
        factor: A float `f` (probabilities in `[0, f]`) or a pair in [0, 1]; default 1.0.
        scale: A float `s` (in `[0, s]`) or a pair in [0, 1]: the erased fraction per axis,
            squared.
        fill_value: None (Gaussian noise), a number, or three numbers (channels_last RGB).
        value_range: `(min, max)` of the pixel values.
        seed: Optional int seed of the layer's random generator.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    CAST_AT_INFERENCE = True

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255),
                 seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(self, factor, "factor", bounds=(0, 1))
        self.scale = factor_range(self, scale, "scale", bounds=(0, 1))
        self.fill_value = _check_fill_value(self, fill_value)
        self.value_range = check_value_range(self, value_range)

    def sample(self, images):
        """Which images to erase `(B,)`, the erased pixels (bool, as images), the fill."""
        batch, device, dtype = images.shape[0], images.device, self.compute_dtype
        height, width = self.image_size(images.shape)
        ratios = self.random_uniform((batch, 2), *self.scale, device, dtype).sqrt()
        x0, x1 = self._bounds(batch, width, ratios[:, 0], device)
        y0, y1 = self._bounds(batch, height, ratios[:, 1], device)
        masks = self._masks(images.shape, (x0, x1, y0, y1), device)
        probability = self.random_uniform((batch,), *self.factor, device)
        threshold = self.random_uniform((batch,), 0.0, 1.0, device)
        return threshold < probability, masks, self._fill(images)

    def _bounds(self, batch, length, ratio, device):
        """Start and end `(B,)` of a random window of `ratio * length` pixels."""
        window = ratio * length
        start = self.random_uniform((batch,), 0, 1, device, self.compute_dtype)
        start = start * (length - window)
        return start, start + window

    def _masks(self, shape, corners, device):
        """Pixels inside each image's rectangle, broadcast to the images' shape."""
        height, width = self.image_size(shape)
        dtype = self.compute_dtype
        grid_y = torch.arange(height, dtype=dtype, device=device)[:, None]
        grid_x = torch.arange(width, dtype=dtype, device=device)[None, :]
        x0, x1, y0, y1 = (corner.view(-1, 1, 1) for corner in corners)
        masks = (grid_x >= x0) & (grid_x < x1) & (grid_y >= y0) & (grid_y < y1)  # (B, H, W)
        masks = masks.unsqueeze(-1 if self.data_format == "channels_last" else 1)
        return masks.expand(shape)

    def _fill(self, images):
        """The fill values, broadcastable to the images, clipped to `value_range`."""
        dtype, device = self.compute_dtype, images.device
        if self.fill_value is None:
            fill = self.random_normal(images.shape, device, dtype) * self.value_range[1]
        else:
            fill = torch.tensor(self.fill_value, dtype=dtype, device=device)
        return fill.clamp(self.value_range[0], self.value_range[1])

    def augment(self, images, transformation):
        apply, masks, fill = transformation
        images = self.cast(images)
        erased = torch.where(masks, fill, images)
        return torch.where(apply.view(-1, 1, 1, 1), erased, images)

    def get_config(self):
        return {
            **super().get_config(),
            "factor": self.factor,
            "scale": self.scale,
            "fill_value": self.fill_value,
            "value_range": self.value_range,
        }
