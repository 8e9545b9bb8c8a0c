"""Turning op arguments into torch tensors the way Keras' torch backend does.

Python `int`s become int32 (int64 when out of int32's range), Python `float`s floatx, NumPy arrays
keep their dtype (uint32 widened to int64, which torch lacks), lists are typed by `result_type`
of their items. Tensors keep their device; new tensors go to the device of the op's other tensor
arguments, else to `config.default_device()` (the `torchkeras.device` scope). A
`torchkeras.Variable` (anything with a tensor `.value`) gives its tensor, so gradients flow.
"""

import numpy as np
import torch

from torchkeras import config
from torchkeras.ops import dtypes

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


def unwrap(x):
    """The tensor behind a Variable-like (an object with a tensor `.value`); others unchanged."""
    if not isinstance(x, torch.Tensor):
        value = getattr(x, "value", None)
        if isinstance(value, torch.Tensor):
            return value
    return x


def device_of(*values):
    """The device of the first tensor among `values`, else the default device."""
    for value in values:
        value = unwrap(value)
        if isinstance(value, torch.Tensor):
            return value.device
        if isinstance(value, (list, tuple)):
            for item in value:
                item = unwrap(item)
                if isinstance(item, torch.Tensor):
                    return item.device
    return config.default_device()


def _scalar_dtype(x):
    if isinstance(x, bool):
        return torch.bool
    if isinstance(x, int):
        return torch.int64 if x < _INT32_MIN or x > _INT32_MAX else torch.int32
    if isinstance(x, float):
        return dtypes.to_torch(None)
    return torch.complex64


def _flat(items):
    for item in items:
        if isinstance(item, (list, tuple)):
            yield from _flat(item)
        else:
            yield item


def tensor(x, dtype=None, device=None):
    """`x` as a torch tensor with Keras' dtype rules (see the module docstring).

    Args:
        x: Tensor, Variable, NumPy array or scalar, Python scalar, or nested list/tuple.
        dtype: Target dtype (Keras name, torch or numpy dtype); None keeps or infers it.
        device: Where a new tensor goes; None: `device_of(x)`.
    """
    x = unwrap(x)
    torch_dtype = None if dtype is None else dtypes.to_torch(dtype)
    if isinstance(x, torch.Tensor):
        return x if torch_dtype is None or x.dtype == torch_dtype else x.to(torch_dtype)
    device = device if device is not None else device_of(x)
    if isinstance(x, (bool, int, float, complex)):
        return torch.as_tensor(x, dtype=torch_dtype or _scalar_dtype(x), device=device)
    if isinstance(x, (list, tuple)):
        if any(isinstance(unwrap(item), torch.Tensor) for item in x):
            return torch.stack([tensor(item, dtype, device) for item in x])
        if torch_dtype is None:
            items = list(_flat(x))
            torch_dtype = dtypes.to_torch(dtypes.result_type(*map(dtypes.dtype_of, items)))
        return torch.as_tensor(np.array(x), dtype=torch_dtype, device=device)
    array = np.asarray(x)
    if array.dtype == np.uint32:
        array = array.astype(np.int64)
    if array.dtype.kind in "OUS":
        raise ValueError(f"Cannot convert {x!r} to a tensor: dtype {array.dtype} is not numeric.")
    if array.dtype.name == "bfloat16":
        array, torch_dtype = array.astype(np.float32), torch_dtype or torch.bfloat16
    return torch.as_tensor(array, dtype=torch_dtype, device=device)


def tensors(*values, dtype=None):
    """Several values as tensors on one device (the first tensor's, else the default)."""
    device = device_of(*values)
    return [tensor(value, dtype, device) for value in values]


def cast(x, dtype):
    """`x` as a tensor of Keras dtype `dtype` (no copy when it already has it)."""
    return tensor(x, dtype)


def canonical_axis(axis, ndim, op, argument="axis"):
    """`axis` in `[0, ndim)`; a ValueError naming the op otherwise."""
    if not -ndim <= axis < max(ndim, 1):
        raise ValueError(
            f"`{op}`: `{argument}` must be in [-{ndim}, {ndim}) for a rank-{ndim} input, "
            f"got {argument}={axis}."
        )
    return axis % max(ndim, 1)


def axes(axis):
    """`axis` (None, int or sequence) as torch's `dim` argument (None or a tuple)."""
    if axis is None:
        return None
    if isinstance(axis, (list, tuple)):
        return tuple(int(a) for a in axis)
    return (int(axis),)
