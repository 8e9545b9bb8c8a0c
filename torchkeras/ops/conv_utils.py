"""Helpers of the convolution and pooling ops: Keras' argument forms and 'same' padding."""

import math

from torchkeras import config


def data_format(value):
    """`value`, or the global `image_data_format()` when None, checked."""
    value = value or config.image_data_format()
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            f"`data_format` must be 'channels_last' or 'channels_first', got {value!r}."
        )
    return value


def tuple_of(value, rank, name, op):
    """An int or a sequence as a tuple of `rank` ints; a ValueError naming `op` otherwise."""
    values = (value,) * rank if isinstance(value, int) else tuple(int(v) for v in value)
    if len(values) != rank:
        raise ValueError(f"`{op}`: `{name}` must have {rank} values, got {name}={value!r}.")
    return values


def same_pads(spatial, kernel, strides, dilation):
    """Keras' `'same'` padding per axis, `(before, after)`, the odd cell at the end."""
    pads = []
    for size, k, s, d in zip(spatial, kernel, strides, dilation):
        effective = (k - 1) * d + 1
        total = max(0, (math.ceil(size / s) - 1) * s + effective - size)
        pads.append((total // 2, total - total // 2))
    return pads


def flat_pads(pads):
    """Per-axis pairs as `F.pad`'s argument for a `(batch, C, *spatial)` tensor."""
    return [n for pair in reversed(pads) for n in pair]


def to_channels_first(x, fmt):
    """`(batch, *spatial, C)` -> `(batch, C, *spatial)` view when `fmt` is channels_last."""
    return x.movedim(-1, 1) if fmt == "channels_last" else x


def from_channels_first(x, fmt):
    """Undoes `to_channels_first` (a view)."""
    return x.movedim(1, -1) if fmt == "channels_last" else x


def padding(value, op):
    """`value` lower-cased and checked to be `'valid'` or `'same'`."""
    value = str(value).lower()
    if value not in ("valid", "same"):
        raise ValueError(f"`{op}`: `padding` must be 'valid' or 'same', got padding={value!r}.")
    return value


def transpose_axis(kernel, stride, pad, output_padding, dilation):
    """One axis of a Keras transposed convolution as torch's `(padding, output_padding, trim)`:
    Keras drops `start` cells of torch's full result at the start and `end` at the end."""
    effective = (kernel - 1) * dilation + 1
    if pad == "valid":
        extra = max(effective, stride) - effective if output_padding is None else output_padding
        before, after = effective - 1, effective - 1 + extra
    else:
        if output_padding is None:
            total = stride + effective - 2
        else:
            total = effective + effective % 2 - 2 + output_padding
        before = min(total - total // 2, effective - 1)
        after = total - before
    start, end = effective - 1 - before, effective - 1 - after
    return start, max(0, start - end), max(0, end - start)
