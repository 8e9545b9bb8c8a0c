"""How `compile(metrics=[...])` turns one user entry into a named metric object (Keras' rules)."""

from torchkeras.metrics.accuracy_metrics import (
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
)
from torchkeras.metrics.metric import Metric
from torchkeras.metrics.reduction_metrics import MeanMetricWrapper
from torchkeras.registry import METRICS

_ACCURACY_NAMES = ("accuracy", "acc")


def _shape(x):
    return tuple(x) if isinstance(x, (tuple, list)) else tuple(x.shape)


def accuracy_for_shapes(y_true_shape, y_pred_shape, name="accuracy"):
    """The accuracy Keras picks for `"accuracy"`: binary, sparse categorical or categorical.

    `y_pred` with a last axis of 1 is binary; labels of lower rank than `y_pred`, or with a last
    axis of 1, are sparse; anything else is one-hot.

    Args:
        y_true_shape: Shape (or tensor) of the targets.
        y_pred_shape: Shape (or tensor) of the model output.
        name: Name given to the metric (the string the user wrote).
    """
    y_true_shape, y_pred_shape = _shape(y_true_shape), _shape(y_pred_shape)
    if y_pred_shape[-1:] == (1,):
        return BinaryAccuracy(name=name)
    if len(y_true_shape) < len(y_pred_shape) or y_true_shape[-1:] == (1,):
        return SparseCategoricalAccuracy(name=name)
    return CategoricalAccuracy(name=name)


def resolve_by_shape(identifier, y_true_shape, y_pred_shape):
    """A fresh `Metric` for one entry of `compile(metrics=...)`, named as Keras names it.

    `"accuracy"`/`"acc"` follow `accuracy_for_shapes`; other strings resolve through the registry
    and keep the user's string as name (`"mae"` logs as `mae`); plain functions are wrapped in
    `MeanMetricWrapper` under their `__name__`; classes are instantiated; instances pass through.

    Args:
        identifier: A string, metric class, metric instance or function `fn(y_true, y_pred)`.
        y_true_shape: Shape (or tensor) of the targets.
        y_pred_shape: Shape (or tensor) of the model output.
    """
    if identifier is None:
        return None
    if isinstance(identifier, str) and identifier in _ACCURACY_NAMES:
        return accuracy_for_shapes(y_true_shape, y_pred_shape, name=identifier)
    metric = METRICS.get(identifier)
    if isinstance(metric, Metric):
        if isinstance(identifier, str):
            metric.name = identifier
        return metric
    if callable(metric):
        return MeanMetricWrapper(metric, name=getattr(metric, "__name__", None))
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")
