"""Regression losses: mean squared/absolute/percentage/log errors, Huber, log-cosh, cosine.

Each function returns one loss per sample (the mean over the last axis, as Keras) and each class
wraps its function with Keras' name and defaults.
"""

import math

import torch
import torch.nn.functional as F

from torchkeras import config
from torchkeras.losses.loss import BuiltinLoss, fused_form, squeeze_or_expand_to_same_rank
from torchkeras.registry import LOSSES


def _pair(y_true, y_pred):
    """Tensors of `y_pred`'s dtype with Keras' rank fix; numpy inputs are converted once."""
    y_pred = torch.as_tensor(y_pred)
    y_true = torch.as_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


@LOSSES.register("mse", "MSE")
def mean_squared_error(y_true, y_pred):
    """`mean(square(y_true - y_pred), axis=-1)`, one torch kernel plus the mean.

    Args:
        y_true: Targets, `(batch, ..., d)`.
        y_pred: Predictions, same shape (a `(batch,)`/`(batch, 1)` mismatch is fixed).

    Shapes: `(batch, ..., d)` -> `(batch, ...)`.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    if y_true.shape == y_pred.shape:
        return F.mse_loss(y_pred, y_true, reduction="none").mean(dim=-1)
    return torch.square(y_true - y_pred).mean(dim=-1)


@fused_form(mean_squared_error)
def _fused_mean_squared_error(y_true, y_pred):
    """The mean over all elements in one `F.mse_loss` kernel (equal to the mean of row means)."""
    if y_true.shape != y_pred.shape or y_pred.numel() == 0:
        return None
    return F.mse_loss(y_pred, y_true.to(y_pred.dtype))


@LOSSES.register("mae", "MAE")
def mean_absolute_error(y_true, y_pred):
    """`mean(abs(y_true - y_pred), axis=-1)`.

    Args:
        y_true: Targets, `(batch, ..., d)`.
        y_pred: Predictions, same shape.

    Shapes: `(batch, ..., d)` -> `(batch, ...)`.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    if y_true.shape == y_pred.shape:
        return F.l1_loss(y_pred, y_true, reduction="none").mean(dim=-1)
    return torch.abs(y_true - y_pred).mean(dim=-1)


@fused_form(mean_absolute_error)
def _fused_mean_absolute_error(y_true, y_pred):
    """The mean over all elements in one `F.l1_loss` kernel."""
    if y_true.shape != y_pred.shape or y_pred.numel() == 0:
        return None
    return F.l1_loss(y_pred, y_true.to(y_pred.dtype))


@LOSSES.register("mape", "MAPE")
def mean_absolute_percentage_error(y_true, y_pred):
    """`100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)`.

    Args:
        y_true: Targets, `(batch, ..., d)`; zeros are replaced by `epsilon()` in the divisor.
        y_pred: Predictions, same shape.

    Shapes: `(batch, ..., d)` -> `(batch, ...)`.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    divisor = torch.clamp(torch.abs(y_true), min=config.epsilon())
    return 100.0 * torch.abs((y_true - y_pred) / divisor).mean(dim=-1)


@LOSSES.register("msle", "MSLE")
def mean_squared_logarithmic_error(y_true, y_pred):
    """`mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)`.

    Args:
        y_true: Targets, `(batch, ..., d)`; values below `epsilon()` are raised to it.
        y_pred: Predictions, same shape; values below `epsilon()` are raised to it.

    Shapes: `(batch, ..., d)` -> `(batch, ...)`.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    eps = config.epsilon()
    first_log = torch.log(torch.clamp(y_pred, min=eps) + 1.0)
    second_log = torch.log(torch.clamp(y_true, min=eps) + 1.0)
    return torch.square(first_log - second_log).mean(dim=-1)


def _l2_normalize(x, axis):
    """`x * min(rsqrt(sum(x^2)), 1 / epsilon)`: Keras' L2 normalization (zero vectors stay 0)."""
    inverse_norm = torch.rsqrt(torch.sum(torch.square(x), dim=axis, keepdim=True))
    return x * torch.clamp(inverse_norm, max=1.0 / config.epsilon())


@LOSSES.register()
def cosine_similarity(y_true, y_pred, axis=-1):
    """`-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`: -1 means identical directions.

    Args:
        y_true: Targets.
        y_pred: Predictions, same shape.
        axis: Axis (or axes) along which the similarity is computed.

    Shapes: `(batch, ..., d)` -> `(batch, ...)` for `axis=-1`.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_pred = _l2_normalize(y_pred, axis)
    y_true = _l2_normalize(y_true, axis)
    return -torch.sum(y_true * y_pred, dim=axis)


@LOSSES.register()
def huber(y_true, y_pred, delta=1.0):
    """Mean over the last axis of `0.5 x^2` for `|x| <= delta`, else `delta (|x| - 0.5 delta)`.

    Computed by `F.huber_loss` in one kernel; equal to Keras' `delta |x| - 0.5 delta^2` up to
    one rounding (bit-equal for `delta=1`).

    Args:
        y_true: Targets, `(batch, ..., d)`.
        y_pred: Predictions, same shape.
        delta: Where the loss turns from quadratic to linear; a positive float.

    Shapes: `(batch, ..., d)` -> `(batch, ...)`.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        y_true, y_pred = torch.broadcast_tensors(y_true, y_pred)
    return F.huber_loss(y_pred, y_true, reduction="none", delta=float(delta)).mean(dim=-1)


@LOSSES.register("logcosh")
def log_cosh(y_true, y_pred):
    """`mean(log(cosh(y_pred - y_true)), axis=-1)`, as `x + softplus(-2x) - log(2)` (no overflow).

    Args:
        y_true: Targets, `(batch, ..., d)`.
        y_pred: Predictions, same shape.

    Shapes: `(batch, ..., d)` -> `(batch, ...)`.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    x = y_pred - y_true
    return (x + F.softplus(x * -2.0) - math.log(2.0)).mean(dim=-1)


@LOSSES.register()
class MeanSquaredError(BuiltinLoss):
    """Mean of squared errors, `mean(square(y_true - y_pred))`.

    Args:
        reduction: As in `Loss`; `"sum_over_batch_size"` by default.
        name: Name of the loss instance.
        dtype: Compute dtype; floatx by default.
    """


    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction, name, dtype)


@LOSSES.register()
class MeanAbsoluteError(BuiltinLoss):
    """Mean of absolute errors, `mean(abs(y_true - y_pred))`.

    Args:
        reduction: As in `Loss`.
        name: Name of the loss instance.
        dtype: Compute dtype; floatx by default.
    """


    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction, name, dtype)


@LOSSES.register()
class MeanAbsolutePercentageError(BuiltinLoss):
    """Mean absolute percentage error, `100 * mean(abs((y_true - y_pred) / y_true))`.

    Args:
        reduction: As in `Loss`.
        name: Name of the loss instance.
        dtype: Compute dtype; floatx by default.
    """

    def __init__(
        self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error", dtype=None
    ):
        super().__init__(mean_absolute_percentage_error, reduction, name, dtype)


@LOSSES.register()
class MeanSquaredLogarithmicError(BuiltinLoss):
    """Mean squared logarithmic error, `mean(square(log(y_true + 1) - log(y_pred + 1)))`.

    Args:
        reduction: As in `Loss`.
        name: Name of the loss instance.
        dtype: Compute dtype; floatx by default.
    """

    def __init__(
        self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error", dtype=None
    ):
        super().__init__(mean_squared_logarithmic_error, reduction, name, dtype)


@LOSSES.register()
class CosineSimilarity(BuiltinLoss):
    """Negative cosine similarity between labels and predictions (-1 is best).

    Keras 3.15.1 leaves `axis` out of the config; it is written here so it survives a round trip.

    Args:
        axis: Axis along which the similarity is computed.
        reduction: As in `Loss`.
        name: Name of the loss instance.
        dtype: Compute dtype; floatx by default.
    """

    def __init__(
        self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None
    ):
        super().__init__(cosine_similarity, reduction, name, dtype, axis=axis)


@LOSSES.register()
class Huber(BuiltinLoss):
    """Huber loss: quadratic for errors up to `delta`, linear beyond.

    Keras 3.15.1 leaves `delta` out of the config; it is written here so it survives a round trip.

    Args:
        delta: Where the loss turns from quadratic to linear.
        reduction: As in `Loss`.
        name: Name of the loss instance.
        dtype: Compute dtype; floatx by default.
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(huber, reduction, name, dtype, delta=delta)


@LOSSES.register()
class LogCosh(BuiltinLoss):
    """Logarithm of the hyperbolic cosine of the prediction error.

    Args:
        reduction: As in `Loss`.
        name: Name of the loss instance.
        dtype: Compute dtype; floatx by default.
    """

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, reduction, name, dtype)
