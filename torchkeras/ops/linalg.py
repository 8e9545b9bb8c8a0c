"""`keras.ops.linalg`: norm, inv, det, solve, cholesky, qr, svd, eig, eigh, lstsq, pinv ...

Each is the matching `torch.linalg` routine (differentiable, on any device); decompositions
return tuples as Keras' torch backend does.
"""

import torch

from torchkeras import config
from torchkeras.ops import convert, dtypes, symbolic_dispatch
from torchkeras.ops.core_loops import jvp

__all__ = [
    "cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "jvp", "lstsq", "lu_factor",
    "matrix_rank", "norm", "pinv", "qr", "solve", "solve_triangular", "svd",
]  # fmt: skip


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm (NumPy's `ord` values) over `axis` (all axes flattened when None).

    Args:
        x: Input; integers compute in a float dtype.
        ord: Norm order (None: 2-norm / Frobenius, `"fro"`, `"nuc"`, `inf`, ints).
        axis: None, an int (vector norm) or a pair (matrix norm).
        keepdims: Whether reduced axes stay as size 1.
    """
    x = convert.tensor(x)
    if x.dtype == torch.int64:
        dtype = config.floatx()
    else:
        dtype = dtypes.result_type(x.dtype, float)
    x = x.to(dtypes.to_torch(dtype))
    if axis is None and ord is None:
        out = torch.linalg.vector_norm(x)
        return out.reshape((1,) * x.dim()) if keepdims else out
    return torch.linalg.norm(x, ord=ord, dim=axis, keepdim=keepdims)


def _tensor(x):
    return convert.tensor(x)


def inv(x):
    """Inverse of square matrices (the last two axes)."""
    return torch.linalg.inv(_tensor(x))


def det(x):
    """Determinant of square matrices (the last two axes)."""
    return torch.linalg.det(_tensor(x))


def cholesky(x, upper=False):
    """Cholesky factor of symmetric positive-definite matrices (lower unless `upper`)."""
    return torch.linalg.cholesky(_tensor(x), upper=upper)


def cholesky_inverse(x, upper=False):
    """Inverse of `L @ L.T` given its Cholesky factor `x` (lower unless `upper`)."""
    return torch.cholesky_inverse(_tensor(x), upper=upper)


def eig(x):
    """Eigenvalues and eigenvectors of square matrices (complex), `(w, v)`."""
    return tuple(torch.linalg.eig(_tensor(x)))


def eigh(x):
    """Eigenvalues (ascending) and eigenvectors of symmetric matrices, `(w, v)`."""
    return tuple(torch.linalg.eigh(_tensor(x)))


def lu_factor(x):
    """LU factorization `(lu, pivots)` with 0-based pivots, as Keras returns them."""
    lu, pivots = torch.linalg.lu_factor(_tensor(x))
    return lu, pivots - 1


def qr(x, mode="reduced"):
    """QR decomposition `(q, r)`; `mode` is `"reduced"` or `"complete"`."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"`qr`: mode must be 'reduced' or 'complete', got mode={mode!r}.")
    return tuple(torch.linalg.qr(_tensor(x), mode=mode))


def solve(a, b):
    """`x` with `a @ x = b` for square `a`."""
    a, b = convert.tensors(a, b)
    return torch.linalg.solve(a, b)


def solve_triangular(a, b, lower=False):
    """`x` with `a @ x = b` for triangular `a` (upper unless `lower`); `b` may be a vector."""
    a, b = convert.tensors(a, b)
    if b.dim() == a.dim() - 1:
        return torch.linalg.solve_triangular(a, b.unsqueeze(-1), upper=not lower).squeeze(-1)
    return torch.linalg.solve_triangular(a, b, upper=not lower)


def svd(x, full_matrices=True, compute_uv=True):
    """Singular value decomposition `(u, s, vh)`, or only `s` when not `compute_uv`."""
    x = _tensor(x)
    if not compute_uv:
        return torch.linalg.svdvals(x)
    return tuple(torch.linalg.svd(x, full_matrices=full_matrices))


def lstsq(a, b, rcond=None):
    """Least-squares solution of `a @ x = b` (SVD-based when `rcond` is given, as NumPy)."""
    a, b = convert.tensors(a, b)
    if rcond is not None:
        if a.device.type == "cuda":
            return torch.linalg.pinv(a, rtol=rcond) @ b
        return torch.linalg.lstsq(a, b, rcond=rcond, driver="gelsd").solution
    return torch.linalg.lstsq(a, b).solution


def matrix_rank(x, tol=None):
    """Rank of matrices: singular values above `tol` (absolute) counted, as int32."""
    return torch.linalg.matrix_rank(_tensor(x), atol=tol).to(torch.int32)


def pinv(x, rcond=None):
    """Moore-Penrose pseudo-inverse (`rcond`: relative cutoff of small singular values)."""
    return torch.linalg.pinv(_tensor(x), rtol=rcond)

symbolic_dispatch.accept_symbolic_tensors(globals())  # `keras.ops.linalg.*` on KerasTensors record
