"""Hinge losses for maximum-margin classifiers: hinge, squared hinge and categorical hinge."""

import torch

from torchkeras.losses.loss import BuiltinLoss
from torchkeras.registry import LOSSES


def _float_pair(y_true, y_pred):
    """Tensors of `y_pred`'s dtype; numpy inputs are converted once."""
    y_pred = torch.as_tensor(y_pred)
    return torch.as_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device), y_pred


def _to_signed_labels(y_true):
    """0/1 labels become -1/1; other labels (already -1/1) are kept, with no host sync.

    Keras checks whether every label is 0 or 1; here that test stays a device tensor and
    `torch.where` picks the converted or the original labels.
    """
    is_binary = torch.all((y_true == 0) | (y_true == 1))
    return torch.where(is_binary, 2.0 * y_true - 1.0, y_true)


@LOSSES.register()
def hinge(y_true, y_pred):
    """`mean(maximum(1 - y_true * y_pred, 0), axis=-1)`, labels in {-1, 1} or {0, 1}.

    Args:
        y_true: Labels, -1/1 or 0/1 (0/1 labels are converted to -1/1).
        y_pred: Raw scores, same shape.

    Shapes: `(batch, ..., d)` -> `(batch, ...)`.
    """
    y_true, y_pred = _float_pair(y_true, y_pred)
    y_true = _to_signed_labels(y_true)
    return torch.clamp(1.0 - y_true * y_pred, min=0.0).mean(dim=-1)


@LOSSES.register()
def squared_hinge(y_true, y_pred):
    """`mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)`, labels in {-1, 1} or {0, 1}.

    Args:
        y_true: Labels, -1/1 or 0/1 (0/1 labels are converted to -1/1).
        y_pred: Raw scores, same shape.

    Shapes: `(batch, ..., d)` -> `(batch, ...)`.
    """
    y_true, y_pred = _float_pair(y_true, y_pred)
    y_true = _to_signed_labels(y_true)
    return torch.square(torch.clamp(1.0 - y_true * y_pred, min=0.0)).mean(dim=-1)


@LOSSES.register()
def categorical_hinge(y_true, y_pred):
    """`maximum(neg - pos + 1, 0)`: the true class's margin over the best other class.

    `pos = sum(y_true * y_pred)` and `neg = max((1 - y_true) * y_pred)` along the last axis.

    Args:
        y_true: One-hot labels (0/1 or -1/1).
        y_pred: Raw scores, same shape.

    Shapes: `(batch, ..., classes)` -> `(batch, ...)`.
    """
    y_true, y_pred = _float_pair(y_true, y_pred)
    pos = torch.sum(y_true * y_pred, dim=-1)
    neg = torch.amax((1.0 - y_true) * y_pred, dim=-1)
    return torch.clamp(neg - pos + 1.0, min=0.0)


@LOSSES.register()
class Hinge(BuiltinLoss):
    """Hinge loss, `maximum(1 - y_true * y_pred, 0)`, for -1/1 (or 0/1) labels.

    Args:
        reduction: As in `Loss`; `"sum_over_batch_size"` by default.
        name: Name of the loss instance.
        dtype: Compute dtype; floatx by default.
    """

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, reduction, name, dtype)


@LOSSES.register()
class SquaredHinge(BuiltinLoss):
    """Squared hinge loss, `square(maximum(1 - y_true * y_pred, 0))`.

    Args:
        reduction: As in `Loss`.
        name: Name of the loss instance.
        dtype: Compute dtype; floatx by default.
    """

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, reduction, name, dtype)


@LOSSES.register()
class CategoricalHinge(BuiltinLoss):
    """Categorical hinge loss for one-hot labels: the margin of the true class over the best other.

    Args:
        reduction: As in `Loss`.
        name: Name of the loss instance.
        dtype: Compute dtype; floatx by default.
    """

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, reduction, name, dtype)
