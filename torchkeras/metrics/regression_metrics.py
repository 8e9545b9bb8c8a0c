"""Regression metrics: mean absolute/squared/percentage/log errors, RMSE, cosine, log-cosh, R^2."""

import torch

from torchkeras import config, losses
from torchkeras.losses.loss import squeeze_or_expand_to_same_rank
from torchkeras.metrics.metric import Metric, metric_function, to_tensor
from torchkeras.metrics.reduction_metrics import Mean, MeanMetricWrapper
from torchkeras.registry import METRICS

for _fn in (
    losses.mean_absolute_error,
    losses.mean_squared_error,
    losses.mean_absolute_percentage_error,
    losses.mean_squared_logarithmic_error,
    losses.log_cosh,
    losses.huber,
):
    metric_function(_fn)


def cosine_similarity(y_true, y_pred, axis=-1):
    """`sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`: 1 for identical directions.

    The metric's sign is the opposite of the loss `keras.losses.cosine_similarity`.

    Shapes: `(batch, ..., d)` -> `(batch, ...)` for `axis=-1`.
    """
    return -losses.cosine_similarity(y_true, y_pred, axis=axis)


@METRICS.register("mean_absolute_error", "mae", "MAE")
class MeanAbsoluteError(MeanMetricWrapper):
    """Running mean of `mean(|y_true - y_pred|, axis=-1)`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(losses.mean_absolute_error, name=name, dtype=dtype)


@METRICS.register("mean_squared_error", "mse", "MSE")
class MeanSquaredError(MeanMetricWrapper):
    """Running mean of `mean((y_true - y_pred)^2, axis=-1)`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(losses.mean_squared_error, name=name, dtype=dtype)


@METRICS.register("mean_absolute_percentage_error", "mape", "MAPE")
class MeanAbsolutePercentageError(MeanMetricWrapper):
    """Running mean of `100 * mean(|y_true - y_pred| / max(|y_true|, epsilon), axis=-1)`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(losses.mean_absolute_percentage_error, name=name, dtype=dtype)


@METRICS.register("mean_squared_logarithmic_error", "msle", "MSLE")
class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """Running mean of `mean((log(1 + y_true) - log(1 + y_pred))^2, axis=-1)`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(losses.mean_squared_logarithmic_error, name=name, dtype=dtype)


@METRICS.register("cosine_similarity")
class CosineSimilarity(MeanMetricWrapper):
    """Running mean of the cosine similarity of `y_true` and `y_pred` along `axis`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.
        axis: Axis along which the similarity is computed.
    """

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)


@METRICS.register("log_cosh_error")
class LogCoshError(MeanMetricWrapper):
    """Running mean of `mean(log(cosh(y_pred - y_true)), axis=-1)`.

    Args:
        name: Name of the metric (Keras' default is `"logcosh"`).
        dtype: Dtype of the state.
    """

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(losses.log_cosh, name=name, dtype=dtype)


@METRICS.register("root_mean_squared_error")
class RootMeanSquaredError(Mean):
    """`sqrt(mean((y_pred - y_true)^2))` over every element seen (weighted per sample).

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the batch's squared errors to the running mean."""
        dtype = self.total.value.dtype
        y_pred = to_tensor(y_pred, dtype=dtype, device=self.total.value.device)
        y_true = to_tensor(y_true, dtype=dtype, device=y_pred.device)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state(torch.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        """The square root of the running mean."""
        return torch.sqrt(super().result())


_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


@METRICS.register("r2_score")
class R2Score(Metric):
    """Coefficient of determination, `1 - residual sum of squares / total sum of squares`.

    Sums per output are accumulated over batches (weighted by `sample_weight`), so the score is
    that of all data seen. With `num_regressors` the adjusted R^2 is returned, where, as in
    Keras, the sample count `n` is the number of elements seen (rows x outputs); with too few
    samples the score is left unadjusted (Keras also warns; this reads nothing from the device).

    Args:
        class_aggregation: `"uniform_average"`, `"variance_weighted_average"` or `None` (one
            score per output).
        num_regressors: Number of independent variables, for the adjusted score; >= 0.
        name: Name of the metric.
        dtype: Dtype of the state.

    Shapes: `update_state(y_true (batch, outputs), y_pred (batch, outputs), sample_weight)`.
    """

    _config_keys = ("class_aggregation", "num_regressors")

    def __init__(
        self, class_aggregation="uniform_average", num_regressors=0, name="r2_score", dtype=None
    ):
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in _AGGREGATIONS:
            raise ValueError(
                "Invalid value for argument `class_aggregation`. Expected one of "
                f"{_AGGREGATIONS}. Received: class_aggregation={class_aggregation!r}"
            )
        if num_regressors < 0:
            raise ValueError(
                "Invalid value for argument `num_regressors`. Expected a value >= 0. "
                f"Received: num_regressors={num_regressors!r}"
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_weight(shape=(), initializer="zeros", name="num_samples")
        self._built = False

    def _build(self, num_outputs):
        for name in ("squared_sum", "sum", "residual", "count"):
            setattr(self, name, self.add_weight(shape=(num_outputs,), name=name))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the batch's weighted sums, squared sums and residuals per output."""
        dtype = self.num_samples.value.dtype
        y_pred = to_tensor(y_pred, dtype=dtype, device=self.num_samples.value.device)
        y_true = to_tensor(y_true, dtype=dtype, device=y_pred.device)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if y_pred.dim() != 2 or y_true.dim() != 2:
            raise ValueError(
                "R2Score expects 2D inputs with shape (batch_size, output_dim). Received input "
                f"shapes: y_pred.shape={tuple(y_pred.shape)} and "
                f"y_true.shape={tuple(y_true.shape)}."
            )
        if not self._built:
            self._build(y_pred.shape[-1])
        if sample_weight is None:
            weights = torch.ones((), dtype=dtype, device=y_pred.device)
        else:
            weights = to_tensor(sample_weight, dtype=dtype, device=y_pred.device)
            if weights.dim() == 1:
                weights = weights.unsqueeze(1)
        weights = weights.expand(y_true.shape)
        weighted = y_true * weights
        self.sum.assign_add(weighted.sum(0))
        self.squared_sum.assign_add((y_true * weighted).sum(0))
        self.residual.assign_add((torch.square(y_true - y_pred) * weights).sum(0))
        self.count.assign_add(weights.sum(0))
        self.num_samples.assign_add(y_true.numel())  # Keras counts elements, not rows

    def result(self):
        """The (aggregated, possibly adjusted) score; 0 before any data."""
        if not self._built:
            return torch.zeros((), dtype=config.standardize_dtype(self.dtype))
        mean = self.sum.value / self.count.value
        total = self.squared_sum.value - self.sum.value * mean
        raw = 1 - self.residual.value / total
        raw = torch.where(torch.isinf(raw), torch.zeros_like(raw), raw)
        if self.class_aggregation == "uniform_average":
            score = raw.mean()
        elif self.class_aggregation == "variance_weighted_average":
            score = (total * raw).sum() / total.sum()
        else:
            score = raw
        if self.num_regressors == 0:
            return score
        n = self.num_samples.value
        adjusted = 1 - (1 - score) * (n - 1) / (n - self.num_regressors - 1)
        return torch.where(n - 1 > self.num_regressors, adjusted, score)
