"""Keras' dtype rules: `result_type` on Keras' promotion lattice, and dtype names <-> torch dtypes.

Keras promotes like JAX: Python `int`/`float` are *weak* types that adopt the other operand's
kind and width (`int8 + 1 -> int8`, `int32 + 1.0 -> floatx`), and `uint64`/`int64` meet floats at
a weak float. torch's own promotion differs (`int64 + float16` is float16 in both, but
`uint8 + int8` and Python scalars follow other rules), so ops that Keras types with
`result_type` call this module.
"""

import functools

import numpy as np
import torch

from torchkeras import config

_INT_TYPES = ("uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64")
_FLOAT_TYPES = ("bfloat16", "float16", "float32", "float64")
# Each dtype and the dtypes immediately above it ("int"/"float" are the weak Python types).
_BIT64_TO_BIT32 = {
    "int64": "int32",
    "uint64": "uint32",
    "float64": "float32",
    "complex128": "complex64",
}
_LATTICE = {
    "bool": ["int"],
    "uint8": ["int16", "uint16"],
    "uint16": ["int32", "uint32"],
    "uint32": ["int64", "uint64"],
    "uint64": ["float"],
    "int": ["uint8", "int8", "complex64"],
    "int8": ["int16"],
    "int16": ["int32"],
    "int32": ["int64"],
    "int64": ["float"],
    "float": ["bfloat16", "float16"],
    "bfloat16": ["float32"],
    "float16": ["float32"],
    "float32": ["float64", "complex64"],
    "float64": ["complex128"],
    "complex64": ["complex128"],
    "complex128": [],
}


def _upper_bounds():
    bounds = {}
    for node in _LATTICE:
        found, frontier = {node}, [node]
        while frontier:
            above = _LATTICE[frontier.pop()]
            frontier += [n for n in above if n not in found]
            found.update(above)
        bounds[node] = found
    return bounds


_UPPER_BOUNDS = _upper_bounds()


def name(dtype):
    """Keras' name of a dtype given as a name, torch dtype, numpy dtype or Python type."""
    if dtype is None:
        return config.floatx()
    if dtype is bool or dtype == "bool":
        return "bool"
    if dtype is int or dtype == "int":
        return "int32"
    if dtype is float or dtype == "float":
        return "float32"
    if isinstance(dtype, torch.dtype):
        return config.dtype_name(dtype)
    if isinstance(dtype, str) and dtype in _LATTICE:
        return dtype
    try:
        return np.dtype(dtype).name
    except TypeError as error:
        raise ValueError(f"Unknown dtype: {dtype!r}.") from error


def to_torch(dtype):
    """The torch dtype of a Keras dtype (None: floatx)."""
    return config.standardize_dtype(name(dtype))


@functools.cache
def _least_upper_bound(*nodes):
    common = set.intersection(*(_UPPER_BOUNDS[n] for n in nodes))
    for candidate in common:  # the one bound below all the others
        if all(other in _UPPER_BOUNDS[candidate] for other in common):
            return candidate
    raise ValueError(f"No common dtype for {nodes}.")


def _weak(dtype_name, weak):
    if not weak or dtype_name == "bool":
        return dtype_name
    for kind in ("float", "int", "complex"):
        if kind in dtype_name:
            return kind
    return dtype_name


def _resolve(dtype_name):
    precision = config.floatx()[-2:]
    return {"float": f"float{precision}", "int": f"int{precision}"}.get(dtype_name, dtype_name)


def result_type(*dtypes):
    """Keras' `result_type`: the dtype an op on these dtypes returns, as a name.

    As in Keras 3.15, a 64-bit result is narrowed to 32 bits (`int64 + int64 -> int32`).

    Args:
        *dtypes: Dtype names, torch/numpy dtypes, or the Python types `int`/`float`/`bool`
            (weak types). `None` stands for floatx; no argument at all gives floatx.
    """
    if not dtypes:
        return config.floatx()
    weak = [d is int or d is float for d in dtypes]
    names = [name(d) for d in dtypes]
    if len(names) == 1:
        out, out_weak = names[0], weak[0]
    elif len(set(names)) == 1 and not all(weak):
        out, out_weak = names[0], False
    elif all(weak):
        out, out_weak = _least_upper_bound(*sorted(set(names))), True
    else:
        nodes = sorted({_weak(n, w) for n, w in zip(names, weak)})
        out = _least_upper_bound(*nodes)
        out_weak = out in ("int", "float")
    if out_weak and out != "bool":
        out = _resolve(_weak(out, True))
    return _BIT64_TO_BIT32.get(out, out)  # Keras 3.15 narrows 64-bit results, as JAX's default


def dtype_of(x):
    """The Keras dtype of a value, as `result_type` takes it (Python scalars are weak)."""
    if isinstance(x, bool):
        return bool
    if isinstance(x, int):
        return int
    if isinstance(x, float):
        return float
    value = getattr(x, "value", x)
    return getattr(value, "dtype", type(x))


def is_float(dtype):
    """Whether a Keras dtype name is a float type."""
    return name(dtype) in _FLOAT_TYPES


def is_int_or_bool(dtype):
    """Whether a Keras dtype name is an integer or bool type."""
    return name(dtype) in _INT_TYPES or name(dtype) == "bool"
