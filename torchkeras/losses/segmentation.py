"""Overlap losses for segmentation masks: Dice and Tversky."""

import torch

from torchkeras import config
from torchkeras.losses.loss import BuiltinLoss
from torchkeras.registry import LOSSES


def _float_pair(y_true, y_pred):
    """Tensors of `y_pred`'s dtype; numpy inputs are converted once."""
    y_pred = torch.as_tensor(y_pred)
    return torch.as_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device), y_pred


def _sum(x, axis):
    """`x` summed over `axis` (an int, a sequence of ints, or `None` for every axis)."""
    if axis is None:
        return x.sum()
    return x.sum(dim=tuple(axis) if isinstance(axis, (list, tuple)) else axis)


@LOSSES.register()
def dice(y_true, y_pred, axis=None):
    """`1 - 2 sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + epsilon)` over `axis`.

    Args:
        y_true: Target masks.
        y_pred: Predicted masks, same shape.
        axis: Axes summed over; `None` (Keras' default) gives one value for the whole batch.

    Shapes: `(batch, ...)` -> `()` for `axis=None`, else the shape without `axis`.
    """
    y_true, y_pred = _float_pair(y_true, y_pred)
    intersection = _sum(y_true * y_pred, axis)
    union = _sum(y_true, axis) + _sum(y_pred, axis) + config.epsilon()
    return 1.0 - 2.0 * intersection / union


@LOSSES.register()
def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """`1 - I / (I + alpha sum((1 - y_pred) y_true) + beta sum(y_pred (1 - y_true)) + eps)`.

    A Dice loss that weighs the two kinds of error apart; `I = sum(y_true * y_pred)`. The
    terms are paired with `alpha` and `beta` exactly as in Keras (whose docs call the
    `alpha` term false positives).

    Args:
        y_true: Target masks.
        y_pred: Predicted masks, same shape.
        alpha: Weight of `sum((1 - y_pred) * y_true)`.
        beta: Weight of `sum(y_pred * (1 - y_true))`.
        axis: Axes summed over; `None` gives one value for the whole batch.

    Shapes: `(batch, ...)` -> `()` for `axis=None`, else the shape without `axis`.
    """
    y_true, y_pred = _float_pair(y_true, y_pred)
    intersection = _sum(y_true * y_pred, axis)
    missed = _sum((1.0 - y_pred) * y_true, axis)
    spurious = _sum(y_pred * (1.0 - y_true), axis)
    denominator = intersection + missed * alpha + spurious * beta
    return 1.0 - intersection / (denominator + config.epsilon())


@LOSSES.register()
class Dice(BuiltinLoss):
    """Dice loss, one minus the overlap `2 |A n B| / (|A| + |B|)` of target and prediction.

    Args:
        reduction: As in `Loss`; `"sum_over_batch_size"` by default.
        name: Name of the loss instance.
        axis: Axes summed over; `None` sums everything.
        dtype: Compute dtype; floatx by default.
    """

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, reduction, name, dtype, axis=axis)


@LOSSES.register()
class Tversky(BuiltinLoss):
    """Tversky loss, a Dice loss with separate weights for false positives and negatives.

    Args:
        alpha: Weight of `sum((1 - y_pred) * y_true)` (Keras: false positives).
        beta: Weight of `sum(y_pred * (1 - y_true))` (Keras: false negatives).
        reduction: As in `Loss`.
        name: Name of the loss instance.
        axis: Axes summed over; `None` sums everything.
        dtype: Compute dtype; floatx by default.
    """

    def __init__(
        self,
        alpha=0.5,
        beta=0.5,
        reduction="sum_over_batch_size",
        name="tversky",
        axis=None,
        dtype=None,
    ):
        super().__init__(tversky, reduction, name, dtype, alpha=alpha, beta=beta, axis=axis)
