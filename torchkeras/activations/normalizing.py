"""Activations that act along an axis: softmax, log-softmax, sparsemax and the gated linear unit."""

import torch
import torch.nn.functional as F

from torchkeras.activations import symbolic
from torchkeras.activations._convert import as_float_tensor
from torchkeras.registry import ACTIVATIONS


def _along_axis(fn, x, axis):
    """Applies `fn(x, dim)` along `axis` (all elements if `axis` is None), as Keras' torch backend.

    float16 is computed in float32 on CPU, where torch has no half softmax kernel, then cast back.
    """
    dtype = x.dtype
    if dtype == torch.float16 and x.device.type == "cpu":
        x = x.float()
    if axis is None:
        output = fn(x.reshape(-1), dim=-1).reshape(x.shape)
    else:
        output = fn(x, dim=axis)
    return output.to(dtype)


@ACTIVATIONS.register()
@symbolic.records("softmax")
def softmax(x, axis=-1):
    """Softmax, `exp(x) / sum(exp(x))` along `axis`: a probability distribution per slice.

    Args:
        x: Input tensor of logits.
        axis: Axis to normalise over; `None` normalises over all elements.
    """
    x = as_float_tensor(x)
    output = _along_axis(F.softmax, x, axis)
    if axis == -1 and output.dtype == x.dtype:
        # Crossentropy on these probabilities then starts from the logits: the same clipped
        # numbers as Keras' log(clip(p)), without the softmax backward (see losses/sparse.py).
        output._keras_logits = x
    return output


@ACTIVATIONS.register()
@symbolic.records("log_softmax")
def log_softmax(x, axis=-1):
    """Log of the softmax along `axis`, computed stably.

    Args:
        x: Input tensor of logits.
        axis: Axis to normalise over; `None` normalises over all elements.
    """
    return _along_axis(F.log_softmax, as_float_tensor(x), axis)


@ACTIVATIONS.register()
def sparsemax(x, axis=-1):
    """Sparsemax: the Euclidean projection of `x` onto the simplex along `axis`, `max(x - tau, 0)`.

    Unlike softmax it gives exact zeros to low scores. `tau = (sum of the k largest - 1) / k`,
    `k` the support size, as in Martins & Astudillo (2016) and Keras' fix (keras-team/keras#23469);
    Keras 3.15.1 sums the cumulative sums instead, so its outputs do not sum to 1 when k > 1.

    Args:
        x: Input tensor of logits.
        axis: Axis to project along.
    """
    logits = as_float_tensor(x)
    logits_sorted, _ = torch.sort(logits, dim=axis, descending=True)
    logits_cumsum = torch.cumsum(logits_sorted, dim=axis)
    r = torch.arange(1, logits.size(axis) + 1, device=logits.device, dtype=logits.dtype)
    r_shape = [1] * logits.ndim
    r_shape[axis] = -1
    r = r.view(r_shape)  # 1, 2, ..., n along `axis`
    support = logits_sorted - (logits_cumsum - 1) / r > 0
    k = torch.sum(support, dim=axis, keepdim=True)
    zero = torch.zeros((), dtype=logits.dtype, device=logits.device)
    support_total = torch.sum(torch.where(support, logits_sorted, zero), dim=axis, keepdim=True)
    tau = (support_total - 1) / k
    return torch.clamp(logits - tau, min=0.0)


@ACTIVATIONS.register()
@symbolic.records("glu")
def glu(x, axis=-1):
    """Gated linear unit: `a * sigmoid(b)` where `a, b` are the two halves of `x` along `axis`.

    Args:
        x: Input tensor; its size along `axis` must be even.
        axis: Axis to split.
    """
    return F.glu(as_float_tensor(x), dim=axis)
