"""`keras.ops` shape manipulation: reshape, transpose, expand/squeeze, concatenate, stack, split,
tile, repeat, flip, roll, pad, broadcast_to, moveaxis ...

Views are returned where torch gives them (`reshape` of a contiguous tensor, `transpose`,
`expand_dims`); Keras' torch backend returns the same torch results.
"""

import itertools

import numpy as np
import torch

from torchkeras.ops import convert


def reshape(x, newshape):
    """`x` with shape `newshape` (one entry may be -1).

    Args:
        x: Input.
        newshape: An int or a tuple of ints.
    """
    newshape = (newshape,) if isinstance(newshape, int) else tuple(newshape)
    x = convert.tensor(x)
    try:
        return torch.reshape(x, newshape)
    except RuntimeError as error:
        raise ValueError(
            f"`reshape`: cannot reshape an input of shape {tuple(x.shape)} to "
            f"newshape={newshape}: {error}"
        ) from error


def ravel(x):
    """`x` flattened to 1-D."""
    return torch.ravel(convert.tensor(x))


def transpose(x, axes=None):
    """`x` with its axes permuted by `axes` (reversed when None)."""
    x = convert.tensor(x)
    if axes is None:
        return x.permute(*reversed(range(x.dim())))
    return x.permute(*axes)


def expand_dims(x, axis):
    """`x` with size-1 axes inserted at `axis` (an int or a tuple, positions in the output)."""
    x = convert.tensor(x)
    positions = convert.axes(axis)
    ndim = x.dim() + len(positions)
    for position in sorted(convert.canonical_axis(a, ndim, "expand_dims") for a in positions):
        x = x.unsqueeze(position)
    return x


def squeeze(x, axis=None):
    """`x` without its size-1 axes (only those in `axis` when given).

    Args:
        x: Input.
        axis: None, an int or a tuple of ints; each must have size 1.
    """
    x = convert.tensor(x)
    if axis is None:
        return torch.squeeze(x)
    for a in convert.axes(axis):
        if x.shape[a] != 1:
            raise ValueError(
                f"`squeeze`: axis {a} of an input of shape {tuple(x.shape)} has size "
                f"{x.shape[a]}, expected 1."
            )
    return torch.squeeze(x, dim=convert.axes(axis))


def concatenate(xs, axis=0):
    """The tensors `xs` joined along the existing `axis`."""
    device = convert.device_of(*xs)
    return torch.cat([convert.tensor(x, device=device) for x in xs], dim=axis)


def stack(x, axis=0):
    """The tensors `x` stacked along a new `axis`."""
    device = convert.device_of(*x)
    return torch.stack([convert.tensor(item, device=device) for item in x], dim=axis)


def hstack(xs):
    """Tensors joined column-wise (axis 1, or 0 for 1-D inputs)."""
    return torch.hstack([convert.tensor(x) for x in xs])


def vstack(xs):
    """Tensors joined row-wise (axis 0; 1-D inputs become rows)."""
    return torch.vstack([convert.tensor(x) for x in xs])


def dstack(xs):
    """Tensors joined along the third axis."""
    return torch.dstack([convert.tensor(x) for x in xs])


def append(x1, x2, axis=None):
    """`x2` appended to `x1` along `axis` (both flattened when None)."""
    x1, x2 = convert.tensors(x1, x2)
    if axis is None:
        return torch.cat([x1.reshape(-1), x2.reshape(-1)])
    return torch.cat([x1, x2], dim=axis)


def split(x, indices_or_sections, axis=0):
    """`x` cut along `axis` into equal sections (an int) or at the given indices (a list).

    Args:
        x: Input.
        indices_or_sections: Number of equal sections, or the split positions.
        axis: Axis to split.
    """
    x = convert.tensor(x)
    size = x.shape[axis]
    if isinstance(indices_or_sections, int):
        if size % indices_or_sections:
            raise ValueError(
                f"`split`: axis {axis} of size {size} does not divide into "
                f"indices_or_sections={indices_or_sections} equal parts."
            )
        return list(torch.split(x, size // indices_or_sections, dim=axis))
    bounds = [0, *[int(i) for i in indices_or_sections], size]
    return list(torch.split(x, [b - a for a, b in itertools.pairwise(bounds)], dim=axis))


def array_split(x, indices_or_sections, axis=0):
    """`x` cut along `axis` into nearly equal sections (or at the given indices)."""
    x = convert.tensor(x)
    return list(torch.tensor_split(x, indices_or_sections, dim=axis))


def hsplit(x, indices_or_sections):
    """`split` along axis 1 (axis 0 for 1-D inputs)."""
    x = convert.tensor(x)
    return split(x, indices_or_sections, axis=1 if x.dim() > 1 else 0)


def vsplit(x, indices_or_sections):
    """`split` along axis 0."""
    return split(x, indices_or_sections, axis=0)


def dsplit(x, indices_or_sections):
    """`split` along axis 2."""
    return split(x, indices_or_sections, axis=2)


def tile(x, repeats):
    """`x` repeated `repeats` times along each axis (as `numpy.tile`)."""
    if isinstance(repeats, torch.Tensor):
        repeats = repeats.tolist()
    repeats = (repeats,) if isinstance(repeats, int) else tuple(repeats)
    return torch.tile(convert.tensor(x), repeats)


def repeat(x, repeats, axis=None):
    """Each element of `x` repeated `repeats` times along `axis` (flattened when None)."""
    x = convert.tensor(x)
    if not isinstance(repeats, int):
        repeats = convert.tensor(repeats, device=x.device)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.repeat_interleave(x, repeats, dim=axis)


def flip(x, axis=None):
    """`x` reversed along `axis` (all axes when None)."""
    x = convert.tensor(x)
    return torch.flip(x, dims=convert.axes(axis) or tuple(range(x.dim())))


def fliplr(x):
    """`x` reversed along axis 1."""
    return flip(x, 1)


def flipud(x):
    """`x` reversed along axis 0."""
    return flip(x, 0)


def roll(x, shift, axis=None):
    """`x` rolled by `shift` along `axis` (flattened and restored when None)."""
    x = convert.tensor(x)
    return torch.roll(x, shifts=shift, dims=axis)


def rot90(array, k=1, axes=(0, 1)):
    """`array` rotated by 90 degrees `k` times in the plane of `axes`."""
    return torch.rot90(convert.tensor(array), k, list(axes))


def moveaxis(x, source, destination):
    """`x` with axes `source` moved to positions `destination`."""
    return torch.movedim(convert.tensor(x), source, destination)


def swapaxes(x, axis1, axis2):
    """`x` with `axis1` and `axis2` exchanged."""
    return torch.swapaxes(convert.tensor(x), axis1, axis2)


def broadcast_to(x, shape):
    """`x` broadcast to `shape` (a view)."""
    return torch.broadcast_to(convert.tensor(x), tuple(shape))


def pad(x, pad_width, mode="constant", constant_values=None):
    """`x` padded by `pad_width` (`[(before, after)]` per axis, or one pair for all).

    Args:
        x: Input.
        pad_width: An int, a pair, or a pair per axis.
        mode: `"constant"`, `"reflect"`, `"symmetric"`, `"edge"` or `"wrap"`.
        constant_values: Fill for `"constant"` (default 0); only that mode takes it.
    """
    x = convert.tensor(x)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (x.dim(), 2))
    if constant_values is not None and mode != "constant":
        raise ValueError(f"`pad`: constant_values is only for mode='constant', got mode={mode!r}.")
    if mode == "constant":
        flat = [int(n) for pair in reversed(widths.tolist()) for n in pair]
        return torch.nn.functional.pad(x, flat, value=constant_values or 0)
    numpy_mode = {"edge": "edge", "reflect": "reflect", "symmetric": "symmetric", "wrap": "wrap"}
    if mode not in numpy_mode:
        raise ValueError(f"`pad`: unknown mode={mode!r}.")
    index = [
        torch.as_tensor(np.pad(np.arange(n), tuple(w), mode=mode), device=x.device)
        for n, w in zip(x.shape, widths.tolist())
    ]
    for dim, positions in enumerate(index):
        x = torch.index_select(x, dim, positions)
    return x


def tril(x, k=0):
    """`x` with the elements above diagonal `k` zeroed (last two axes)."""
    return torch.tril(convert.tensor(x), diagonal=k)


def triu(x, k=0):
    """`x` with the elements below diagonal `k` zeroed (last two axes)."""
    return torch.triu(convert.tensor(x), diagonal=k)


def diag(x, k=0):
    """The `k`-th diagonal of a 2-D `x`, or a 2-D matrix with the 1-D `x` on diagonal `k`."""
    return torch.diag(convert.tensor(x), diagonal=k)


def diagflat(x, k=0):
    """A 2-D matrix with the flattened `x` on diagonal `k`."""
    return torch.diagflat(convert.tensor(x), offset=k)


def diagonal(x, offset=0, axis1=0, axis2=1):
    """The diagonal of `x` in the plane `(axis1, axis2)`, appended as the last axis."""
    return torch.diagonal(convert.tensor(x), offset=offset, dim1=axis1, dim2=axis2)


def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D vectors (`"xy"`: Cartesian, `"ij"`: matrix indexing)."""
    return list(torch.meshgrid(*convert.tensors(*x), indexing=indexing))


def ndim(x):
    """Number of axes of `x`."""
    return convert.tensor(x).dim()


def size(x):
    """Number of elements of `x`, as an int64 scalar tensor (as Keras on torch)."""
    x = convert.tensor(x)
    return torch.tensor(x.numel(), dtype=torch.int64, device=x.device)
