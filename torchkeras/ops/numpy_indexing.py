"""`keras.ops` indexing, selection and sorting: take, take_along_axis, where, select, sort,
argsort, searchsorted, digitize, isin, bincount, nonzero, diff, get_item.

Negative indices count from the end of the axis, as in Keras; index outputs are int32.
"""

import torch

from torchkeras.ops import convert, dtypes


def _indices(indices, size, device):
    indices = convert.tensor(indices, device=device).long()
    return torch.where(indices < 0, indices + size, indices)


def take(x, indices, axis=None):
    """Elements of `x` at `indices` along `axis` (of the flattened `x` when None).

    Shapes: `x.shape[:axis] + indices.shape + x.shape[axis + 1:]`.
    """
    x = convert.tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = convert.canonical_axis(axis, x.dim(), "take")
    indices = _indices(indices, x.shape[axis], x.device)
    out = torch.index_select(x, axis, indices.reshape(-1))
    return out.reshape(x.shape[:axis] + indices.shape + x.shape[axis + 1 :])


def take_along_axis(x, indices, axis=None):
    """Elements of `x` at `indices` matched position by position along `axis` (flattened when
    None); `indices` broadcasts against `x` on the other axes."""
    x = convert.tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    indices = _indices(indices, x.shape[axis], x.device)
    return torch.take_along_dim(x, indices, dim=axis)


def where(condition, x1=None, x2=None):
    """`x1` where `condition` else `x2` (broadcasting); with only `condition`, the indices of
    its true elements as a `(ndim, n)` tensor.

    Args:
        condition: Read as bool.
        x1, x2: Values for true and false positions (both or neither).
    """
    if (x1 is None) != (x2 is None):
        raise ValueError("`where`: give both x1 and x2, or neither.")
    device = convert.device_of(condition, x1, x2)
    condition = convert.tensor(condition, "bool", device)
    if x1 is None:
        return torch.stack(torch.where(condition), dim=0)
    x1, x2 = convert.tensor(x1, device=device), convert.tensor(x2, device=device)
    return torch.where(condition, x1, x2)


def select(condlist, choicelist, default=0):
    """For each position, the value of the first `choicelist[i]` whose `condlist[i]` holds,
    else `default`."""
    if len(condlist) != len(choicelist):
        raise ValueError(
            f"`select`: condlist and choicelist need the same length, got {len(condlist)} "
            f"and {len(choicelist)}."
        )
    device = convert.device_of(*condlist, *choicelist)
    choices = [convert.tensor(c, device=device) for c in choicelist]
    out = convert.tensor(default, device=device)
    for cond, choice in reversed(list(zip(condlist, choices))):
        out = torch.where(convert.tensor(cond, "bool", device), choice, out)
    return out


def nonzero(x):
    """Indices of the non-zero elements as an int32 `(ndim, n)` tensor (row `i`: axis `i`),
    as Keras' torch backend returns them; `tuple(nonzero(x))` indexes like NumPy's."""
    return torch.nonzero(convert.tensor(x)).T.to(torch.int32)


def sort(x, axis=-1):
    """`x` sorted ascending along `axis` (of the flattened `x` when None)."""
    x = convert.tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.sort(x, dim=axis).values


def argsort(x, axis=-1):
    """Indices that sort `x` along `axis` (stable; of the flattened `x` when None), int32."""
    x = convert.tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    if axis is None:
        x, axis = x.reshape(-1), -1
    return torch.argsort(x, dim=axis, stable=True).to(torch.int32)


def searchsorted(sorted_sequence, values, side="left"):
    """Insertion positions of `values` in the 1-D `sorted_sequence`, as int32.

    Args:
        sorted_sequence: 1-D ascending tensor.
        values: Values to place.
        side: `"left"` (first suitable position) or `"right"` (last).
    """
    sorted_sequence = convert.tensor(sorted_sequence)
    if sorted_sequence.dim() != 1:
        raise ValueError(
            "`searchsorted`: sorted_sequence must be 1-D, got shape "
            f"{tuple(sorted_sequence.shape)}."
        )
    values = convert.tensor(values, device=sorted_sequence.device)
    return torch.searchsorted(sorted_sequence, values, side=side, out_int32=True)


def digitize(x, bins):
    """Index of the bin of each element of `x` (`bins[i-1] <= x < bins[i]`), as int32."""
    x, bins = convert.tensors(x, bins)
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    return torch.bucketize(x, bins, right=True).to(torch.int32)


def isin(x1, x2, assume_unique=False, invert=False):
    """Whether each element of `x1` occurs in `x2` (bool; negated with `invert`)."""
    x1, x2 = convert.tensors(x1, x2)
    if x1.dtype == torch.bool:
        x1 = x1.to(torch.int32 if x2.dtype == torch.bool else x2.dtype)
    if x2.dtype == torch.bool:
        x2 = x2.to(x1.dtype)
    return torch.isin(x1, x2, assume_unique=assume_unique, invert=invert)


def bincount(x, weights=None, minlength=0, sparse=False):
    """Occurrences of each non-negative integer in `x` (summed `weights` when given).

    Args:
        x: 1-D non-negative integers, or 2-D (one count per row).
        weights: Same shape as `x`; None counts 1 each.
        minlength: Minimum length of the last output axis.
        sparse: Must be False on torch.
    """
    if sparse:
        raise ValueError("`bincount`: sparse=True is not supported with torch.")
    x = convert.tensor(x)
    if weights is not None:
        weights = convert.tensor(weights, device=x.device)
        dtype = dtypes.to_torch(dtypes.result_type(x.dtype, weights.dtype))
    else:
        dtype = torch.int32
    length = _larger(minlength, int(x.max()) + 1 if x.numel() else 0)
    rows = x.reshape(-1, x.shape[-1]) if x.dim() == 2 else x.reshape(1, -1)
    w = torch.ones_like(rows) if weights is None else weights.reshape(rows.shape)
    out = torch.zeros(rows.shape[0], length, dtype=dtype, device=x.device)
    out = out.scatter_add(1, rows.long(), w.to(dtype))
    return out if x.dim() == 2 else out[0]


def _larger(a, b):
    return max(b, a)


def diff(a, n=1, axis=-1):
    """`n`-th discrete difference along `axis`."""
    return torch.diff(convert.tensor(a), n=n, dim=axis)


def get_item(x, key):
    """`x[key]` (NumPy-style indexing)."""
    return convert.tensor(x)[key]
