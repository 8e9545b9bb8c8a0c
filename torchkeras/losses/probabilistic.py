"""Binary crossentropy (plain and focal), Kullback-Leibler divergence and Poisson losses.

On probabilities Keras clips to `[epsilon, 1 - epsilon]` before the log; on logits it uses the
stable `binary_cross_entropy_with_logits` kernel. Both are reproduced exactly.
"""

import torch
import torch.nn.functional as F

from torchkeras import config
from torchkeras.losses.loss import BuiltinLoss, fused_form
from torchkeras.registry import LOSSES


def _float_pair(y_true, y_pred):
    """Tensors of `y_pred`'s dtype; numpy inputs are converted once."""
    y_pred = torch.as_tensor(y_pred)
    return torch.as_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device), y_pred


def _check_same_shape(y_true, y_pred, fn_name):
    """Keras' ValueError when labels and predictions disagree in shape."""
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"In {fn_name}, arguments `target` and `output` must have the same shape. Received: "
            f"target.shape={tuple(y_true.shape)}, output.shape={tuple(y_pred.shape)}"
        )


def clipped_binary_crossentropy(target, output):
    """Elementwise BCE of probabilities clipped to `[eps, 1 - eps]`, Keras' torch formula.

    One `F.binary_cross_entropy` kernel; under CUDA autocast (where that kernel is refused) the
    same formula is written out with `log`/`log1p`, equal within a few ulps.

    Args:
        target: Labels in [0, 1].
        output: Probabilities, same shape.
    """
    eps = config.epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    if output.is_cuda and torch.is_autocast_enabled("cuda"):
        return (target - 1.0) * torch.log1p(-output) - target * torch.log(output)
    return F.binary_cross_entropy(output, target, reduction="none")


@LOSSES.register("bce", "BCE")
def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary crossentropy, averaged over `axis`.

    Args:
        y_true: Labels in [0, 1], same shape as `y_pred`.
        y_pred: Probabilities, or logits when `from_logits=True`.
        from_logits: Whether `y_pred` holds logits (stable kernel) rather than probabilities.
        label_smoothing: In [0, 1]; labels become `y * (1 - s) + 0.5 * s`.
        axis: Axis averaged over.

    Shapes: `(batch, ..., d)` -> `(batch, ...)`.
    """
    y_true, y_pred = _float_pair(y_true, y_pred)
    _check_same_shape(y_true, y_pred, "binary_crossentropy")
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        losses = F.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")
    else:
        losses = clipped_binary_crossentropy(y_true, y_pred)
    return losses.mean(dim=axis)


@fused_form(binary_crossentropy)
def _fused_binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """The mean over all elements in one BCE kernel (equal to the mean of the means over `axis`)."""
    if y_true.shape != y_pred.shape or y_pred.numel() == 0:
        return None
    y_true = y_true.to(y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        return F.binary_cross_entropy_with_logits(y_pred, y_true)
    if y_pred.is_cuda and torch.is_autocast_enabled("cuda"):
        return None
    eps = config.epsilon()
    return F.binary_cross_entropy(torch.clamp(y_pred, eps, 1.0 - eps), y_true)


@LOSSES.register()
def binary_focal_crossentropy(
    y_true,
    y_pred,
    apply_class_balancing=False,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
):
    """Binary crossentropy scaled by `(1 - p_t) ** gamma`, which down-weights easy examples.

    Args:
        y_true: Labels in [0, 1].
        y_pred: Probabilities, or logits when `from_logits=True` (passed through a sigmoid).
        apply_class_balancing: Whether to weight class 1 by `alpha` and class 0 by `1 - alpha`.
        alpha: Class balancing weight, in [0, 1].
        gamma: Focusing exponent; 0 gives plain binary crossentropy.
        from_logits: Whether `y_pred` holds logits.
        label_smoothing: In [0, 1]; labels become `y * (1 - s) + 0.5 * s`.
        axis: Axis averaged over.

    Shapes: `(batch, ..., d)` -> `(batch, ...)`.
    """
    y_true, y_pred = _float_pair(y_true, y_pred)
    _check_same_shape(y_true, y_pred, "binary_focal_crossentropy")
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = torch.sigmoid(y_pred)
    bce = clipped_binary_crossentropy(y_true, y_pred)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal_bce = torch.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal_bce
    return focal_bce.mean(dim=axis)


@LOSSES.register("kld", "KLD", "kullback_leibler_divergence")
def kl_divergence(y_true, y_pred):
    """`sum(y_true * log(y_true / y_pred), axis=-1)`, both clipped to `[epsilon, 1]`.

    Args:
        y_true: Target distributions.
        y_pred: Predicted distributions, same shape.

    Shapes: `(batch, ..., d)` -> `(batch, ...)`.
    """
    y_true, y_pred = _float_pair(y_true, y_pred)
    eps = config.epsilon()
    y_true = torch.clamp(y_true, eps, 1.0)
    y_pred = torch.clamp(y_pred, eps, 1.0)
    return torch.sum(y_true * torch.log(y_true / y_pred), dim=-1)


@LOSSES.register()
def poisson(y_true, y_pred):
    """`mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)`.

    Args:
        y_true: Observed counts.
        y_pred: Predicted rates, same shape.

    Shapes: `(batch, ..., d)` -> `(batch, ...)`.
    """
    y_true, y_pred = _float_pair(y_true, y_pred)
    return (y_pred - y_true * torch.log(y_pred + config.epsilon())).mean(dim=-1)


@LOSSES.register()
class BinaryCrossentropy(BuiltinLoss):
    """Crossentropy between 0/1 labels and predicted probabilities (or logits).

    Args:
        from_logits: Whether predictions are logits; the stable logits kernel is then used.
        label_smoothing: In [0, 1]; squeezes labels towards 0.5.
        axis: Axis averaged over.
        reduction: As in `Loss`; `"sum_over_batch_size"` by default.
        name: Name of the loss instance.
        dtype: Compute dtype; floatx by default.
    """


    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_crossentropy",
        dtype=None,
    ):
        super().__init__(
            binary_crossentropy,
            reduction,
            name,
            dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


@LOSSES.register()
class BinaryFocalCrossentropy(BuiltinLoss):
    """Binary focal crossentropy: binary crossentropy that down-weights easy examples.

    Args:
        apply_class_balancing: Whether to weight the classes by `alpha` and `1 - alpha`.
        alpha: Class balancing weight, in [0, 1].
        gamma: Focusing exponent.
        from_logits: Whether predictions are logits.
        label_smoothing: In [0, 1]; squeezes labels towards 0.5.
        axis: Axis averaged over.
        reduction: As in `Loss`.
        name: Name of the loss instance.
        dtype: Compute dtype; floatx by default.
    """

    def __init__(
        self,
        apply_class_balancing=False,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(
            binary_focal_crossentropy,
            reduction,
            name,
            dtype,
            apply_class_balancing=apply_class_balancing,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


@LOSSES.register()
class KLDivergence(BuiltinLoss):
    """Kullback-Leibler divergence between target and predicted distributions.

    Args:
        reduction: As in `Loss`.
        name: Name of the loss instance.
        dtype: Compute dtype; floatx by default.
    """

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, reduction, name, dtype)


@LOSSES.register()
class Poisson(BuiltinLoss):
    """Poisson loss, `y_pred - y_true * log(y_pred)`, for count data.

    Args:
        reduction: As in `Loss`.
        name: Name of the loss instance.
        dtype: Compute dtype; floatx by default.
    """

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, reduction, name, dtype)
