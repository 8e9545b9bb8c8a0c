"""MonitorCallback: the monitored-quantity logic shared by EarlyStopping, ModelCheckpoint, ..."""

import operator
import warnings

from torchkeras.callbacks.callback import Callback
from torchkeras.registry import LOSSES

# Keras 3 gives each metric class a direction; ours carry none, so the table lives here, by
# class name (searched along the MRO, so subclasses such as `F1Score` inherit theirs).
_UP = frozenset({
    "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "Precision", "Recall",
    "SensitivitySpecificityBase", "AUC", "PearsonCorrelation", "ConcordanceCorrelation",
    "FBetaScore", "_IoUBase", "CosineSimilarity", "R2Score",
})
_DOWN = frozenset({
    "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError", "RootMeanSquaredError", "LogCoshError", "Hinge",
    "SquaredHinge", "CategoricalHinge", "BinaryCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy",
})


class MonitorCallback(Callback):
    """Base of the callbacks that watch one logged quantity and judge improvements.

    With `mode="auto"` the direction is decided at the first `on_epoch_end`, as in Keras 3:
    `loss`/`val_loss` are minimised; any other name must be a compiled metric (the `val_`
    prefix removed) whose direction is known (accuracies, AUC, precision ... up; errors and
    crossentropies down), otherwise a `ValueError` asks for `mode="min"` or `"max"`.

    Args:
        monitor: Name of the logged quantity, e.g. `"val_loss"`.
        mode: `"auto"`, `"min"` or `"max"`; anything else warns and falls back to `"auto"`.
        baseline: Initial value of `best`; `None` means the first value seen.
        min_delta: Smallest change that counts as an improvement (its sign is ignored).
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(
                f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.",
                stacklevel=3,
            )
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self):
        """Fixes `monitor_op` (`operator.lt` or `operator.gt`) and the sign of `min_delta`."""
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            self.monitor_op = _auto_monitor_op(self.model, self.monitor)
            if self.monitor_op is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, but "
                    "Keras isn't able to automatically determine whether that metric should be "
                    "maximized or minimized. Pass `mode='max'` in order to monitor based on the "
                    "highest metric value, or pass `mode='min'` in order to use the lowest value."
                )
        if self.monitor_op is operator.lt:
            self.min_delta *= -1

    def _is_improvement(self, monitor_value, reference_value):
        """Whether `monitor_value` beats `reference_value` by more than `min_delta`."""
        if reference_value is None:
            return True
        return bool(self.monitor_op(monitor_value - self.min_delta, reference_value))


def _auto_monitor_op(model, monitor):
    metric_name = monitor.removeprefix("val_")
    monitor_op = operator.lt if metric_name == "loss" else None
    for metric in _compiled_metrics(model):
        if getattr(metric, "name", None) == metric_name:
            direction = metric_direction(metric)
            if direction is not None:
                monitor_op = operator.gt if direction == "up" else operator.lt
    return monitor_op


def _compiled_metrics(model):
    """The metric objects given to `compile` (Keras searches these, not `model.metrics`)."""
    compiled = getattr(model, "_compiled_metric_objects", None)
    if callable(compiled):
        return list(compiled())
    found = []
    for metric in getattr(model, "metrics", None) or []:
        found.extend(getattr(metric, "metrics", None) or [])
    return found


def metric_direction(metric):
    """`"up"`, `"down"` or `None`: whether larger values of `metric` are better.

    Args:
        metric: A metric object; its own `_direction`, when set, wins over the table.
    """
    direction = getattr(metric, "_direction", None)
    if direction is not None:
        return direction
    for cls in type(metric).__mro__:
        if cls.__name__ in _UP:
            return "up"
        if cls.__name__ in _DOWN:
            return "down"
    if _wraps_a_loss(metric):
        return "down"
    return None


def _wraps_a_loss(metric):
    """A `MeanMetricWrapper` around a registered loss (function or class) is minimised."""
    fn = getattr(metric, "_fn", None)
    if fn is None:
        return False
    for obj in (fn, type(fn)):
        name = getattr(obj, "__name__", None)
        if name in LOSSES and LOSSES.lookup(name) is obj:
            return True
    return False
