"""`keras.ops` statistics: quantile, percentile, median, the NaN-ignoring reductions, corrcoef,
histogram, trapezoid.

Quantiles interpolate like NumPy (`method`: linear, lower, higher, midpoint, nearest); integer
inputs compute in a float dtype. NaN-ignoring reductions treat NaN as absent.
"""

import torch

from torchkeras.ops import convert, dtypes
from torchkeras.ops.numpy_reductions import (
    argmax,
    argmin,
    cumprod,
    cumsum,
    max,
    min,
    prod,
)
from torchkeras.ops.numpy_reductions import sum as _sum

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _float(x):
    x = convert.tensor(x)
    if not x.dtype.is_floating_point:
        x = x.to(dtypes.to_torch(dtypes.result_type(x.dtype, float)))
    return x


def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The `q`-th quantiles (`q` in [0, 1]) of `x` over `axis`.

    Args:
        x: Input.
        q: Scalar or 1-D quantiles; a 1-D `q` adds a leading output axis.
        axis: None (all), an int or a tuple of ints.
        method: NumPy's interpolation method.
        keepdims: Whether reduced axes stay as size 1.
    """
    if method not in _METHODS:
        raise ValueError(f"`quantile`: method must be one of {_METHODS}, got method={method!r}.")
    x = _float(x)
    compute = torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype
    q = convert.tensor(q, compute, x.device)
    dims = tuple(range(x.dim())) if axis is None else convert.axes(axis)
    dims = tuple(d % x.dim() for d in dims)
    rest = [d for d in range(x.dim()) if d not in dims]
    moved = x.to(compute).permute(*rest, *dims).reshape(*[x.shape[d] for d in rest], -1)
    out = torch.quantile(moved, q, dim=-1, interpolation=method)
    if keepdims:
        shape = [1 if d in dims else x.shape[d] for d in range(x.dim())]
        out = out.reshape(*q.shape, *shape)
    return out.to(x.dtype)


def percentile(x, q, axis=None, method="linear", keepdims=False):
    """The `q`-th percentiles (`q` in [0, 100]) of `x` over `axis` (see `quantile`)."""
    q = convert.tensor(q, device=convert.device_of(x))
    return quantile(x, q / 100.0, axis, method, keepdims)


def median(x, axis=None, keepdims=False):
    """Median over `axis` (the mean of the two middle values for even counts)."""
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)


def _without_nan(x, fill):
    x = convert.tensor(x)
    if not x.dtype.is_floating_point:
        return x
    return torch.where(torch.isnan(x), torch.as_tensor(fill, dtype=x.dtype, device=x.device), x)


def nansum(x, axis=None, keepdims=False):
    """Sum over `axis`, NaN counted as zero."""
    return _sum(_without_nan(x, 0.0), axis, keepdims)


def nanprod(x, axis=None, keepdims=False):
    """Product over `axis`, NaN counted as one."""
    return prod(_without_nan(x, 1.0), axis, keepdims)


def nanmax(x, axis=None, keepdims=False):
    """Maximum over `axis` ignoring NaN (NaN where all values are NaN)."""
    x = convert.tensor(x)
    out = max(_without_nan(x, float("-inf")), axis, keepdims)
    if x.dtype.is_floating_point:
        out = torch.where(
            torch.all(torch.isnan(x), dim=convert.axes(axis), keepdim=keepdims), torch.nan, out
        )
    return out


def nanmin(x, axis=None, keepdims=False):
    """Minimum over `axis` ignoring NaN (NaN where all values are NaN)."""
    x = convert.tensor(x)
    out = min(_without_nan(x, float("inf")), axis, keepdims)
    if x.dtype.is_floating_point:
        out = torch.where(
            torch.all(torch.isnan(x), dim=convert.axes(axis), keepdim=keepdims), torch.nan, out
        )
    return out


def nanargmax(x, axis=None, keepdims=False):
    """Index of the maximum over `axis` ignoring NaN, as int32."""
    return argmax(_without_nan(x, float("-inf")), axis, keepdims)


def nanargmin(x, axis=None, keepdims=False):
    """Index of the minimum over `axis` ignoring NaN, as int32."""
    return argmin(_without_nan(x, float("inf")), axis, keepdims)


def nancumsum(x, axis=None, dtype=None):
    """Cumulative sum along `axis`, NaN counted as zero."""
    return cumsum(_without_nan(x, 0.0), axis, dtype)


def nancumprod(x, axis=None, dtype=None):
    """Cumulative product along `axis`, NaN counted as one."""
    return cumprod(_without_nan(x, 1.0), axis, dtype)


def nanmean(x, axis=None, keepdims=False):
    """Mean over `axis` of the non-NaN values."""
    x = _float(x)
    return torch.nanmean(x, dim=convert.axes(axis), keepdim=keepdims)


def nanvar(x, axis=None, keepdims=False):
    """Population variance over `axis` of the non-NaN values."""
    x = _float(x)
    centered = x - torch.nanmean(x, dim=convert.axes(axis), keepdim=True)
    return torch.nanmean(centered * centered, dim=convert.axes(axis), keepdim=keepdims)


def nanstd(x, axis=None, keepdims=False):
    """Population standard deviation over `axis` of the non-NaN values."""
    return torch.sqrt(nanvar(x, axis, keepdims))


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """`quantile` ignoring NaN values."""
    x = _float(x)
    q = convert.tensor(q, x.dtype, x.device)
    if axis is None:
        return torch.nanquantile(x.reshape(-1), q, interpolation=method)
    return torch.nanquantile(x, q, dim=axis, keepdim=keepdims, interpolation=method)


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """`percentile` ignoring NaN values."""
    q = convert.tensor(q, device=convert.device_of(x))
    return nanquantile(x, q / 100.0, axis, method, keepdims)


def nanmedian(x, axis=None, keepdims=False):
    """Median over `axis` ignoring NaN (mean of the two middle values for even counts)."""
    return nanquantile(x, 0.5, axis=axis, keepdims=keepdims)


def corrcoef(x):
    """Pearson correlation coefficients of the rows of `x` (variables in rows)."""
    return torch.corrcoef(_float(x))


def histogram(x, bins=10, range=None):
    """Counts of `x` in `bins` equal-width bins over `range` (default: min to max) and edges."""
    x = _float(x)
    values = x.detach()
    low, high = (values.min(), values.max()) if range is None else map(float, range)
    edges = torch.linspace(float(low), float(high), bins + 1, dtype=x.dtype, device=x.device)
    index = torch.clamp(torch.bucketize(x.reshape(-1), edges, right=True) - 1, 0, bins - 1)
    inside = (x.reshape(-1) >= edges[0]) & (x.reshape(-1) <= edges[-1])
    counts = torch.zeros(bins, dtype=x.dtype, device=x.device).index_add(
        0, index[inside], torch.ones_like(x.reshape(-1)[inside])
    )
    return counts, edges


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral of `y` along `axis` by the trapezoidal rule (sample points `x` or spacing `dx`)."""
    y = convert.tensor(y)
    if y.dtype == torch.bool:
        y = y.to(dtypes.to_torch(None))
    if x is not None:
        return torch.trapezoid(y, convert.tensor(x, device=y.device), dim=axis)
    return torch.trapezoid(y, dx=dx, dim=axis)
