"""`keras.ops.image.map_coordinates` and the interpolation core of the image warps.

Each interpolated axis contributes its nodes: nearest, one node at the rounded coordinate (weight
1); linear, the floor and the next index with weights `1 - t` and `t`. Out-of-range node indices
are folded back by the fill mode (`constant` and `nearest` clip, `wrap` takes the modulo,
`mirror` and `reflect` fold), and under `constant` a node outside the input reads `fill_value`.
The result is the sum over all node combinations (in Keras' order) of the product of the
weights times the value read, so values and gradients match Keras' torch backend. An axis may
instead be given as `ExactIndex(indices)`: read as is, no interpolation, always inside.
"""

import collections
import functools
import itertools
import operator

import torch

from torchkeras.ops import convert, image_checks

# Integer indices of an axis read without interpolation (the batch and channel axes of warps).
ExactIndex = collections.namedtuple("ExactIndex", ["indices"])


def _mirror(index, size):
    half = size - 1  # half-wavelength of the triangular wave
    return torch.abs((index + half) % (2 * half) - half)


def _reflect(index, size):
    return torch.floor_divide(_mirror(2 * index + 1, 2 * size + 1) - 1, 2)


_FIXERS = {
    "constant": lambda index, size: torch.clip(index, 0, size - 1),
    "nearest": lambda index, size: torch.clip(index, 0, size - 1),
    "wrap": lambda index, size: index % size,
    "mirror": _mirror,
    "reflect": _reflect,
}


def _nodes(coordinate, order):
    """`[(index, weight)]` of one axis: nearest (order 0) or linear (order 1)."""
    if order == 0:
        if coordinate.dtype.is_floating_point:
            coordinate = torch.round(coordinate)
        return [(coordinate.to(torch.int32), 1)]
    lower = torch.floor(coordinate)
    upper_weight = coordinate - lower
    index = lower.to(torch.int32)
    return [(index, 1 - upper_weight), (index + 1, upper_weight)]


def _axis_terms(coordinate, size, order, fill_mode):
    """`[(fixed index, validity or None, weight)]` of one axis (an `ExactIndex`: one term)."""
    if isinstance(coordinate, ExactIndex):
        return [(coordinate.indices, None, 1)]
    terms = []
    for index, weight in _nodes(coordinate, order):
        valid = (0 <= index) & (index < size) if fill_mode == "constant" else None
        terms.append((_FIXERS[fill_mode](index, size), valid, weight))
    return terms


def interpolate(inputs, coordinates, order, fill_mode, fill_value):
    """`inputs` read at `coordinates` (one tensor or `ExactIndex` per axis, broadcastable).

    Shapes: `inputs` of rank N, N coordinate tensors -> their broadcast shape.
    """
    integer = not inputs.dtype.is_floating_point
    if integer and isinstance(fill_value, (int, float)):
        fill_value = int(fill_value)
    per_axis = [
        _axis_terms(c, size, order, fill_mode) for c, size in zip(coordinates, inputs.shape)
    ]
    outputs = []
    for terms in itertools.product(*per_axis):
        indices, validities, weights = zip(*terms)
        value = inputs[indices]
        validities = [v for v in validities if v is not None]
        if validities:
            value = torch.where(functools.reduce(operator.and_, validities), value, fill_value)
        outputs.append(functools.reduce(operator.mul, weights) * value)
    result = functools.reduce(operator.add, outputs)
    if integer and result.dtype.is_floating_point:
        result = torch.round(result)
    return result.to(inputs.dtype)


def check_order(order, op):
    """`order` as Keras' interpolation order: 0 (nearest) or 1 (linear)."""
    if order not in (0, 1):
        raise ValueError(
            f"`image.{op}`: `order` must be 0 (nearest) or 1 (linear), got order={order!r}."
        )
    return order


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Reads `inputs` at fractional `coordinates` (`scipy.ndimage.map_coordinates`, order <= 1).

    Args:
        inputs: Tensor of rank N.
        coordinates: N coordinate arrays (or one array with a leading axis of size N), one per
            axis of `inputs`, all of one shape.
        order: 0 (nearest) or 1 (linear).
        fill_mode: `"constant"`, `"nearest"`, `"wrap"`, `"mirror"` or `"reflect"`.
        fill_value: Value read outside the input under `"constant"`.

    Shapes: `inputs` `(d_1, ..., d_N)`, `coordinates` `(N, *S)` -> `S`; the input's dtype.
    """
    inputs = convert.tensor(inputs)
    if isinstance(coordinates, (list, tuple)):
        coordinates = [convert.tensor(c, device=inputs.device) for c in coordinates]
    else:
        coordinates = list(convert.tensor(coordinates, device=inputs.device))
    if len(coordinates) != inputs.dim():
        raise ValueError(
            "`image.map_coordinates`: `coordinates` must hold one array per axis of `inputs` "
            f"({inputs.dim()}), got {len(coordinates)} for inputs.shape={tuple(inputs.shape)}."
        )
    if coordinates[0].dim() < 1:
        raise ValueError(
            "`image.map_coordinates`: `coordinates` must have rank >= 2, got shape "
            f"{(len(coordinates),)}."
        )
    image_checks.choice(fill_mode, image_checks.FILL_MODES, "map_coordinates", "fill_mode")
    order = check_order(order, "map_coordinates")
    return interpolate(inputs, coordinates, order, fill_mode, fill_value)
