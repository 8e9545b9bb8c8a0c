"""`keras.ops.nn`: activations, one-hot encodings, crossentropies and normalization statistics.

Each function is Keras' formula computed by the matching `torch.nn.functional` kernel, so it runs
on any device and differentiates through autograd. Convolution and pooling live in
`ops.conv`/`ops.pooling` and are re-exported here, as Keras' `ops.nn` has them.
"""

import torch
import torch.nn.functional as F

from torchkeras.ops import convert, dtypes, symbolic_dispatch
from torchkeras.ops.conv import conv, conv_transpose, depthwise_conv, separable_conv
from torchkeras.ops.ctc import ctc_decode
from torchkeras.ops.nn_extra import (
    adaptive_average_pool,
    adaptive_max_pool,
    depth_to_space,
    dot_product_attention,
    fold,
    layer_normalization,
    psnr,
    rms_normalization,
    space_to_depth,
    sparsemax,
    unfold,
)
from torchkeras.ops.nn_losses import (
    batch_normalization,
    binary_crossentropy,
    categorical_crossentropy,
    ctc_loss,
    moments,
    normalize,
    sparse_categorical_crossentropy,
)
from torchkeras.ops.numpy_misc import polar
from torchkeras.ops.pooling import average_pool, max_pool

__all__ = [
    "adaptive_average_pool",
    "adaptive_max_pool",
    "average_pool",
    "batch_normalization",
    "binary_crossentropy",
    "categorical_crossentropy",
    "celu",
    "conv",
    "conv_transpose",
    "ctc_decode",
    "ctc_loss",
    "depth_to_space",
    "depthwise_conv",
    "dot_product_attention",
    "elu",
    "fold",
    "gelu",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "layer_normalization",
    "leaky_relu",
    "log_sigmoid",
    "log_softmax",
    "max_pool",
    "moments",
    "multi_hot",
    "normalize",
    "one_hot",
    "polar",
    "psnr",
    "relu",
    "relu6",
    "rms_normalization",
    "selu",
    "separable_conv",
    "sigmoid",
    "silu",
    "soft_shrink",
    "softmax",
    "softplus",
    "softsign",
    "space_to_depth",
    "sparse_categorical_crossentropy",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "swish",
    "tanh_shrink",
    "threshold",
    "unfold",
]  # fmt: skip


def _activation(name, function, summary):
    def op(x):
        return function(convert.tensor(x))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"{summary}, elementwise.\n\nArgs:\n    x: Input tensor."
    return op


relu = _activation("relu", F.relu, "Rectified linear unit `max(x, 0)`")
relu6 = _activation("relu6", F.relu6, "`min(max(x, 0), 6)`")
sigmoid = _activation("sigmoid", torch.sigmoid, "Logistic sigmoid `1 / (1 + exp(-x))`")
selu = _activation("selu", F.selu, "Scaled exponential linear unit")
softplus = _activation("softplus", F.softplus, "`log(1 + exp(x))`")
softsign = _activation("softsign", F.softsign, "`x / (1 + |x|)`")
silu = _activation("silu", F.silu, "Sigmoid linear unit `x * sigmoid(x)`")
swish = _activation("swish", F.silu, "Swish `x * sigmoid(x)` (same as `silu`)")
hard_sigmoid = _activation("hard_sigmoid", F.hardsigmoid, "`relu6(x + 3) / 6`")
hard_silu = _activation("hard_silu", F.hardswish, "`x * relu6(x + 3) / 6`")
hard_swish = _activation("hard_swish", F.hardswish, "`x * relu6(x + 3) / 6` (as `hard_silu`)")
hard_tanh = _activation("hard_tanh", F.hardtanh, "`x` clipped to [-1, 1]")
log_sigmoid = _activation("log_sigmoid", F.logsigmoid, "`log(sigmoid(x))`, computed stably")
tanh_shrink = _activation("tanh_shrink", F.tanhshrink, "`x - tanh(x)`")


def sparse_sigmoid(x):
    """0 below -1, 1 above 1, `(x + 1) / 2` between.

    Args:
        x: Input tensor.
    """
    x = convert.tensor(x)
    return torch.clamp(0.5 * (x + 1), 0.0, 1.0)


def sparse_plus(x):
    """0 below -1, `x` above 1, `(x + 1)**2 / 4` between.

    Args:
        x: Input tensor.
    """
    x = convert.tensor(x)
    return torch.where(x <= -1, torch.zeros_like(x), torch.where(x < 1, 0.25 * (x + 1) ** 2, x))


def squareplus(x, b=4):
    """`(x + sqrt(x**2 + b)) / 2`, a smooth ReLU.

    Args:
        x: Input tensor.
        b: Smoothness, non-negative.
    """
    x = convert.tensor(x)
    return (x + torch.sqrt(x**2 + convert.tensor(b, device=x.device))) / 2


def elu(x, alpha=1.0):
    """Exponential linear unit: `x` if `x > 0` else `alpha * (exp(x) - 1)`."""
    return F.elu(convert.tensor(x), alpha)


def celu(x, alpha=1.0):
    """Continuously differentiable ELU: `max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))`."""
    return F.celu(convert.tensor(x), alpha)


def leaky_relu(x, negative_slope=0.2):
    """`x` if `x >= 0` else `negative_slope * x` (Keras' default slope 0.2; torch's 0.01)."""
    return F.leaky_relu(convert.tensor(x), negative_slope)


def gelu(x, approximate=True):
    """Gaussian error linear unit; the tanh approximation by default (torch's default is exact).

    Args:
        x: Input tensor.
        approximate: Whether to use the tanh approximation.
    """
    return F.gelu(convert.tensor(x), approximate="tanh" if approximate else "none")


def glu(x, axis=-1):
    """Gated linear unit: first half of `axis` times sigmoid of the second half."""
    x = convert.tensor(x)
    if x.shape[axis] % 2:
        raise ValueError(f"`glu`: axis {axis} must have an even size, got shape {tuple(x.shape)}.")
    return F.glu(x, dim=axis)


def hard_shrink(x, threshold=0.5):
    """`x` where `|x| > threshold`, else 0."""
    return F.hardshrink(convert.tensor(x), threshold)


def soft_shrink(x, threshold=0.5):
    """`x - threshold * sign(x)` where `|x| > threshold`, else 0."""
    return F.softshrink(convert.tensor(x), threshold)


def threshold(x, threshold, default_value):
    """`x` where `x > threshold`, else `default_value`."""
    return F.threshold(convert.tensor(x), threshold, default_value)


def _softmax(x, axis, function):
    x = convert.tensor(x)
    dtype = x.dtype
    if dtype == torch.float16 and x.device.type == "cpu":
        x = x.to(torch.float32)
    if axis is None:
        out = function(x.reshape(-1), dim=-1).reshape(x.shape)
    elif isinstance(axis, (tuple, list)):
        moved = torch.movedim(x, tuple(axis), tuple(range(-len(axis), 0)))
        flat = moved.reshape(*moved.shape[: -len(axis)], -1)
        out = function(flat, dim=-1).reshape(moved.shape)
        out = torch.movedim(out, tuple(range(-len(axis), 0)), tuple(axis))
    else:
        out = function(x, dim=axis)
    return out.to(dtype)


def softmax(x, axis=-1):
    """`exp(x) / sum(exp(x))` along `axis` (an int, a tuple, or None for all axes)."""
    return _softmax(x, axis, F.softmax)


def log_softmax(x, axis=-1):
    """`x - logsumexp(x)` along `axis` (an int, a tuple, or None for all axes)."""
    return _softmax(x, axis, F.log_softmax)


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot encoding of integer labels `x`; negative labels give all-zero rows.

    Args:
        x: Integer labels.
        num_classes: Size of the encoding axis.
        axis: Where the encoding axis goes in the output.
        dtype: Output dtype; None: floatx.
        sparse: Must be False on torch.

    Shapes: `x.shape` -> `x.shape` with `num_classes` inserted at `axis`.
    """
    if sparse:
        raise ValueError("`one_hot`: sparse=True is not supported with torch.")
    x = convert.tensor(x).long()
    out = F.one_hot(torch.clamp(x, min=0), num_classes) * (x >= 0).unsqueeze(-1)
    out = out.to(dtypes.to_torch(dtype))
    if axis != -1 and axis != out.dim() - 1:
        out = torch.movedim(out, -1, axis)
    return out


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """Multi-hot encoding: 1 for every label present in each row of `inputs`.

    Args:
        inputs: Integer labels, `(n,)` or `(batch, n)`.
        num_classes: Size of the encoding axis.
        axis: Where the encoding axis goes.
        dtype: Output dtype; None: floatx.
        sparse: Must be False on torch.
    """
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    if num_classes is None or kwargs:
        raise ValueError(f"`multi_hot`: num_classes is required, got extra arguments {kwargs}.")
    inputs = convert.tensor(inputs)
    encoded = one_hot(inputs.to(torch.int32), num_classes, axis=axis, dtype=dtype, sparse=sparse)
    return torch.amax(encoded, dim=1 if inputs.dim() > 1 else 0)

symbolic_dispatch.accept_symbolic_tensors(globals())  # `keras.ops.nn.*` on KerasTensors record
