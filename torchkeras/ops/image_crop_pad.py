"""`keras.ops.image.crop_images` and `pad_images`: a view of a box, or zero padding around.

Each takes exactly two of (start, end, target size) per spatial axis and infers the third, as
Keras; every amount must be >= 0.
"""

import torch.nn.functional as F

from torchkeras.ops import image_checks


def _two_of_three(op, values):
    """Checks that exactly one of the three named values of each axis is None, all others >= 0."""
    for axis in values:
        if [value for _, value in axis].count(None) != 1:
            listed = ", ".join(f"{name}={value}" for name, value in axis)
            names = ", ".join(name for name, _ in axis)
            raise ValueError(f"`image.{op}`: give exactly two of {names}; got {listed}.")
    for name, value in (item for axis in values for item in axis):
        _non_negative(op, name, value)


def _non_negative(op, name, value):
    if value is not None and value < 0:
        raise ValueError(f"`image.{op}`: `{name}` must be >= 0, got {name}={value}.")


def _spatial(images, fmt):
    return images.shape[-3:-1] if fmt == "channels_last" else images.shape[-2:]


def pad_images(
    images,
    top_padding=None,
    left_padding=None,
    bottom_padding=None,
    right_padding=None,
    target_height=None,
    target_width=None,
    data_format=None,
):
    """Pads images with zeros to a size or by amounts (two of start, end, target per axis).

    Args:
        images: Rank 3 or 4 images.
        top_padding, bottom_padding, target_height: Exactly two of them (rows).
        left_padding, right_padding, target_width: Exactly two of them (columns).
        data_format: `"channels_last"`, `"channels_first"` or None (the global default).

    Shapes: `(B, H, W, C)` -> `(B, top + H + bottom, left + W + right, C)`.
    """
    op = "pad_images"
    fmt = image_checks.data_format(data_format, op)
    images = image_checks.images_tensor(images, op)
    _two_of_three(op, [
        [("top_padding", top_padding), ("bottom_padding", bottom_padding),
         ("target_height", target_height)],
        [("left_padding", left_padding), ("right_padding", right_padding),
         ("target_width", target_width)],
    ])  # fmt: skip
    height, width = _spatial(images, fmt)
    if top_padding is None:
        top_padding = target_height - bottom_padding - height
    if bottom_padding is None:
        bottom_padding = target_height - top_padding - height
    if left_padding is None:
        left_padding = target_width - right_padding - width
    if right_padding is None:
        right_padding = target_width - left_padding - width
    for name, value in (
        ("top_padding", top_padding),
        ("left_padding", left_padding),
        ("right_padding", right_padding),
        ("bottom_padding", bottom_padding),
    ):
        _non_negative(op, name, value)  # inferred from a target smaller than the image
    pads = (left_padding, right_padding, top_padding, bottom_padding)
    if fmt == "channels_last":
        pads = (0, 0) + pads
    return F.pad(images, pads)


def crop_images(
    images,
    top_cropping=None,
    left_cropping=None,
    bottom_cropping=None,
    right_cropping=None,
    target_height=None,
    target_width=None,
    data_format=None,
):
    """Crops images to a box (two of start, end, target per axis); returns a view.

    Args:
        images: Rank 3 or 4 images.
        top_cropping, bottom_cropping, target_height: Exactly two of them (rows).
        left_cropping, right_cropping, target_width: Exactly two of them (columns).
        data_format: `"channels_last"`, `"channels_first"` or None (the global default).

    Shapes: `(B, H, W, C)` -> `(B, target_height, target_width, C)`.
    """
    op = "crop_images"
    fmt = image_checks.data_format(data_format, op)
    images = image_checks.images_tensor(images, op)
    _two_of_three(op, [
        [("top_cropping", top_cropping), ("bottom_cropping", bottom_cropping),
         ("target_height", target_height)],
        [("left_cropping", left_cropping), ("right_cropping", right_cropping),
         ("target_width", target_width)],
    ])  # fmt: skip
    height, width = _spatial(images, fmt)
    if top_cropping is None:
        top_cropping = height - target_height - bottom_cropping
    if target_height is None:
        target_height = height - bottom_cropping - top_cropping
    if left_cropping is None:
        left_cropping = width - target_width - right_cropping
    if target_width is None:
        target_width = width - right_cropping - left_cropping
    for name, value in (
        ("top_cropping", top_cropping),
        ("target_height", target_height),
        ("left_cropping", left_cropping),
        ("target_width", target_width),
    ):
        _non_negative(op, name, value)  # inferred from croppings larger than the image
    if top_cropping + target_height > height or left_cropping + target_width > width:
        raise ValueError(
            f"`image.{op}`: the box of {target_height}x{target_width} pixels at "
            f"({top_cropping}, {left_cropping}) exceeds the {height}x{width} images."
        )
    rows = slice(top_cropping, top_cropping + target_height)
    columns = slice(left_cropping, left_cropping + target_width)
    box = (rows, columns, slice(None)) if fmt == "channels_last" else (rows, columns)
    return images[(..., *box)]
