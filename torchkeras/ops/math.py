"""`keras.ops.math`: top_k, in_top_k, logsumexp, segment reductions, erf family, rsqrt,
extract_sequences, cdist, logdet.

Integer inputs of the float functions compute in floatx (Keras' torch backend hands them to
torch, which gives its default float, float32).
"""

import torch

from torchkeras.ops import convert, symbolic_dispatch
from torchkeras.ops.math_fft import fft, fft2, ifft2, irfft, istft, rfft, stft
from torchkeras.ops.numpy_elementwise import _float_unary

__all__ = [
    "cdist",
    "erf",
    "erfc",
    "erfinv",
    "extract_sequences",
    "fft",
    "fft2",
    "ifft2",
    "in_top_k",
    "irfft",
    "istft",
    "logdet",
    "logsumexp",
    "rfft",
    "rsqrt",
    "segment_max",
    "segment_min",
    "segment_prod",
    "segment_sum",
    "stft",
    "top_k",
]  # fmt: skip

rsqrt = _float_unary("rsqrt", torch.rsqrt, "Reciprocal square root `1 / sqrt(x)`")
erf = _float_unary("erf", torch.erf, "Gauss error function")
erfc = _float_unary("erfc", torch.erfc, "Complementary error function `1 - erf(x)`")
erfinv = _float_unary("erfinv", torch.erfinv, "Inverse error function")


def top_k(x, k, sorted=True):
    """The `k` largest values along the last axis and their indices (int64, as Keras on torch).

    Args:
        x: Input.
        k: Number of values.
        sorted: Whether the values come in descending order.

    Returns: `(values, indices)`, each `x.shape[:-1] + (k,)`.
    """
    x = convert.tensor(x)
    if not 0 < k <= (x.shape[-1] if x.dim() else 1):
        raise ValueError(f"`top_k`: k must be in [1, {x.shape[-1]}], got k={k}.")
    values, indices = torch.topk(x, k, sorted=sorted)
    return values, indices


def in_top_k(targets, predictions, k):
    """Whether each target's prediction is among the `k` largest of its row (ties count).

    Args:
        targets: `(batch,)` integer class ids.
        predictions: `(batch, classes)` scores.
        k: Number of top entries.
    """
    predictions = convert.tensor(predictions)
    targets = convert.tensor(targets, device=predictions.device).long()[:, None]
    kth = torch.topk(predictions, k).values[:, -1:]
    return torch.take_along_dim(predictions, targets, dim=-1)[:, 0] >= kth[:, 0]


def logsumexp(x, axis=None, keepdims=False):
    """`log(sum(exp(x)))` over `axis`, computed stably.

    Args:
        x: Input.
        axis: None (all), an int or a tuple.
        keepdims: Whether reduced axes stay as size 1.
    """
    x = convert.tensor(x)
    dims = tuple(range(x.dim())) if axis is None else axis
    return torch.logsumexp(x, dim=dims, keepdim=keepdims)


_SEGMENT_START = {"sum": 0.0, "amax": float("-inf"), "amin": float("inf"), "prod": 1.0}


def _segment(data, segment_ids, num_segments, reduce):
    data = convert.tensor(data)
    ids = convert.tensor(segment_ids, device=data.device).long()
    count = int(num_segments) if num_segments is not None else int(ids.max()) + 1
    ids = torch.where((ids >= 0) & (ids < count), ids, count)  # out of range -> dropped row
    index = ids.reshape(-1, *([1] * (data.dim() - 1))).expand(data.shape)
    start = torch.full(
        (count + 1, *data.shape[1:]),
        _SEGMENT_START[reduce],
        dtype=torch.float32,
        device=data.device,
    )
    out = start.scatter_reduce(0, index, data.float(), reduce)
    return out[:-1].to(data.dtype)


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sum of the rows of `data` sharing a segment id (computed in float32, as Keras on torch).

    Args:
        data: `(n, ...)`.
        segment_ids: `(n,)` ids; out-of-range ids are dropped.
        num_segments: Number of segments; None: `max(segment_ids) + 1`.
        sorted: Accepted for Keras compatibility (any order works).
    """
    return _segment(data, segment_ids, num_segments, "sum")


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """Maximum of the rows of `data` sharing a segment id (-inf for empty segments)."""
    return _segment(data, segment_ids, num_segments, "amax")


def segment_min(data, segment_ids, num_segments=None, sorted=False):
    """Minimum of the rows of `data` sharing a segment id (inf for empty segments)."""
    return _segment(data, segment_ids, num_segments, "amin")


def segment_prod(data, segment_ids, num_segments=None, sorted=False):
    """Product of the rows of `data` sharing a segment id (1 for empty segments)."""
    return _segment(data, segment_ids, num_segments, "prod")


def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of `sequence_length` taken every `sequence_stride` along the last axis.

    Shapes: `(..., n)` -> `(..., frames, sequence_length)`.
    """
    x = convert.tensor(x)
    return x.unfold(-1, sequence_length, sequence_stride)


def cdist(x, y):
    """Euclidean distances between the rows of `x` and of `y` (batch axes broadcast).

    Shapes: `(..., n, d)`, `(..., m, d)` -> `(..., n, m)`.
    """
    x, y = convert.tensors(x, y)
    if x.dim() < 2 or y.dim() < 2 or x.shape[-1] != y.shape[-1]:
        raise ValueError(
            "`cdist`: inputs need rank >= 2 and the same last axis, got "
            f"{tuple(x.shape)} and {tuple(y.shape)}."
        )
    difference = x.unsqueeze(-2) - y.unsqueeze(-3)
    return torch.sqrt(torch.sum(difference * difference, dim=-1))


def logdet(x):
    """Log-determinant of square matrices (the last two axes)."""
    return torch.logdet(convert.tensor(x))

symbolic_dispatch.accept_symbolic_tensors(globals())  # `keras.ops.math.*` on KerasTensors record
