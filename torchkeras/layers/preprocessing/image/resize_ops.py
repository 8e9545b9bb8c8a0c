"""Image resizing on `(B, C, H, W)` batches with Keras' conventions (its torch backend's)."""

import torch
import torch.nn.functional as F

INTERPOLATIONS = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic"}
_INT_DTYPES = (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)


def aspect_crop_box(height, width, target_height, target_width):
    """`(top, left, crop_height, crop_width)` of the largest centred crop with the target's
    aspect ratio (Keras' `smart_resize` arithmetic, including its float truncations)."""
    crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
    top = int(float(height - crop_height) / 2)
    left = int(float(width - crop_width) / 2)
    return top, left, crop_height, crop_width


def crop_to_aspect(images, size):
    """Centre crop of a `(B, C, H, W)` batch to the aspect ratio of `size` (a view)."""
    top, left, crop_height, crop_width = aspect_crop_box(*images.shape[-2:], *size)
    return images[:, :, top : top + crop_height, left : left + crop_width]


def pad_to_aspect(images, size, fill_value):
    """Pads a `(B, C, H, W)` batch evenly with `fill_value` to the aspect ratio of `size`.

    As Keras, each side gets `int((padded - size) / 2)` rows (or columns).
    """
    height, width = images.shape[-2:]
    target_height, target_width = size
    pad_height = max(height, int(float(width * target_height) / target_width))
    pad_width = max(width, int(float(height * target_width) / target_height))
    top = int(float(pad_height - height) / 2)
    left = int(float(pad_width - width) / 2)
    if top == 0 and left == 0:
        return images
    return F.pad(images, (left, left, top, top), mode="constant", value=float(fill_value))


def resize(images, size, interpolation="bilinear", antialias=False, crop=False, pad=False,
           fill_value=0.0):
    """Resizes a `(B, C, H, W)` batch to `size = (height, width)` with `F.interpolate`.

    Half-pixel centres (`align_corners=False`) and, for nearest, `nearest-exact`, as Keras'
    torch backend. Integer images are resized in float32, rounded and cast back (bicubic
    uint8 results are clamped to [0, 255] first), as Keras does.

    Shapes: `(B, C, H, W)` -> `(B, C, height, width)`.
    """
    out_dtype = images.dtype
    if out_dtype not in (torch.float32, torch.float64):
        images = images.to(torch.float32)
    if crop:
        images = crop_to_aspect(images, size)
    elif pad:
        images = pad_to_aspect(images, size, fill_value)
    smooth = interpolation in ("bilinear", "bicubic")
    resized = F.interpolate(
        images,
        size=tuple(size),
        mode=INTERPOLATIONS[interpolation],
        align_corners=False if smooth else None,
        antialias=bool(antialias) and smooth,
    )
    if resized.dtype == out_dtype:
        return resized
    if interpolation == "bicubic" and out_dtype == torch.uint8:
        resized = resized.clamp(0, 255)
    if out_dtype in _INT_DTYPES:
        resized = torch.round(resized)
    return resized.to(out_dtype)
