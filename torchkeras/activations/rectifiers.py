"""ReLU-like activations: identity for large inputs, damped or zeroed for negative ones."""

import torch
import torch.nn.functional as F

from torchkeras.activations import symbolic
from torchkeras.activations._convert import as_float_tensor
from torchkeras.registry import ACTIVATIONS


@ACTIVATIONS.register()
@symbolic.records(symbolic.relu)
def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit, `max(x, 0)` by default, with Keras' optional slope, cap and threshold.

    Values at or below `threshold` become `negative_slope * (x - threshold)`; values above it
    are kept and clipped to `max_value`. Follows Keras' composition step by step.

    Args:
        x: Input tensor.
        negative_slope: Slope below the threshold.
        max_value: Largest value returned; `None` means no cap.
        threshold: Value below which inputs are damped or zeroed.
    """
    x = as_float_tensor(x)
    negative_part = None
    if negative_slope != 0.0:
        if max_value is None and threshold == 0:
            return F.leaky_relu(x, negative_slope=negative_slope)
        negative_part = F.relu(-x + threshold) if threshold != 0 else F.relu(-x)
    clip_max = max_value is not None
    if threshold != 0:
        x = torch.where(x > threshold, x, torch.zeros((), dtype=x.dtype, device=x.device))
    elif max_value == 6:
        x = F.relu6(x)  # Keras takes the fused op here.
        clip_max = False
    else:
        x = F.relu(x)
    if clip_max:
        x = torch.clip(x, 0.0, max_value)
    if negative_part is not None:
        x = x - negative_slope * negative_part
    return x


@ACTIVATIONS.register()
@symbolic.records("leaky_relu")
def leaky_relu(x, negative_slope=0.2):
    """Leaky ReLU: `x` for `x >= 0`, `negative_slope * x` otherwise (Keras' default slope 0.2).

    Args:
        x: Input tensor.
        negative_slope: Slope of the negative part.
    """
    return F.leaky_relu(as_float_tensor(x), negative_slope=negative_slope)


@ACTIVATIONS.register()
@symbolic.records("relu6")
def relu6(x):
    """ReLU capped at 6: `min(max(x, 0), 6)`.

    Args:
        x: Input tensor.
    """
    return F.relu6(as_float_tensor(x))


@ACTIVATIONS.register()
@symbolic.records("elu")
def elu(x, alpha=1.0):
    """Exponential linear unit: `x` for `x > 0`, `alpha * (exp(x) - 1)` otherwise.

    Args:
        x: Input tensor.
        alpha: Scale of the negative part.
    """
    return F.elu(as_float_tensor(x), alpha)


@ACTIVATIONS.register()
@symbolic.records("selu")
def selu(x):
    """Scaled ELU with the self-normalising constants (alpha 1.6733, scale 1.0507).

    Args:
        x: Input tensor.
    """
    return F.selu(as_float_tensor(x))


@ACTIVATIONS.register()
@symbolic.records("celu")
def celu(x, alpha=1.0):
    """Continuously differentiable ELU: `x` for `x >= 0`, `alpha * (exp(x / alpha) - 1)` otherwise.

    Args:
        x: Input tensor.
        alpha: Scale of the negative part.
    """
    return F.celu(as_float_tensor(x), alpha=alpha)


@ACTIVATIONS.register()
@symbolic.records("gelu")
def gelu(x, approximate=False):
    """Gaussian error linear unit, `x * Phi(x)`; exact (erf) by default, as Keras.

    Args:
        x: Input tensor.
        approximate: Whether to use the tanh approximation.
    """
    x = as_float_tensor(x)
    return F.gelu(x, approximate="tanh") if approximate else F.gelu(x)


@ACTIVATIONS.register("swish")
@symbolic.records("silu")
def silu(x):
    """Sigmoid linear unit (swish): `x * sigmoid(x)`.

    Args:
        x: Input tensor.
    """
    return F.silu(as_float_tensor(x))


@ACTIVATIONS.register("hard_swish")
@symbolic.records("hard_silu")
def hard_silu(x):
    """Hard SiLU (hard swish): `x * relu6(x + 3) / 6`, a piecewise approximation of silu.

    Args:
        x: Input tensor.
    """
    return F.hardswish(as_float_tensor(x))


@ACTIVATIONS.register()
def mish(x):
    """Mish: `x * tanh(softplus(x))`, composed as Keras does.

    Args:
        x: Input tensor.
    """
    x = as_float_tensor(x)
    return x * torch.tanh(F.softplus(x))


@ACTIVATIONS.register()
@symbolic.records("softplus")
def softplus(x):
    """Softplus: `log(exp(x) + 1)`, linear above 20 for stability (torch's rule, as Keras).

    Args:
        x: Input tensor.
    """
    return F.softplus(as_float_tensor(x))


@ACTIVATIONS.register()
@symbolic.records("softsign")
def softsign(x):
    """Softsign: `x / (abs(x) + 1)`.

    Args:
        x: Input tensor.
    """
    return F.softsign(as_float_tensor(x))


@ACTIVATIONS.register()
@symbolic.records("squareplus")
def squareplus(x, b=4):
    """Squareplus: `(x + sqrt(x**2 + b)) / 2`, a smooth ReLU.

    Args:
        x: Input tensor.
        b: Smoothness parameter; larger is smoother.
    """
    x = as_float_tensor(x)
    return (x + torch.sqrt(x**2 + b)) / 2


@ACTIVATIONS.register()
@symbolic.records("sparse_plus")
def sparse_plus(x):
    """SparsePlus: 0 for `x <= -1`, `(x + 1)**2 / 4` for `-1 < x < 1`, `x` for `x >= 1`.

    Args:
        x: Input tensor.
    """
    x = as_float_tensor(x)
    return torch.where(x <= -1, torch.zeros_like(x), torch.where(x < 1, 0.25 * (x + 1) ** 2, x))


@ACTIVATIONS.register()
@symbolic.records("exp")
def exponential(x):
    """Exponential: `exp(x)`.

    Args:
        x: Input tensor.
    """
    return torch.exp(as_float_tensor(x))


@ACTIVATIONS.register()
def linear(x):
    """Identity: returns `x` unchanged (the activation `None` resolves to).

    Args:
        x: Input tensor, returned as is.
    """
    return x
