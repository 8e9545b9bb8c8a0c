"""`keras.ops.rearrange`: einops-style axis rearrangement (`"b (h w) c -> b h w c"`).

The pattern names every axis on both sides; parentheses group axes that share one tensor axis.
Each input group may leave one axis length out (it is inferred); others come as keywords.
"""

import math
import re

from torchkeras.ops import convert

_TOKEN = re.compile(r"\([^)]*\)|\w+")


def _groups(side):
    return [token.strip("()").split() for token in _TOKEN.findall(side)]


def _lengths(groups, shape, given, pattern):
    lengths = dict(given)
    if len(groups) != len(shape):
        raise ValueError(
            f"`rearrange`: pattern {pattern!r} names {len(groups)} input axes, the tensor has "
            f"{len(shape)} (shape {tuple(shape)})."
        )
    for group, size in zip(groups, shape):
        unknown = [axis for axis in group if axis not in lengths]
        if len(unknown) > 1:
            raise ValueError(f"`rearrange`: give the lengths of all but one of {group}.")
        known = math.prod(lengths[axis] for axis in group if axis in lengths)
        if unknown:
            lengths[unknown[0]] = size // known
        if math.prod(lengths[axis] for axis in group) != size:
            raise ValueError(f"`rearrange`: axes {group} do not multiply to {size}.")
    return lengths


def rearrange(tensor, pattern, **axes_lengths):
    """`tensor` reshaped and transposed as the einops `pattern` says.

    Args:
        tensor: Input.
        pattern: `"<input axes> -> <output axes>"`, e.g. `"b h w c -> b c (h w)"`.
        **axes_lengths: Lengths of axes that input groups cannot infer.
    """
    x = convert.tensor(tensor)
    source, _, target = pattern.partition("->")
    inputs, outputs = _groups(source), _groups(target)
    lengths = _lengths(inputs, x.shape, axes_lengths, pattern)
    flat_in = [axis for group in inputs for axis in group]
    flat_out = [axis for group in outputs for axis in group]
    if sorted(flat_in) != sorted(flat_out):
        raise ValueError(f"`rearrange`: both sides of {pattern!r} must name the same axes.")
    x = x.reshape([lengths[axis] for axis in flat_in])
    x = x.permute([flat_in.index(axis) for axis in flat_out])
    return x.reshape([math.prod(lengths[axis] for axis in group) for group in outputs])
