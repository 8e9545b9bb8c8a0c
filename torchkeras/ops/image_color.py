"""Colour conversions of `keras.ops.image`: rgb_to_grayscale, rgb_to_hsv, hsv_to_rgb.

The arithmetic is Keras' torch backend's (torchvision's luma weights; dm_pix's HSV formulas), so
values and gradients match it; the channel axis is the last (channels_last) or the third from
the end (channels_first), for unbatched `(H, W, C)` and batched `(B, H, W, C)` images.
"""

import torch

from torchkeras.ops import image_checks
from torchkeras.ops.image_checks import channel_axis, float_images, images_tensor

_LUMA = (0.2989, 0.587, 0.114)


def rgb_to_grayscale(images, data_format=None):
    """Luma of RGB images, `0.2989 R + 0.587 G + 0.114 B`, keeping the input's dtype.

    Integer images are weighted in float32 and truncated back, as Keras' torch backend does;
    one-channel images are returned as a copy.

    Args:
        images: RGB (3 channels) or grayscale (1 channel) images, rank 3 or 4.
        data_format: `"channels_last"`, `"channels_first"` or None (the global default).

    Shapes: `(..., H, W, 3)` -> `(..., H, W, 1)` (channels_last).
    """
    images = images_tensor(images, "rgb_to_grayscale")
    axis = channel_axis(image_checks.data_format(data_format, "rgb_to_grayscale"))
    if images.shape[axis] not in (1, 3):
        raise ValueError(
            "`image.rgb_to_grayscale`: `images` must have 3 (RGB) or 1 (grayscale) channels, "
            f"got images.shape={tuple(images.shape)}."
        )
    if images.shape[axis] == 1:
        return images.clone()
    red, green, blue = images.unbind(dim=axis)
    gray = _LUMA[0] * red + _LUMA[1] * green + _LUMA[2] * blue
    return gray.to(images.dtype).unsqueeze(axis)


def rgb_to_hsv(images, data_format=None):
    """RGB images with values in `[0, 1]` to HSV, every component in `[0, 1]`.

    Args:
        images: Float RGB images, rank 3 or 4.
        data_format: `"channels_last"`, `"channels_first"` or None (the global default).

    Shapes: same as `images`.
    """
    images = float_images(images_tensor(images, "rgb_to_hsv"), "rgb_to_hsv")
    axis = channel_axis(image_checks.data_format(data_format, "rgb_to_hsv"))
    _check_three_channels(images, axis, "rgb_to_hsv")
    eps = torch.finfo(images.dtype).eps
    images = torch.where(torch.abs(images) < eps, 0.0, images)
    red, green, blue = images.unbind(dim=axis)
    value = torch.maximum(torch.maximum(red, green), blue)
    spread = value - torch.minimum(torch.minimum(red, green), blue)
    saturation = torch.where(value > 0, spread / torch.where(value > 0, value, 1.0), 0.0)
    norm = 1.0 / (6.0 * torch.where(spread > 0, spread, 1.0))
    hue = torch.where(
        value == green, norm * (blue - red) + 2.0 / 6.0, norm * (red - green) + 4.0 / 6.0
    )
    hue = torch.where(value == red, norm * (green - blue), hue)
    hue = torch.where(spread > 0, hue, 0.0) + (hue < 0.0).to(hue.dtype)
    return torch.stack((hue, saturation, value), dim=axis)


def hsv_to_rgb(images, data_format=None):
    """HSV images (components in `[0, 1]`) to RGB; the inverse of `rgb_to_hsv`.

    Args:
        images: Float HSV images, rank 3 or 4.
        data_format: `"channels_last"`, `"channels_first"` or None (the global default).

    Shapes: same as `images`.
    """
    images = float_images(images_tensor(images, "hsv_to_rgb"), "hsv_to_rgb")
    axis = channel_axis(image_checks.data_format(data_format, "hsv_to_rgb"))
    _check_three_channels(images, axis, "hsv_to_rgb")
    hue, saturation, value = images.unbind(dim=axis)
    sector = torch.remainder(hue, 1.0) * 6.0
    weights = (
        torch.clip(torch.abs(sector - 3.0) - 1.0, 0.0, 1.0),
        torch.clip(2.0 - torch.abs(sector - 2.0), 0.0, 1.0),
        torch.clip(2.0 - torch.abs(sector - 4.0), 0.0, 1.0),
    )
    one_minus_s = 1.0 - saturation
    return torch.stack([value * (one_minus_s + saturation * w) for w in weights], dim=axis)


def _check_three_channels(images, axis, op):
    if images.shape[axis] != 3:
        raise ValueError(
            f"`image.{op}`: `images` must have 3 channels, got images.shape={tuple(images.shape)}."
        )
