"""Crossentropy, KL divergence, Poisson and hinge metrics: running means of the loss functions."""

from torchkeras import losses
from torchkeras.metrics.metric import metric_function
from torchkeras.metrics.reduction_metrics import MeanMetricWrapper
from torchkeras.registry import METRICS

for _fn in (
    losses.binary_crossentropy,
    losses.binary_focal_crossentropy,
    losses.categorical_crossentropy,
    losses.categorical_focal_crossentropy,
    losses.sparse_categorical_crossentropy,
    losses.kl_divergence,
    losses.poisson,
    losses.hinge,
    losses.squared_hinge,
    losses.categorical_hinge,
):
    metric_function(_fn)


@METRICS.register("binary_crossentropy", "bce", "BCE")
class BinaryCrossentropy(MeanMetricWrapper):
    """Running mean of the binary crossentropy (Keras' clipping of probabilities).

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.
        from_logits: Predictions are logits rather than probabilities.
        label_smoothing: Labels move towards 0.5 by this fraction.
    """

    _config_keys = ("from_logits", "label_smoothing")

    def __init__(
        self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0
    ):
        super().__init__(
            losses.binary_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing


@METRICS.register("categorical_crossentropy")
class CategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of the categorical crossentropy of one-hot labels.

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.
        from_logits: Predictions are logits rather than probabilities.
        label_smoothing: Labels move towards uniform by this fraction.
        axis: The class axis.
    """

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(
        self,
        name="categorical_crossentropy",
        dtype=None,
        from_logits=False,
        label_smoothing=0,
        axis=-1,
    ):
        super().__init__(
            losses.categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


@METRICS.register("sparse_categorical_crossentropy")
class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of the categorical crossentropy of integer labels.

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.
        from_logits: Predictions are logits rather than probabilities.
        ignore_class: Label whose samples contribute no loss.
        axis: The class axis.
    """

    _config_keys = ("from_logits", "ignore_class", "axis")

    def __init__(
        self,
        name="sparse_categorical_crossentropy",
        dtype=None,
        from_logits=False,
        ignore_class=None,
        axis=-1,
    ):
        super().__init__(
            losses.sparse_categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis


@METRICS.register("kl_divergence")
class KLDivergence(MeanMetricWrapper):
    """Running mean of `sum(y_true * log(y_true / y_pred), axis=-1)` (both clipped to [eps, 1]).

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(losses.kl_divergence, name=name, dtype=dtype)


@METRICS.register("poisson")
class Poisson(MeanMetricWrapper):
    """Running mean of `mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    def __init__(self, name="poisson", dtype=None):
        super().__init__(losses.poisson, name=name, dtype=dtype)


@METRICS.register("hinge")
class Hinge(MeanMetricWrapper):
    """Running mean of `mean(max(1 - y_true * y_pred, 0), axis=-1)`; 0/1 labels become -1/1.

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    def __init__(self, name="hinge", dtype=None):
        super().__init__(losses.hinge, name=name, dtype=dtype)


@METRICS.register("squared_hinge")
class SquaredHinge(MeanMetricWrapper):
    """Running mean of `mean(max(1 - y_true * y_pred, 0)^2, axis=-1)`; 0/1 labels become -1/1.

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(losses.squared_hinge, name=name, dtype=dtype)


@METRICS.register("categorical_hinge")
class CategoricalHinge(MeanMetricWrapper):
    """Running mean of `max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(losses.categorical_hinge, name=name, dtype=dtype)
