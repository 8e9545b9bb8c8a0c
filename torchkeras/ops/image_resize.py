"""`keras.ops.image.resize` and `scale_and_translate`, with Keras' torch-backend numerics.

`resize` is one `F.interpolate` call with half-pixel centres (`align_corners=False`; nearest is
`nearest-exact`), as Keras' torch backend; images that are not float32/float64 are resized in
float32 and cast back (integers rounded first, bicubic uint8 clamped to [0, 255] first).
`scale_and_translate` applies one separable kernel matrix per spatial axis (`tensordot`).
"""

import numpy as np
import torch
import torch.nn.functional as F

from torchkeras.ops import convert, dtypes, image_checks

RESIZE_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic"}
_FLOAT_DTYPES = (torch.float32, torch.float64)
SCALE_METHODS = {
    "linear": "linear", "bilinear": "linear", "trilinear": "linear",
    "cubic": "cubic", "bicubic": "cubic", "tricubic": "cubic",
    "lanczos3": "lanczos3", "lanczos5": "lanczos5",
}  # fmt: skip


def aspect_crop_box(height, width, target_height, target_width):
    """`(top, left, crop_height, crop_width)` of the largest centred crop with the target's
    aspect ratio (Keras' arithmetic, float truncations included)."""
    crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
    top = int(float(height - crop_height) / 2)
    left = int(float(width - crop_width) / 2)
    return top, left, crop_height, crop_width


def aspect_pad(height, width, target_height, target_width):
    """`(rows, columns)` added on each side to reach the target's aspect ratio, as Keras."""
    pad_height = max(height, int(float(width * target_height) / target_width))
    pad_width = max(width, int(float(height * target_width) / target_height))
    return int(float(pad_height - height) / 2), int(float(pad_width - width) / 2)


def _check_resize(images, size, interpolation, fill_mode, crop, pad):
    if len(size) != 2 or size[0] <= 0 or size[1] <= 0:
        raise ValueError(
            f"`image.resize`: `size` must be two positive ints (height, width), got size={size}."
        )
    if interpolation in ("lanczos3", "lanczos5"):
        raise ValueError(
            "`image.resize`: Lanczos interpolation is not supported on torch (as in Keras' "
            f"torch backend); use 'bilinear', 'nearest' or 'bicubic', got "
            f"interpolation={interpolation!r}."
        )
    image_checks.choice(interpolation, RESIZE_MODES, "resize", "interpolation")
    image_checks.choice(fill_mode, ("constant",), "resize", "fill_mode")
    if crop and pad:
        raise ValueError(
            "`image.resize`: only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` can be "
            "True, got both."
        )
    return image_checks.images_tensor(images, "resize")


def resize_channels_first(images, size, interpolation, antialias, crop, pad, fill_value):
    """Resizes a float `(B, C, H, W)` batch (crop or pad to the aspect ratio first)."""
    height, width = images.shape[-2:]
    if crop:
        top, left, crop_height, crop_width = aspect_crop_box(height, width, *size)
        images = images[:, :, top : top + crop_height, left : left + crop_width]
    elif pad:
        rows, columns = aspect_pad(height, width, *size)
        if rows or columns:
            images = F.pad(images, (columns, columns, rows, rows), value=float(fill_value))
    smooth = interpolation in ("bilinear", "bicubic")
    return F.interpolate(
        images,
        size=tuple(size),
        mode=RESIZE_MODES[interpolation],
        align_corners=False if smooth else None,
        antialias=bool(antialias) and smooth,
    )


def resize(
    images,
    size,
    interpolation="bilinear",
    antialias=False,
    crop_to_aspect_ratio=False,
    pad_to_aspect_ratio=False,
    fill_mode="constant",
    fill_value=0.0,
    data_format=None,
):
    """Resizes images to `size = (height, width)`.

    Same results as Keras' torch backend (half-pixel centres; antialias only for bilinear and
    bicubic; crop or pad to the target aspect ratio before resizing).

    Args:
        images: Rank 3 `(H, W, C)` or rank 4 `(B, H, W, C)` (channels_last) images.
        size: `(height, width)` of the output.
        interpolation: `"bilinear"`, `"nearest"` or `"bicubic"` (Lanczos is not on torch).
        antialias: Whether to low-pass filter when downsampling.
        crop_to_aspect_ratio: Centre-crop to the target's aspect ratio first.
        pad_to_aspect_ratio: Pad evenly with `fill_value` to the target's aspect ratio first.
        fill_mode: Only `"constant"`.
        fill_value: Padding value of `pad_to_aspect_ratio`.
        data_format: `"channels_last"`, `"channels_first"` or None (the global default).

    Shapes: `(B, H, W, C)` -> `(B, height, width, C)`; the input's dtype is kept.
    """
    images = _check_resize(
        images, size, interpolation, fill_mode, crop_to_aspect_ratio, pad_to_aspect_ratio
    )
    fmt = image_checks.data_format(data_format, "resize")
    x, squeeze = image_checks.batched(images)
    out_dtype = x.dtype
    if out_dtype not in _FLOAT_DTYPES:
        x = x.to(torch.float32)
    if fmt == "channels_last":
        x = x.permute(0, 3, 1, 2)
    resized = resize_channels_first(
        x, size, interpolation, antialias, crop_to_aspect_ratio, pad_to_aspect_ratio, fill_value
    )
    if interpolation == "bicubic" and out_dtype == torch.uint8:
        resized = resized.clamp(min=0, max=255)
    if fmt == "channels_last":
        resized = resized.permute(0, 2, 3, 1)
    if squeeze:
        resized = resized.squeeze(0)
    if resized.dtype == out_dtype:
        return resized
    if not out_dtype.is_floating_point:
        resized = torch.round(resized)
    return resized.to(out_dtype)


def _triangle(x):
    return torch.maximum(torch.zeros((), dtype=x.dtype, device=x.device), 1 - torch.abs(x))


def _keys_cubic(x):
    out = ((1.5 * x - 2.5) * x) * x + 1.0
    out = torch.where(x >= 1.0, ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0, out)
    return torch.where(x >= 2.0, 0.0, out)


def _lanczos(radius, x):
    y = radius * torch.sin(np.pi * x) * torch.sin(np.pi * x / radius)
    out = torch.where(x > 1e-3, y / torch.where(x != 0, np.pi**2 * x**2, 1), 1)
    return torch.where(x > radius, 0.0, out)


_KERNELS = {
    "linear": _triangle,
    "cubic": _keys_cubic,
    "lanczos3": lambda x: _lanczos(3.0, x),
    "lanczos5": lambda x: _lanczos(5.0, x),
}


def _weight_matrix(input_size, output_size, scale, translation, kernel, antialias):
    """`(input_size, output_size)` resampling weights of one axis (Keras' arithmetic)."""
    inv_scale = 1.0 / scale
    one = torch.ones((), dtype=inv_scale.dtype, device=inv_scale.device)
    kernel_scale = torch.maximum(inv_scale, one) if antialias else 1.0
    positions = torch.arange(output_size, dtype=scale.dtype, device=scale.device)
    sample = (positions + 0.5) * inv_scale - translation * inv_scale - 0.5
    sources = torch.arange(input_size, dtype=scale.dtype, device=scale.device)
    weights = kernel(torch.abs(sample[None, :] - sources[:, None]) / kernel_scale)
    total = torch.sum(weights, dim=0, keepdim=True)
    threshold = 1000.0 * float(np.finfo(np.float32).eps)
    weights = torch.where(
        torch.abs(total) > threshold, weights / torch.where(total != 0, total, 1), 0
    )
    inside = (sample >= -0.5) & (sample <= input_size - 0.5)
    return torch.where(inside[None, :], weights, 0)


def scale_and_translate(
    images, output_shape, scale, translation, spatial_dims, method, antialias=True
):
    """Resamples `images` along `spatial_dims` to `output_shape`, scaling then translating.

    `jax.image.scale_and_translate`'s semantics, computed as Keras' torch backend: one weight
    matrix per axis; integer images are resampled in float32, rounded and clipped to their range.

    Args:
        images: Tensor of any rank.
        output_shape: The full output shape (only the `spatial_dims` entries are used).
        scale, translation: One value per spatial dim.
        spatial_dims: Axes to resample.
        method: `"linear"`/`"bilinear"`/`"trilinear"`, `"cubic"`/`"bicubic"`/`"tricubic"`,
            `"lanczos3"` or `"lanczos5"`.
        antialias: Whether to widen the kernel when downsampling.

    Shapes: `images.shape` with `spatial_dims` replaced by `output_shape`'s.
    """
    image_checks.choice(method, SCALE_METHODS, "scale_and_translate", "method")
    kernel = _KERNELS[SCALE_METHODS[method]]
    x = convert.tensor(images)
    scale = convert.tensor(scale, device=x.device)
    translation = convert.tensor(translation, device=x.device)
    dtype = dtypes.to_torch(dtypes.result_type(scale.dtype, translation.dtype))
    scale, translation = scale.to(dtype), translation.to(dtype)
    integer = not (x.dtype.is_floating_point or x.dtype.is_complex)
    output = x.to(torch.float32) if integer else x.clone()
    for i, axis in enumerate(spatial_dims):
        axis = axis % x.dim()
        weights = _weight_matrix(
            x.shape[axis], output_shape[axis], scale[i], translation[i], kernel, antialias
        ).to(output.dtype)
        output = torch.moveaxis(torch.tensordot(output, weights, dims=((axis,), (0,))), -1, axis)
    if integer:
        output = torch.clip(torch.round(output), torch.min(x), torch.max(x)).to(x.dtype)
    return output
