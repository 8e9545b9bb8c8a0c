"""`keras.ops.image.extract_patches` (2-D) and `extract_patches_3d`, as strided views.

Keras convolves with an identity kernel; each output position gets its patch flattened in
`(*patch, channels)` order. Here the patches are `Tensor.unfold` windows of the (padded) input
and one reshape, so the values (copies) and gradients are the same without the convolution.
"""

import torch.nn.functional as F

from torchkeras.ops import conv_utils, image_checks


def _patches(images, size, strides, dilation_rate, padding, data_format, op):
    """Patches of `(B, *spatial, C)` / `(B, C, *spatial)` inputs, `len(size)` spatial axes."""
    rank = len(size)
    fmt = image_checks.data_format(data_format, op)
    strides = conv_utils.tuple_of(strides, rank, "strides", op)
    dilation = conv_utils.tuple_of(dilation_rate, rank, "dilation_rate", op)
    padding = conv_utils.padding(padding, op)
    x, squeeze = image_checks.batched(images, rank + 2)
    x = conv_utils.to_channels_first(x, fmt)  # (B, C, *spatial) view
    if padding == "same":
        pads = conv_utils.same_pads(x.shape[2:], size, strides, dilation)
        x = F.pad(x, conv_utils.flat_pads(pads))
    for axis, (k, s, d) in enumerate(zip(size, strides, dilation)):
        x = x.unfold(2 + axis, (k - 1) * d + 1, s)[..., ::d]  # appends a window axis
    # (B, C, *out, *patch) -> (B, *out, *patch, C) -> (B, *out, prod(patch) * C)
    x = x.movedim(1, -1)
    x = x.reshape(*x.shape[: rank + 1], -1)
    if fmt == "channels_first":
        x = x.movedim(-1, 1)
    return x.squeeze(0) if squeeze else x


def _size_tuple(size, rank, op):
    if isinstance(size, int):
        return (size,) * rank
    if not isinstance(size, (tuple, list)):
        raise TypeError(
            f"`image.{op}`: `size` must be an int or a tuple, got size={size!r} of type "
            f"{type(size).__name__}."
        )
    if len(size) != rank:
        raise ValueError(f"`image.{op}`: `size` must have {rank} values, got size={size!r}.")
    return tuple(int(n) for n in size)


def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Extracts `size` patches of images, each flattened into the channel axis.

    A 3-tuple `size` extracts 3-D patches of volumes (as `extract_patches_3d`).

    Args:
        images: Rank 3 or 4 images (rank 4 or 5 volumes for a 3-tuple `size`).
        size: Patch size: an int or `(height, width)` (or `(depth, height, width)`).
        strides: Step between patches; None (or 0) means `size` (no overlap).
        dilation_rate: Spacing of the pixels read within a patch.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"`, `"channels_first"` or None (the global default).

    Shapes: `(B, H, W, C)` -> `(B, H', W', size_h * size_w * C)` (channels_last).
    """
    if isinstance(size, (tuple, list)) and len(size) == 3:
        return extract_patches_3d(images, size, strides, dilation_rate, padding, data_format)
    size = _size_tuple(size, 2, "extract_patches")
    images = image_checks.images_tensor(images, "extract_patches")
    return _patches(
        images, size, strides or size, dilation_rate, padding, data_format, "extract_patches"
    )


def extract_patches_3d(
    volumes, size, strides=None, dilation_rate=1, padding="valid", data_format=None
):
    """Extracts `size` 3-D patches of volumes, each flattened into the channel axis.

    Args:
        volumes: Rank 4 `(D, H, W, C)` or rank 5 `(B, D, H, W, C)` volumes.
        size: Patch size: an int or `(depth, height, width)`.
        strides: Step between patches; None means `size`.
        dilation_rate: Spacing of the voxels read within a patch.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"`, `"channels_first"` or None (the global default).

    Shapes: `(B, D, H, W, C)` -> `(B, D', H', W', size_d * size_h * size_w * C)`.
    """
    size = _size_tuple(size, 3, "extract_patches_3d")
    volumes = image_checks.images_tensor(volumes, "extract_patches_3d", "volumes", (4, 5))
    strides = size if strides is None else strides
    op = "extract_patches_3d"
    return _patches(volumes, size, strides, dilation_rate, padding, data_format, op)
