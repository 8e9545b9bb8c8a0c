"""`keras.ops` products: matmul, dot, tensordot, einsum, outer, inner, vdot, kron, cross, trace.

Result dtypes follow Keras' `result_type` of the operands (int8 @ int8 gives int32); products of
integers are computed in a float dtype and cast back, as Keras' torch backend does, and float16
is computed in float32 on the CPU (torch has no CPU float16 matmul kernels everywhere).
"""

import torch

from torchkeras.ops import convert, dtypes


def _compute_dtype(result, device, use_float=True):
    compute = dtypes.result_type(result, float) if use_float else result
    if compute == "bool":
        compute = dtypes.result_type(float)
    if compute == "float16" and device.type == "cpu":
        compute = "float32"
    if device.type == "cuda" and not dtypes.is_float(compute):  # no integer CUDA matmul
        compute = dtypes.result_type(float)
    return dtypes.to_torch(compute)


def _product(x1, x2, function, use_float=True, int8_to_int32=False):
    x1, x2 = convert.tensors(x1, x2)
    if int8_to_int32 and x1.dtype == x2.dtype == torch.int8:
        result = "int32"
    else:
        result = dtypes.result_type(x1.dtype, x2.dtype)
    compute = _compute_dtype(result, x1.device, use_float)
    return function(x1.to(compute), x2.to(compute)).to(dtypes.to_torch(result))


def matmul(x1, x2):
    """Matrix product with NumPy's broadcasting of leading (batch) axes.

    Args:
        x1: `(..., n, k)` (or `(k,)`).
        x2: `(..., k, m)` (or `(k,)`).
    """
    return _product(x1, x2, torch.matmul, use_float=False, int8_to_int32=True)


def dot(x1, x2):
    """NumPy's `dot`: scalar product, matrix product, or sum over the last axis of `x1` and
    the second-to-last of `x2`.

    Args:
        x1, x2: Operands.
    """

    def function(a, b):
        if a.dim() == 0 or b.dim() == 0:
            return a * b
        if b.dim() > 2:
            return torch.tensordot(a, b, dims=([a.dim() - 1], [b.dim() - 2]))
        return torch.matmul(a, b)

    return _product(x1, x2, function)


def tensordot(x1, x2, axes=2):
    """Sum of products over `axes` (an int: the last/first `axes` axes; or two axis lists).

    Args:
        x1, x2: Operands.
        axes: Number of axes, or `(axes of x1, axes of x2)`.
    """
    if isinstance(axes, (list, tuple)):
        first, second = axes
        first = tuple(first) if isinstance(first, (list, tuple)) else (first,)
        second = tuple(second) if isinstance(second, (list, tuple)) else (second,)
        axes = (first, second)
    return _product(x1, x2, lambda a, b: torch.tensordot(a, b, dims=axes))


def inner(x1, x2):
    """Inner product over the last axes of `x1` and `x2`."""
    return _product(x1, x2, torch.inner)


def vdot(x1, x2):
    """Dot product of the flattened inputs (conjugating the first)."""
    return _product(x1, x2, lambda a, b: torch.vdot(a.reshape(-1), b.reshape(-1)))


def outer(x1, x2):
    """Outer product of the flattened inputs."""
    x1, x2 = convert.tensors(x1, x2)
    return torch.outer(x1.reshape(-1), x2.reshape(-1))


def kron(x1, x2):
    """Kronecker product."""
    x1, x2 = convert.tensors(x1, x2)
    return torch.kron(x1, x2)


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 3-vectors along `axis` (default the last).

    Args:
        x1, x2: Operands with size 3 along the vector axis.
        axisa, axisb, axisc: Must stay -1 (as on Keras' torch backend); use `axis`.
        axis: Vector axis of both operands and the result.
    """
    if (axisa, axisb, axisc) != (-1, -1, -1):
        raise ValueError(
            "`cross`: axisa, axisb and axisc are not supported on torch; use `axis`. "
            f"Got axisa={axisa}, axisb={axisb}, axisc={axisc}."
        )
    return _product(
        x1,
        x2,
        lambda a, b: torch.linalg.cross(a, b, dim=-1 if axis is None else axis),
        use_float=False,
    )


def einsum(subscripts, *operands, **kwargs):
    """Einstein summation over `operands` as described by `subscripts` (e.g. `"ij,jk->ik"`).

    int8 operands give int32, as in Keras.
    """
    device = convert.device_of(*operands)
    tensors = [convert.tensor(op, device=device) for op in operands]
    if tensors and all(t.dtype == torch.int8 for t in tensors):
        return torch.einsum(subscripts, *[t.to(torch.int32) for t in tensors])
    return torch.einsum(subscripts, *tensors)


def trace(x, offset=0, axis1=0, axis2=1):
    """Sum of the diagonal `offset` in the plane `(axis1, axis2)`; small ints give int32."""
    x = convert.tensor(x)
    dtype = x.dtype
    if dtype in (torch.bool, torch.int8, torch.int16, torch.uint8):
        dtype = torch.int32
    return torch.sum(torch.diagonal(x, offset, axis1, axis2), dim=-1, dtype=dtype)


def slogdet(x):
    """Sign and log of the absolute determinant of square matrices, `(sign, logabsdet)`."""
    return tuple(torch.linalg.slogdet(convert.tensor(x)))
