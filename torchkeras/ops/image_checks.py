"""Argument checks and batching shared by the `keras.ops.image` functions.

Every check raises a `ValueError` that names the function (`image.resize`), the argument, what
was expected and what was given, before any computation.
"""

from torchkeras.ops import conv_utils, convert

AFFINE_INTERPOLATIONS = {"nearest": 0, "bilinear": 1}
FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def images_tensor(images, op, name="images", ranks=(3, 4)):
    """`images` as a tensor whose rank is one of `ranks` (unbatched, batched)."""
    images = convert.tensor(images)
    if images.dim() not in ranks:
        expected = " or ".join(str(rank) for rank in ranks)
        raise ValueError(
            f"`image.{op}`: `{name}` must have rank {expected} (an unbatched image or a batch "
            f"of images), got {name}.shape={tuple(images.shape)}."
        )
    return images


def data_format(value, op):
    """`value` or the global `image_data_format()`, checked."""
    try:
        return conv_utils.data_format(value)
    except ValueError as error:
        raise ValueError(f"`image.{op}`: {error}") from None


def channel_axis(data_format_value):
    """The channel axis counted from the end: -1 (channels_last) or -3 (channels_first)."""
    return -1 if data_format_value == "channels_last" else -3


def batched(images, batched_rank=4):
    """`(images with a leading batch axis, whether one was added)`."""
    if images.dim() == batched_rank - 1:
        return images.unsqueeze(0), True
    return images, False


def choice(value, allowed, op, name):
    """`value`, checked to be one of `allowed`."""
    if value not in allowed:
        raise ValueError(
            f"`image.{op}`: `{name}` must be one of {sorted(allowed)}, got {name}={value!r}."
        )
    return value


def float_images(images, op, name="images"):
    """`images`, checked to have a floating dtype."""
    if not images.dtype.is_floating_point:
        raise ValueError(
            f"`image.{op}`: `{name}` must have a float dtype, got "
            f"{str(images.dtype).replace('torch.', '')}."
        )
    return images
