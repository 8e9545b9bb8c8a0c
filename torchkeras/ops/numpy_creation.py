"""`keras.ops` tensor creation: arange, zeros, ones, full, eye, linspace, tri, *_like.

New tensors go to `config.default_device()` (the `torchkeras.device` scope, else CUDA when
available); `*_like` ops follow their input's device. The default dtype is floatx, as in Keras.
"""

import torch

from torchkeras import config
from torchkeras.ops import convert, dtypes


def _shape(shape):
    return (shape,) if isinstance(shape, int) else tuple(int(n) for n in shape)


def zeros(shape, dtype=None):
    """A tensor of zeros of `shape` (dtype floatx by default)."""
    return torch.zeros(_shape(shape), dtype=dtypes.to_torch(dtype), device=config.default_device())


def ones(shape, dtype=None):
    """A tensor of ones of `shape` (dtype floatx by default)."""
    return torch.ones(_shape(shape), dtype=dtypes.to_torch(dtype), device=config.default_device())


def empty(shape, dtype=None):
    """An uninitialized tensor of `shape` (dtype floatx by default)."""
    return torch.empty(_shape(shape), dtype=dtypes.to_torch(dtype), device=config.default_device())


def full(shape, fill_value, dtype=None):
    """A tensor of `shape` filled with `fill_value` (broadcast when it is an array).

    Args:
        shape: Output shape.
        fill_value: Scalar or array broadcastable to `shape`.
        dtype: Output dtype; None: floatx.
    """
    fill = convert.tensor(fill_value, dtypes.to_torch(dtype), config.default_device())
    return fill.expand(_shape(shape)).clone()


def _like(x, dtype):
    x = convert.tensor(x)
    return x, (x.dtype if dtype is None else dtypes.to_torch(dtype))


def zeros_like(x, dtype=None):
    """Zeros with `x`'s shape, on `x`'s device, in `dtype` (default `x`'s)."""
    x, dtype = _like(x, dtype)
    return torch.zeros_like(x, dtype=dtype)


def ones_like(x, dtype=None):
    """Ones with `x`'s shape, on `x`'s device, in `dtype` (default `x`'s)."""
    x, dtype = _like(x, dtype)
    return torch.ones_like(x, dtype=dtype)


def empty_like(x, dtype=None):
    """An uninitialized tensor with `x`'s shape, in `dtype` (default `x`'s)."""
    x, dtype = _like(x, dtype)
    return torch.empty_like(x, dtype=dtype)


def full_like(x, fill_value, dtype=None):
    """`fill_value` broadcast to `x`'s shape, in `dtype` (default `x`'s)."""
    x, dtype = _like(x, dtype)
    return convert.tensor(fill_value, dtype, x.device).expand(x.shape).clone()


def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in `[start, stop)`; the dtype is Keras' `result_type` of the
    arguments (Python ints give int32, floats floatx).

    Args:
        start: First value (or `stop` when `stop` is None).
        stop: End (exclusive).
        step: Spacing; default 1.
        dtype: Output dtype.
    """
    if dtype is None:
        found = [dtypes.dtype_of(v) for v in (start, stop, step) if v is not None]
        dtype = dtypes.result_type(*found)
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    values = [float(v) if isinstance(v, float) else convert.unwrap(v) for v in (start, stop, step)]
    return torch.arange(*values, dtype=dtypes.to_torch(dtype), device=config.default_device())


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """`num` evenly spaced values from `start` to `stop` (included when `endpoint`).

    Args:
        start, stop: Interval ends (scalars).
        num: Number of values.
        endpoint: Whether `stop` is the last value.
        retstep: Whether to also return the spacing.
        dtype: Output dtype; None: `result_type(start, stop, float)`.
        axis: Must be 0 (as on Keras' torch backend).
    """
    if axis != 0:
        raise ValueError(f"`linspace`: only axis=0 is supported on torch, got axis={axis}.")
    if dtype is None:
        dtype = dtypes.result_type(dtypes.dtype_of(start), dtypes.dtype_of(stop), float)
    torch_dtype = dtypes.to_torch(dtype)
    start, stop = float(convert.unwrap(start)), float(convert.unwrap(stop))
    device = config.default_device()
    count = num if endpoint else num + 1
    values = torch.linspace(start, stop, count, dtype=torch.float64, device=device)
    values = values if endpoint else values[:-1]
    step = (stop - start) / max((num - 1) if endpoint else num, 1)
    values = values.to(torch_dtype)
    return (values, step) if retstep else values


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """`base ** linspace(start, stop, num, endpoint)`.

    Args:
        start, stop: Exponent interval ends.
        num: Number of values.
        endpoint: Whether `base ** stop` is the last value.
        base: Base of the powers.
        dtype: Output dtype; None: `result_type(start, stop, float)`.
        axis: Must be 0 (as on Keras' torch backend).
    """
    if dtype is None:
        dtype = dtypes.result_type(dtypes.dtype_of(start), dtypes.dtype_of(stop), float)
    exponents = linspace(start, stop, num, endpoint, dtype="float64", axis=axis)
    return torch.pow(torch.as_tensor(float(base), dtype=torch.float64), exponents).to(
        dtypes.to_torch(dtype)
    )


def eye(N, M=None, k=0, dtype=None):
    """An `N x M` matrix with ones on diagonal `k` (dtype floatx by default)."""
    M = N if M is None else M
    rows = torch.arange(N, device=config.default_device())[:, None]
    cols = torch.arange(M, device=config.default_device())[None, :]
    return (cols - rows == (k or 0)).to(dtypes.to_torch(dtype))


def identity(n, dtype=None):
    """The `n x n` identity matrix (dtype floatx by default)."""
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    """An `N x M` matrix with ones at and below diagonal `k` (dtype floatx by default)."""
    M = M or N
    rows = torch.arange(N, device=config.default_device())[:, None]
    cols = torch.arange(M, device=config.default_device())[None, :]
    return (cols - rows <= k).to(dtypes.to_torch(dtype))


def array(x, dtype=None):
    """`x` as a tensor (as `convert_to_tensor`)."""
    return convert.tensor(x, dtype)


def copy(x):
    """A copy of `x` (differentiable)."""
    return convert.tensor(x).clone()
