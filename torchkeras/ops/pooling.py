"""`keras.ops` pooling: max_pool and average_pool (1D/2D/3D) with Keras' `'same'` padding.

Average pooling counts only real cells in a padded window, as Keras does.
"""

import torch.nn.functional as F

from torchkeras.ops import conv_utils, convert


def _pool(inputs, pool_size, strides, padding, data_format, mode):
    op = f"{mode}_pool"
    x = convert.tensor(inputs)
    rank = x.dim() - 2
    if rank not in (1, 2, 3):
        raise ValueError(f"`{op}`: inputs must have rank 3-5, got shape {tuple(x.shape)}.")
    fmt = conv_utils.data_format(data_format)
    pool_size = conv_utils.tuple_of(pool_size, rank, "pool_size", op)
    strides = pool_size if strides is None else conv_utils.tuple_of(strides, rank, "strides", op)
    x = conv_utils.to_channels_first(x, fmt)
    pads = [(0, 0)] * rank
    if conv_utils.padding(padding, op) == "same":
        pads = conv_utils.same_pads(x.shape[2:], pool_size, strides, (1,) * rank)
    symmetric = all(a == b for a, b in pads)
    if mode == "max":
        pool = getattr(F, f"max_pool{rank}d")
        if symmetric:
            out = pool(x, pool_size, strides, tuple(a for a, _ in pads))
        else:
            out = pool(
                F.pad(x, conv_utils.flat_pads(pads), value=float("-inf")), pool_size, strides
            )
    else:
        pool = getattr(F, f"avg_pool{rank}d")
        if symmetric:
            out = pool(x, pool_size, strides, tuple(a for a, _ in pads), count_include_pad=False)
        else:
            ones = x.new_ones((1, 1, *x.shape[2:]))
            flat = conv_utils.flat_pads(pads)
            out = pool(F.pad(x, flat), pool_size, strides) / pool(
                F.pad(ones, flat), pool_size, strides
            )
    return conv_utils.from_channels_first(out, fmt)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Maximum over sliding windows.

    Args:
        inputs: `(batch, *spatial, C)` (channels_last) or `(batch, C, *spatial)`.
        pool_size: An int or one per spatial axis.
        strides: An int, one per axis, or None (= `pool_size`).
        padding: `"valid"` or `"same"`.
        data_format: None (the global default), `"channels_last"` or `"channels_first"`.
    """
    return _pool(inputs, pool_size, strides, padding, data_format, "max")


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Mean over sliding windows (padded cells not counted).

    Args:
        inputs: `(batch, *spatial, C)` (channels_last) or `(batch, C, *spatial)`.
        pool_size: An int or one per spatial axis.
        strides: An int, one per axis, or None (= `pool_size`).
        padding: `"valid"` or `"same"`.
        data_format: None (the global default), `"channels_last"` or `"channels_first"`.
    """
    return _pool(inputs, pool_size, strides, padding, data_format, "average")
