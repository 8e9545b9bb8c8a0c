"""Pearson and concordance correlation coefficients, per sample along an axis."""

import torch

from torchkeras import config
from torchkeras.losses.loss import squeeze_or_expand_to_same_rank
from torchkeras.metrics.metric import metric_function, to_tensor
from torchkeras.metrics.reduction_metrics import MeanMetricWrapper
from torchkeras.registry import METRICS


def _pair(y_true, y_pred):
    y_pred = to_tensor(y_pred)
    y_true = to_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


@metric_function
def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson's r of `y_true` and `y_pred` along `axis` (population standard deviations).

    Shapes: `(batch, ..., d)` -> `(batch, ...)` for `axis=-1`.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = y_true - y_true.mean(dim=axis, keepdim=True)
    y_pred = y_pred - y_pred.mean(dim=axis, keepdim=True)
    y_true = y_true / y_true.std(dim=axis, keepdim=True, correction=0)
    y_pred = y_pred / y_pred.std(dim=axis, keepdim=True, correction=0)
    return (y_true * y_pred).mean(dim=axis)


@metric_function
def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation: `2 cov / (var_true + var_pred + (mean_true - mean_pred)^2)`.

    `epsilon()` is added to the denominator, as in Keras.

    Shapes: `(batch, ..., d)` -> `(batch, ...)` for `axis=-1`.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    true_mean = y_true.mean(dim=axis, keepdim=True)
    pred_mean = y_pred.mean(dim=axis, keepdim=True)
    true_var = (y_true - true_mean).var(dim=axis, keepdim=True, correction=0)
    pred_var = (y_pred - pred_mean).var(dim=axis, keepdim=True, correction=0)
    covariance = (y_true - true_mean) * (y_pred - pred_mean)
    norm = true_var + pred_var + torch.square(true_mean - pred_mean)
    return (2.0 * covariance / (norm + config.epsilon())).mean(dim=axis)


@METRICS.register("pearson_correlation")
class PearsonCorrelation(MeanMetricWrapper):
    """Running mean of the per-sample Pearson correlation along `axis`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.
        axis: Axis along which the correlation is computed.
    """

    _config_keys = ("axis",)

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis


@METRICS.register("concordance_correlation")
class ConcordanceCorrelation(MeanMetricWrapper):
    """Running mean of the per-sample concordance correlation along `axis`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.
        axis: Axis along which the correlation is computed.
    """

    _config_keys = ("axis",)

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
