"""Argument checks and Keras' padding arithmetic shared by convolution and pooling layers."""

import math

from torchkeras import config

DATA_FORMATS = ("channels_last", "channels_first")


def positive_int(value, argument, layer):
    """`value` if it is a positive int (not a bool), else a `ValueError` naming the layer."""
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': `{argument}` must be a positive int, "
            f"got {argument}={value!r}."
        )
    return value


def normalize_tuple(value, rank, argument, layer, allow_zero=False):
    """`value` (an int or `rank` ints) as `rank` positive ints, else a `ValueError`."""
    values = (value,) * rank if isinstance(value, int) else value
    try:
        values = tuple(values)
    except TypeError:
        values = None
    lowest = 0 if allow_zero else 1
    if (
        values is None
        or len(values) != rank
        or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= lowest
            for v in values
        )
    ):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': `{argument}` must be a {kind} int or a "
            f"tuple of {rank} {kind} ints, got {argument}={value!r}."
        )
    return values


def normalize_data_format(data_format, layer):
    """`None` -> `config.image_data_format()`; anything but the two formats is a `ValueError`."""
    data_format = data_format or config.image_data_format()
    if data_format not in DATA_FORMATS:
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': `data_format` must be one of "
            f"{DATA_FORMATS}, got data_format={data_format!r}."
        )
    return data_format


def normalize_padding(padding, allowed, layer):
    """Lower-cased `padding` if it is one of `allowed`, else a `ValueError`."""
    value = padding.lower() if isinstance(padding, str) else padding
    if value not in allowed:
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': `padding` must be one of {allowed}, "
            f"got padding={padding!r}."
        )
    return value


def same_padding(size, kernel, stride, dilation=1):
    """Keras/TF `'same'` padding of one axis as `(before, after)`, the extra cell at the end."""
    effective = (kernel - 1) * dilation + 1
    total = max(0, (math.ceil(size / stride) - 1) * stride + effective - size)
    return total // 2, total - total // 2


def output_length(size, kernel, stride, padding, dilation=1):
    """Length of one spatial axis after a convolution or pooling window (`None` stays `None`)."""
    if size is None:
        return None
    if padding == "same":
        return math.ceil(size / stride)
    if padding == "causal":
        return (size - 1) // stride + 1
    effective = (kernel - 1) * dilation + 1
    return max(0, (size - effective) // stride + 1)


def channels_last_pad(pads):
    """Per-axis `(before, after)` pairs -> `F.pad`'s argument for a `(batch, *spatial, C)` tensor.

    `F.pad` lists the last axis first, so the channels axis gets `(0, 0)` in front.
    """
    flat = [0, 0]
    for before, after in reversed(pads):
        flat.extend((before, after))
    return flat


def channels_first_pad(pads):
    """Per-axis `(before, after)` pairs -> `F.pad`'s argument for `(batch, C, *spatial)`."""
    flat = []
    for before, after in reversed(pads):
        flat.extend((before, after))
    return flat


def to_channels_first(inputs, data_format):
    """`(batch, *spatial, C)` -> a `(batch, C, *spatial)` view (torch's channels_last memory)."""
    return inputs.movedim(-1, 1) if data_format == "channels_last" else inputs


def from_channels_first(outputs, data_format):
    """Undoes `to_channels_first` on a result: again a view, no copy."""
    return outputs.movedim(1, -1) if data_format == "channels_last" else outputs


def spatial_shape(input_shape, data_format):
    """The spatial axes of a `(batch, ...)` shape."""
    return tuple(
        input_shape[1:-1] if data_format == "channels_last" else input_shape[2:]
    )


def channel_dim(input_shape, data_format):
    """The channel count of a `(batch, ...)` shape."""
    return input_shape[-1] if data_format == "channels_last" else input_shape[1]


def check_rank(input_shape, rank, layer):
    """A `ValueError` naming the layer and both shapes unless the input has `rank + 2` axes."""
    if len(input_shape) != rank + 2:
        raise ValueError(
            f"Input 0 of layer '{layer.name}' ({type(layer).__name__}) is incompatible with the "
            f"layer: expected ndim={rank + 2}, found ndim={len(input_shape)}. "
            f"Full shape received: {tuple(input_shape)}."
        )


def transpose_output_length(size, kernel, stride, padding, output_padding=None, dilation=1):
    """Length of one spatial axis after a transposed convolution (`None` stays `None`).

    `'valid'`: `(size - 1) * stride + max(effective kernel, stride)`; `'same'`: `size * stride`;
    a given `output_padding` replaces Keras' default extra cells at the end.
    """
    if size is None:
        return None
    effective = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(effective, stride) - effective if output_padding is None else output_padding
        return (size - 1) * stride + effective + extra
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + effective % 2 + output_padding


def transpose_torch_padding(kernel, stride, padding, output_padding=None, dilation=1):
    """One axis of a Keras transposed convolution as torch's `(padding, output_padding, trim)`.

    Torch's full result has `(size - 1) * stride + effective kernel` cells; its `padding` drops
    that many at both ends and its `output_padding` appends cells at the end (zeros plus bias
    past the full result). Keras drops `start` cells at the start and `end` at the end (a
    negative `end` appends zeros), so torch gets `padding=start`, `output_padding=start - end`
    when that is positive, and the `trim = end - start` cells left over are sliced off after.
    Both Keras and torch require `output_padding < stride`, which this torch value satisfies.
    """
    effective = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(effective, stride) - effective if output_padding is None else output_padding
        before, after = effective - 1, effective - 1 + extra
    else:
        if output_padding is None:
            total = stride + effective - 2  # output `size * stride`
        else:
            total = effective + effective % 2 - 2 + output_padding
        before = min(total - total // 2, effective - 1)
        after = total - before
    start, end = effective - 1 - before, effective - 1 - after
    return start, max(0, start - end), max(0, end - start)
