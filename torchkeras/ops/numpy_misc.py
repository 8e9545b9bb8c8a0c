"""`keras.ops` odds and ends: unique, argpartition, complex parts, windows, vander, geomspace,
unravel_index, correlate, view, vectorize."""

import numpy as np
import torch
import torch.nn.functional as F

from torchkeras.ops import convert, dtypes


def unique(
    x,
    sorted=True,
    return_index=False,
    return_inverse=False,
    return_counts=False,
    axis=None,
    size=None,
    fill_value=None,
):
    """The distinct values of `x` (sorted), optionally with first indices, inverse and counts.

    Args:
        x: Input.
        sorted: Accepted for Keras compatibility; values come sorted.
        return_index, return_inverse, return_counts: Extra outputs, in NumPy's order.
        axis: None (flattened) or the axis of the distinct slices.
        size: Pad (with `fill_value`, default 0) or truncate the values to this length.
        fill_value: Padding value when `size` exceeds the distinct count.
    """
    x = convert.tensor(x)
    flat = x.reshape(-1) if axis is None else x
    values, inverse, counts = torch.unique(
        flat,
        sorted=True,
        return_inverse=True,
        return_counts=True,
        dim=None if axis is None else axis,
    )
    if size is not None and axis is None:
        values = _fit(values, size, fill_value)
    outputs = [values]
    if return_index:
        positions = torch.arange(inverse.numel(), device=x.device)
        first = torch.full(
            (counts.numel(),), inverse.numel(), dtype=positions.dtype, device=x.device
        )
        first = first.scatter_reduce(0, inverse.reshape(-1), positions, "amin")
        outputs.append(first if size is None else _fit(first, size, 1))
    if return_inverse:
        outputs.append(inverse)
    if return_counts:
        outputs.append(counts if size is None else _fit(counts, size, 0))
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


def _fit(values, size, fill):
    if values.shape[0] >= size:
        return values[:size]
    return F.pad(values, (0, size - values.shape[0]), value=0 if fill is None else fill)


def argpartition(x, kth, axis=-1):
    """Indices that put the `kth` smallest element of each slice in place, smaller ones before
    and larger after (computed as a stable argsort, one valid answer), as int32."""
    x = convert.tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.argsort(x, dim=axis, stable=True).to(torch.int32)


def real(x):
    """Real part of `x` (`x` itself when real)."""
    return torch.real(convert.tensor(x))


def imag(x):
    """Imaginary part of `x` (zeros when real)."""
    x = convert.tensor(x)
    return torch.imag(x) if x.is_complex() else torch.zeros_like(x)


def conj(x):
    """Complex conjugate of `x`."""
    return torch.conj(convert.tensor(x)).resolve_conj()


def conjugate(x):
    """Complex conjugate of `x` (alias of `conj`)."""
    return conj(x)


def angle(x):
    """Argument (phase) of complex `x`; 0 or pi for reals."""
    return torch.angle(convert.tensor(x))


def isreal(x):
    """Whether each element has a zero imaginary part (bool)."""
    return torch.isreal(convert.tensor(x))


def polar(abs_, angle):
    """The complex numbers with magnitudes `abs_` and phases `angle`."""
    magnitude, phase = convert.tensors(abs_, angle)
    return torch.polar(magnitude, phase)


def view_as_real(x):
    """A complex tensor as a real one with a trailing axis of size 2 (real, imaginary)."""
    return torch.view_as_real(convert.tensor(x))


def view_as_complex(x):
    """A real tensor with a trailing axis of size 2 as a complex one."""
    return torch.view_as_complex(convert.tensor(x))


def view(x, dtype=None):
    """`x`'s bytes reinterpreted as `dtype`."""
    return convert.tensor(x).view(dtypes.to_torch(dtype))


def _window(name, function):
    def op(x):
        return function(
            int(convert.unwrap(x)), dtype=dtypes.to_torch(None), device=convert.device_of(x)
        )

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (
        f"The symmetric {name.capitalize()} window of `x` points (floatx).\n\n"
        "Args:\n    x: Window length."
    )
    return op


bartlett = _window("bartlett", torch.signal.windows.bartlett)
blackman = _window("blackman", torch.signal.windows.blackman)
hamming = _window("hamming", torch.signal.windows.hamming)
hanning = _window("hanning", torch.signal.windows.hann)


def kaiser(x, beta):
    """The Kaiser window of `x` points with shape parameter `beta` (floatx)."""
    return torch.signal.windows.kaiser(
        int(convert.unwrap(x)), beta=beta, dtype=dtypes.to_torch(None), device=convert.device_of(x)
    )


def vander(x, N=None, increasing=False):
    """Vandermonde matrix of the 1-D `x`: columns are powers of `x` (decreasing by default)."""
    x = convert.tensor(x)
    return torch.vander(x, N=N, increasing=increasing).to(
        dtypes.to_torch(dtypes.result_type(x.dtype))
    )


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """`num` values spaced evenly on a log scale from `start` to `stop`."""
    if axis != 0:
        raise ValueError(f"`geomspace`: only axis=0 is supported on torch, got axis={axis}.")
    if dtype is None:
        dtype = dtypes.result_type(dtypes.dtype_of(start), dtypes.dtype_of(stop), float)
    start, stop = float(convert.unwrap(start)), float(convert.unwrap(stop))
    values = np.geomspace(start, stop, num, endpoint=endpoint)
    return torch.as_tensor(values, device=convert.device_of()).to(dtypes.to_torch(dtype))


def unravel_index(indices, shape):
    """Flat `indices` as a tuple of coordinate tensors into an array of `shape`."""
    indices = convert.tensor(indices)
    dtype = dtypes.to_torch(dtypes.result_type(indices.dtype))
    return tuple(i.to(dtype) for i in torch.unravel_index(indices, tuple(shape)))


def correlate(x1, x2, mode="valid"):
    """Cross-correlation of two 1-D sequences (`mode`: valid, same or full), in a float dtype."""
    x1, x2 = convert.tensors(x1, x2)
    name = dtypes.result_type(x1.dtype, x2.dtype)
    dtype = dtypes.to_torch(name if name in ("bfloat16", "float16", "float64") else "float32")
    full = F.conv1d(x1.to(dtype)[None, None], x2.to(dtype)[None, None], padding=x2.shape[-1] - 1)[
        0, 0
    ]
    if mode == "full":
        return full
    if mode == "same":
        start = (full.shape[0] - max(x1.shape[-1], x2.shape[-1])) // 2
        return full[start : start + max(x1.shape[-1], x2.shape[-1])]
    if mode != "valid":
        raise ValueError(f"`correlate`: mode must be valid, same or full, got mode={mode!r}.")
    length = max(x1.shape[-1], x2.shape[-1]) - min(x1.shape[-1], x2.shape[-1]) + 1
    start = (full.shape[0] - length) // 2
    return full[start : start + length]


def vectorize(pyfunc, *, excluded=None, signature=None):
    """`pyfunc` mapped over its tensor arguments' leading axes with `torch.vmap`
    (`signature` and `excluded` are not supported here beyond None)."""
    if excluded or signature:
        raise ValueError("`vectorize`: excluded and signature are not supported on torch here.")

    def vectorized(*args):
        tensors = [convert.tensor(a) for a in args]
        function = pyfunc
        for _ in range(max(t.dim() for t in tensors)):
            function = torch.vmap(function)
        return function(*torch.broadcast_tensors(*tensors))

    return vectorized
