"""Bounded and shrinking activations: sigmoids, tanh variants, shrink and threshold functions."""

import torch
import torch.nn.functional as F

from torchkeras.activations import symbolic
from torchkeras.activations._convert import as_float_tensor
from torchkeras.registry import ACTIVATIONS


@ACTIVATIONS.register()
@symbolic.records("sigmoid")
def sigmoid(x):
    """Logistic sigmoid: `1 / (1 + exp(-x))`.

    Args:
        x: Input tensor.
    """
    return torch.sigmoid(as_float_tensor(x))


@ACTIVATIONS.register()
@symbolic.records("hard_sigmoid")
def hard_sigmoid(x):
    """Hard sigmoid: 0 for `x <= -3`, 1 for `x >= 3`, `x / 6 + 0.5` in between.

    Args:
        x: Input tensor.
    """
    return F.hardsigmoid(as_float_tensor(x))


@ACTIVATIONS.register()
@symbolic.records("sparse_sigmoid")
def sparse_sigmoid(x):
    """Sparse sigmoid: 0 for `x <= -1`, 1 for `x >= 1`, `(x + 1) / 2` in between.

    Args:
        x: Input tensor.
    """
    x = as_float_tensor(x)
    zero = torch.zeros((), dtype=x.dtype, device=x.device)
    one = torch.ones((), dtype=x.dtype, device=x.device)
    return torch.where(x <= -1, zero, torch.where(x >= 1, one, 0.5 * (x + 1)))


@ACTIVATIONS.register()
@symbolic.records("log_sigmoid")
def log_sigmoid(x):
    """Log of the sigmoid, `-softplus(-x)`, computed stably.

    Args:
        x: Input tensor.
    """
    return F.logsigmoid(as_float_tensor(x))


@ACTIVATIONS.register()
@symbolic.records("tanh")
def tanh(x):
    """Hyperbolic tangent.

    Args:
        x: Input tensor.
    """
    return torch.tanh(as_float_tensor(x))


@ACTIVATIONS.register()
@symbolic.records("hard_tanh")
def hard_tanh(x):
    """Hard tanh: `x` clipped to `[-1, 1]`.

    Args:
        x: Input tensor.
    """
    return F.hardtanh(as_float_tensor(x), min_val=-1.0, max_val=1.0)


@ACTIVATIONS.register()
@symbolic.records("tanh_shrink")
def tanh_shrink(x):
    """Tanh shrink: `x - tanh(x)`.

    Args:
        x: Input tensor.
    """
    return F.tanhshrink(as_float_tensor(x))


@ACTIVATIONS.register()
@symbolic.records("soft_shrink")
def soft_shrink(x, threshold=0.5):
    """Soft shrink: `x - threshold` above `threshold`, `x + threshold` below `-threshold`, else 0.

    Args:
        x: Input tensor.
        threshold: Non-negative half-width of the zeroed band.
    """
    return F.softshrink(as_float_tensor(x), lambd=threshold)


@ACTIVATIONS.register()
@symbolic.records("hard_shrink")
def hard_shrink(x, threshold=0.5):
    """Hard shrink: `x` where `abs(x) > threshold`, 0 elsewhere.

    Args:
        x: Input tensor.
        threshold: Non-negative half-width of the zeroed band.
    """
    return F.hardshrink(as_float_tensor(x), lambd=threshold)


@ACTIVATIONS.register()
def threshold(x, threshold, default_value):
    """Threshold: `x` where `x > threshold`, `default_value` elsewhere.

    Args:
        x: Input tensor.
        threshold: Values at or below this are replaced.
        default_value: The replacement value.
    """
    return F.threshold(as_float_tensor(x), threshold, default_value)
