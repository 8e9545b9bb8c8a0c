"""`keras.ops` reductions and scans: sum, mean, max, min, prod, var, std, argmax, cumsum ...

Result dtypes are Keras': `sum`/`prod` widen bool and small integers to int32, `mean`/`var`/`std`
of integers give float32, `argmax`/`argmin`/`count_nonzero` give int32. `axis` is None (all
axes), an int or a tuple; an empty tuple reduces nothing, as in NumPy.
"""

import torch

from torchkeras.ops import convert, dtypes

_SMALL_INTS = (torch.bool, torch.uint8, torch.int8, torch.int16)


def _input(x):
    if isinstance(x, (list, tuple)) and any(isinstance(convert.unwrap(i), torch.Tensor) for i in x):
        return torch.stack([convert.tensor(i) for i in x])
    return convert.tensor(x)


def sum(x, axis=None, keepdims=False):
    """Sum over `axis`; bool and 8/16-bit integers give int32.

    Args:
        x: Input.
        axis: None (all), an int or a tuple of ints.
        keepdims: Whether reduced axes stay as size 1.
    """
    x = _input(x)
    if axis == () or axis == []:
        return x
    dtype = torch.int32 if x.dtype in _SMALL_INTS else x.dtype
    if axis is None:
        out = torch.sum(x, dtype=dtype)
        return out.reshape((1,) * x.dim()) if keepdims else out
    return torch.sum(x, dim=convert.axes(axis), keepdim=keepdims, dtype=dtype)


def mean(x, axis=None, keepdims=False):
    """Arithmetic mean over `axis`; integer and bool inputs give float32 (or wider).

    Args:
        x: Input.
        axis: None (all), an int or a tuple of ints.
        keepdims: Whether reduced axes stay as size 1.
    """
    x = _input(x)
    if axis == () or axis == []:
        return x
    compute = dtypes.to_torch(dtypes.result_type(x.dtype, "float32"))
    result = compute if not x.dtype.is_floating_point else x.dtype
    out = torch.mean(x.to(compute), dim=convert.axes(axis), keepdim=keepdims)
    return out.to(result)


def _extreme(x, axis, keepdims, initial, name, reduce, combine):
    x = convert.tensor(x)
    if x.numel() == 0:
        if initial is None:
            raise ValueError(f"`{name}`: cannot compute the {name} of an empty tensor.")
        shape = (1,) * x.dim() if keepdims else ()
        return torch.full(shape, initial, dtype=x.dtype, device=x.device)
    if axis == () or axis == []:
        out = x
    else:
        out = reduce(x, dim=convert.axes(axis) or tuple(range(x.dim())), keepdim=keepdims)
    if initial is not None:
        out = combine(out, torch.as_tensor(initial, dtype=out.dtype, device=out.device))
    return out


def max(x, axis=None, keepdims=False, initial=None):
    """Maximum over `axis` (at least `initial` when given).

    Args:
        x: Input.
        axis: None (all), an int or a tuple of ints.
        keepdims: Whether reduced axes stay as size 1.
        initial: Lower bound of the result; required for an empty `x`.
    """
    return _extreme(x, axis, keepdims, initial, "max", torch.amax, torch.maximum)


def min(x, axis=None, keepdims=False, initial=None):
    """Minimum over `axis` (at most `initial` when given).

    Args:
        x: Input.
        axis: None (all), an int or a tuple of ints.
        keepdims: Whether reduced axes stay as size 1.
        initial: Upper bound of the result; required for an empty `x`.
    """
    return _extreme(x, axis, keepdims, initial, "min", torch.amin, torch.minimum)


def amax(x, axis=None, keepdims=False):
    """Maximum over `axis` (as `max` without `initial`)."""
    return max(x, axis, keepdims)


def amin(x, axis=None, keepdims=False):
    """Minimum over `axis` (as `min` without `initial`)."""
    return min(x, axis, keepdims)


def prod(x, axis=None, keepdims=False, dtype=None):
    """Product over `axis`; bool and 8/16-bit integers give int32 unless `dtype` is given.

    Args:
        x: Input.
        axis: None (all), an int or a tuple of ints.
        keepdims: Whether reduced axes stay as size 1.
        dtype: Result dtype.
    """
    x = convert.tensor(x)
    if dtype is not None:
        target = dtypes.to_torch(dtype)
    else:
        target = torch.int32 if x.dtype in _SMALL_INTS else x.dtype
    out = x.to(target)
    dims = range(x.dim()) if axis is None else [d % x.dim() for d in convert.axes(axis)]
    for dim in sorted(set(dims), reverse=True):
        out = torch.prod(out, dim=dim, keepdim=keepdims, dtype=target)
    return out


def _float_input(x):
    x = convert.tensor(x)
    return x if x.dtype.is_floating_point else x.to(torch.float32)


def var(x, axis=None, keepdims=False):
    """Population variance (no Bessel correction) over `axis`; integers give float32.

    Args:
        x: Input.
        axis: None (all), an int or a tuple of ints.
        keepdims: Whether reduced axes stay as size 1.
    """
    x = _float_input(x)
    if axis == () or axis == []:
        return torch.zeros_like(x)
    return torch.var(x, dim=convert.axes(axis), keepdim=keepdims, correction=0)


def std(x, axis=None, keepdims=False):
    """Population standard deviation (no Bessel correction) over `axis`.

    Args:
        x: Input.
        axis: None (all), an int or a tuple of ints.
        keepdims: Whether reduced axes stay as size 1.
    """
    x = _float_input(x)
    return torch.std(x, dim=convert.axes(axis), keepdim=keepdims, correction=0)


def all(x, axis=None, keepdims=False):
    """Whether all elements along `axis` are truthy (bool)."""
    x = convert.tensor(x)
    if axis == () or axis == []:
        return x.to(torch.bool)
    return torch.all(x, dim=convert.axes(axis), keepdim=keepdims)


def any(x, axis=None, keepdims=False):
    """Whether any element along `axis` is truthy (bool)."""
    x = convert.tensor(x)
    if axis == () or axis == []:
        return x.to(torch.bool)
    return torch.any(x, dim=convert.axes(axis), keepdim=keepdims)


def _arg(x, axis, keepdims, function):
    x = convert.tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    return function(x, dim=axis, keepdim=keepdims).to(torch.int32)


def argmax(x, axis=None, keepdims=False):
    """Index of the maximum along `axis` (of the flattened input when None), as int32.

    Args:
        x: Input.
        axis: An int or None.
        keepdims: Whether the reduced axis stays as size 1.
    """
    return _arg(x, axis, keepdims, torch.argmax)


def argmin(x, axis=None, keepdims=False):
    """Index of the minimum along `axis` (of the flattened input when None), as int32.

    Args:
        x: Input.
        axis: An int or None.
        keepdims: Whether the reduced axis stays as size 1.
    """
    return _arg(x, axis, keepdims, torch.argmin)


def _scan(x, axis, dtype, function):
    x = convert.tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    target = dtypes.to_torch(dtypes.result_type(dtype or x.dtype))
    if target == torch.bool:
        target = torch.int32
    return function(x, dim=axis, dtype=target)


def cumsum(x, axis=None, dtype=None):
    """Cumulative sum along `axis` (of the flattened input when None); bool gives int32.

    Args:
        x: Input.
        axis: An int or None.
        dtype: Result dtype.
    """
    return _scan(x, axis, dtype, torch.cumsum)


def cumprod(x, axis=None, dtype=None):
    """Cumulative product along `axis` (of the flattened input when None); bool gives int32.

    Args:
        x: Input.
        axis: An int or None.
        dtype: Result dtype.
    """
    return _scan(x, axis, dtype, torch.cumprod)


def average(x, axis=None, weights=None):
    """Weighted mean over `axis` (a plain mean without `weights`), in a float dtype.

    Args:
        x: Input.
        axis: None or an int.
        weights: 1-D weights along `axis` (or of `x`'s shape); None for equal weights.
    """
    x = convert.tensor(x)
    found = [x.dtype, float]
    if weights is not None:
        weights = convert.tensor(weights, device=x.device)
        found.append(weights.dtype)
    dtype = dtypes.to_torch(dtypes.result_type(*found))
    x = x.to(dtype)
    if weights is None:
        return torch.mean(x, dim=axis)
    weights = weights.to(dtype)
    if axis is not None and weights.dim() == 1 and x.dim() > 1:
        shape = [1] * x.dim()
        shape[axis] = -1
        weights = weights.reshape(shape)
    return torch.sum(x * weights, dim=axis) / torch.sum(weights.expand_as(x), dim=axis)


def count_nonzero(x, axis=None):
    """Number of non-zero elements along `axis`, as int32."""
    x = convert.tensor(x)
    if axis == () or axis == []:
        return torch.ne(x, 0).to(torch.int32)
    return torch.count_nonzero(x, dim=convert.axes(axis)).to(torch.int32)


def ptp(x, axis=None, keepdims=False):
    """Range `max - min` along `axis`."""
    return max(x, axis, keepdims) - min(x, axis, keepdims)
