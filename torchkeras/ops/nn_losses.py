"""`keras.ops.nn` crossentropies and normalization: per-sample losses, moments, batch_normalization,
normalize. Probabilities are clipped to `[epsilon, 1 - epsilon]` as Keras does."""

import torch
import torch.nn.functional as F

from torchkeras import config
from torchkeras.ops import convert, dtypes


def _same_shape(target, output, op):
    if target.shape != output.shape:
        raise ValueError(
            f"`{op}`: target and output must have the same shape, got "
            f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}."
        )


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary crossentropy between labels `target` and predictions `output`.

    Args:
        target: Labels in [0, 1].
        output: Probabilities, or logits when `from_logits`.
        from_logits: Whether `output` holds logits.
    """
    target, output = convert.tensors(target, output)
    _same_shape(target, output, "binary_crossentropy")
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    eps = config.epsilon()
    return F.binary_cross_entropy(torch.clamp(output, eps, 1 - eps), target, reduction="none")


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Crossentropy between one-hot (or soft) `target` and `output` along `axis`.

    Args:
        target: Class probabilities, the shape of `output`.
        output: Probabilities (renormalized along `axis`), or logits when `from_logits`.
        from_logits: Whether `output` holds logits.
        axis: The class axis.

    Shapes: `output.shape` without `axis`.
    """
    target, output = convert.tensors(target, output)
    _same_shape(target, output, "categorical_crossentropy")
    if target.dim() < 1:
        raise ValueError("`categorical_crossentropy`: target and output need rank >= 1.")
    if from_logits:
        log_prob = F.log_softmax(output, dim=axis)
    else:
        output = output / torch.sum(output, dim=axis, keepdim=True)
        log_prob = torch.log(torch.clamp(output, config.epsilon(), 1 - config.epsilon()))
    return -torch.sum(target * log_prob, dim=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Crossentropy between integer labels `target` and `output` along `axis`.

    Args:
        target: Integer class ids, `output.shape` without `axis` (or with it of size 1).
        output: Probabilities (renormalized along `axis`), or logits when `from_logits`.
        from_logits: Whether `output` holds logits.
        axis: The class axis.
    """
    output = convert.tensor(output)
    target = convert.tensor(target, device=output.device).long()
    if target.dim() == output.dim() and target.shape[axis] == 1:
        target = target.squeeze(axis)
    expected = list(output.shape)
    del expected[axis]
    if list(target.shape) != expected:
        raise ValueError(
            "`sparse_categorical_crossentropy`: target must have output's shape without the "
            f"class axis, got target.shape={tuple(target.shape)}, "
            f"output.shape={tuple(output.shape)}."
        )
    output = output.movedim(axis, -1)
    if from_logits:
        log_prob = F.log_softmax(output, dim=-1)
    else:
        output = output / torch.sum(output, dim=-1, keepdim=True)
        log_prob = torch.log(torch.clamp(output, config.epsilon(), 1 - config.epsilon()))
    return -torch.gather(log_prob, -1, target.unsqueeze(-1)).squeeze(-1)


def moments(x, axes, keepdims=False, synchronized=False):
    """Mean and variance of `x` over `axes` (variance as `E[x^2] - E[x]^2`, as Keras computes).

    Args:
        x: Input.
        axes: Axes to reduce.
        keepdims: Whether reduced axes stay as size 1.
        synchronized: Must be False (no cross-device reduction on torch).

    Returns: `(mean, variance)`; float16 inputs are reduced in float32.
    """
    if synchronized:
        raise ValueError("`moments`: synchronized=True is not supported with torch.")
    x = convert.tensor(x)
    dtype = x.dtype
    if dtype == torch.float16:
        x = x.to(torch.float32)
    dims = convert.axes(axes)
    mean = torch.mean(x, dim=dims, keepdim=True)
    variance = torch.mean(torch.square(x), dim=dims, keepdim=True) - torch.square(mean)
    if not keepdims:
        mean, variance = mean.squeeze(dims), variance.squeeze(dims)
    if dtype == torch.float16:
        limit = torch.finfo(torch.float16).max
        mean = torch.clamp(mean, -limit, limit).to(dtype)
        variance = torch.clamp(variance, -limit, limit).to(dtype)
    return mean, variance


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """`(x - mean) / sqrt(variance + epsilon) * scale + offset`, statistics along `axis`.

    Args:
        x: Input.
        mean, variance: 1-D statistics of size `x.shape[axis]`.
        axis: The feature axis.
        offset, scale: Optional 1-D beta and gamma.
        epsilon: Added to the variance.
    """
    x = convert.tensor(x)
    shape = [1] * x.dim()
    shape[axis] = x.shape[axis]
    mean = convert.tensor(mean, device=x.device).reshape(shape)
    inv = torch.rsqrt(convert.tensor(variance, device=x.device).reshape(shape) + epsilon)
    if scale is not None:
        inv = inv * convert.tensor(scale, device=x.device).reshape(shape)
    out = (x - mean) * inv
    if offset is not None:
        out = out + convert.tensor(offset, device=x.device).reshape(shape)
    return out


def normalize(x, axis=-1, order=2, epsilon=None):
    """`x` divided by its `order`-norm along `axis` (at least `epsilon`).

    Args:
        x: Input.
        axis: Axis of the vectors.
        order: 2 (L2) or another norm order.
        epsilon: Lower bound of the norm; None: `config.epsilon()`.
    """
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"`normalize`: `order` must be an int >= 1, got order={order!r}.")
    x = convert.tensor(x)
    if x.dim() == 0:
        x = x.unsqueeze(0)
    epsilon = config.epsilon() if epsilon is None else epsilon
    if x.dtype in (torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8, torch.bool):
        x = x.to(torch.float32)
    if order == 2:
        square_sum = torch.sum(torch.square(x), dim=axis, keepdim=True)
        return x * torch.clamp(torch.rsqrt(square_sum), max=1.0 / epsilon)
    norm = torch.linalg.vector_norm(x, ord=order, dim=axis, keepdim=True)
    return x / torch.clamp(norm, min=epsilon)


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """Connectionist temporal classification loss per sample, from logits.

    Args:
        target: `(batch, max_label_length)` integer labels.
        output: `(batch, max_time, classes)` logits (log-softmaxed here).
        target_length, output_length: `(batch,)` true lengths.
        mask_index: The blank class.

    Shapes: `(batch,)`, in float32 or wider.
    """
    output = convert.tensor(output)
    target, target_length, output_length = (
        convert.tensor(v, device=output.device) for v in (target, target_length, output_length)
    )
    dtype = dtypes.to_torch(dtypes.result_type(output.dtype, "float32"))
    log_probs = F.log_softmax(output.to(dtype).transpose(0, 1), dim=-1)
    return F.ctc_loss(
        log_probs, target, output_length, target_length, blank=mask_index, reduction="none"
    )
