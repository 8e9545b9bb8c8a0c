"""Confusion-count metrics: TruePositives ... FalseNegatives, Precision, Recall and the
"X at fixed Y" metrics (PrecisionAtRecall, SensitivityAtSpecificity ...)."""

import torch

from torchkeras.metrics import confusion_utils
from torchkeras.metrics.confusion_utils import NEG_INF, parse_init_thresholds
from torchkeras.metrics.metric import Metric, divide_no_nan
from torchkeras.registry import METRICS


class ThresholdedMetric(Metric):
    """Base of the metrics holding confusion counts per threshold.

    Args:
        thresholds: List of floats in [0, 1]; predictions above a threshold are positive.
        kinds: Which counts to keep, among `confusion_utils.CONFUSION_KINDS`.
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    def __init__(self, thresholds, kinds, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.thresholds = thresholds
        self._add_constant("thresholds", thresholds)
        self._confusion = {
            kind: self.add_weight(shape=(len(thresholds),), initializer="zeros", name=kind)
            for kind in kinds
        }
        for kind, variable in self._confusion.items():
            setattr(self, kind, variable)

    def _update(self, y_true, y_pred, sample_weight, **options):
        confusion_utils.update_confusion_matrix_variables(
            self._confusion,
            y_true,
            y_pred,
            thresholds=self._constants["thresholds"],
            sample_weight=sample_weight,
            **options,
        )

    def _squeeze_single(self, value):
        """A scalar when there is one threshold (Keras' convention), else the vector."""
        return value[0] if len(self.thresholds) == 1 else value


class _ConditionCount(ThresholdedMetric):
    """Weighted count of one confusion condition per threshold."""

    _kind = ""

    def __init__(self, thresholds=None, name=None, dtype=None):
        self.init_thresholds = thresholds
        super().__init__(parse_init_thresholds(thresholds), (), name=name, dtype=dtype)
        self.accumulator = self.add_weight(
            shape=(len(self.thresholds),), initializer="zeros", name="accumulator"
        )
        self._confusion = {self._kind: self.accumulator}

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the batch's weighted count for each threshold."""
        self._update(y_true, y_pred, sample_weight)

    def result(self):
        """The count (a scalar with one threshold, else one per threshold)."""
        return self._squeeze_single(self.accumulator.value.clone())

    def get_config(self):
        """Name, dtype and thresholds as given."""
        return {**super().get_config(), "thresholds": self.init_thresholds}


@METRICS.register("true_positives")
class TruePositives(_ConditionCount):
    """Weighted number of positives predicted positive (`y_pred > threshold`).

    Args:
        thresholds: Float or list of floats in [0, 1]; default 0.5.
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    _kind = "true_positives"


@METRICS.register("false_positives")
class FalsePositives(_ConditionCount):
    """Weighted number of negatives predicted positive (`y_pred > threshold`).

    Args:
        thresholds: Float or list of floats in [0, 1]; default 0.5.
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    _kind = "false_positives"


@METRICS.register("true_negatives")
class TrueNegatives(_ConditionCount):
    """Weighted number of negatives predicted negative (`y_pred <= threshold`).

    Args:
        thresholds: Float or list of floats in [0, 1]; default 0.5.
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    _kind = "true_negatives"


@METRICS.register("false_negatives")
class FalseNegatives(_ConditionCount):
    """Weighted number of positives predicted negative (`y_pred <= threshold`).

    Args:
        thresholds: Float or list of floats in [0, 1]; default 0.5.
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    _kind = "false_negatives"


class _PrecisionRecall(ThresholdedMetric):
    """Shared constructor and config of Precision and Recall."""

    _kinds = ()

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else NEG_INF
        super().__init__(
            parse_init_thresholds(thresholds, default_threshold=default),
            self._kinds,
            name=name,
            dtype=dtype,
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the batch's confusion counts (after `top_k` and `class_id` selection)."""
        self._update(y_true, y_pred, sample_weight, top_k=self.top_k, class_id=self.class_id)

    def get_config(self):
        """Name, dtype, thresholds as given, top_k and class_id."""
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


@METRICS.register("precision")
class Precision(_PrecisionRecall):
    """`true_positives / (true_positives + false_positives)` over every batch seen.

    Args:
        thresholds: Float or list of floats in [0, 1]; default 0.5 (or, with `top_k`, any of
            the top k counts as positive).
        top_k: Only the `k` highest scores of each row can be positive.
        class_id: Only this class (index of the last axis) is evaluated.
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    _kinds = ("true_positives", "false_positives")

    def result(self):
        """Precision per threshold (a scalar with one threshold); 0 when nothing is positive."""
        tp, fp = self.true_positives.value, self.false_positives.value
        return self._squeeze_single(divide_no_nan(tp, tp + fp))


@METRICS.register("recall")
class Recall(_PrecisionRecall):
    """`true_positives / (true_positives + false_negatives)` over every batch seen.

    Args:
        thresholds: Float or list of floats in [0, 1]; default 0.5 (or, with `top_k`, any of
            the top k counts as positive).
        top_k: Only the `k` highest scores of each row can be positive.
        class_id: Only this class (index of the last axis) is evaluated.
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    _kinds = ("true_positives", "false_negatives")

    def result(self):
        """Recall per threshold (a scalar with one threshold); 0 when there are no positives."""
        tp, fn = self.true_positives.value, self.false_negatives.value
        return self._squeeze_single(divide_no_nan(tp, tp + fn))


class SensitivitySpecificityBase(ThresholdedMetric):
    """Base of the metrics maximising one rate subject to a bound on another.

    Thresholds are `num_thresholds` evenly spaced points of [0, 1] (just 0.5 when it is 1).

    Args:
        value: The bound on the constrained rate, in [0, 1].
        num_thresholds: Number of thresholds; a positive int.
        class_id: Only this class (index of the last axis) is evaluated.
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    _value_name = "value"
    _constrained = ""  # the rate that must be >= `value`: a key of `_rates()`
    _maximised = ""  # the rate whose best feasible value is the result

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        if not isinstance(num_thresholds, int) or num_thresholds <= 0:
            raise ValueError(
                "Argument `num_thresholds` must be an integer > 0. "
                f"Received: num_thresholds={num_thresholds!r}"
            )
        if not 0 <= value <= 1:
            raise ValueError(
                f"Argument `{self._value_name}` must be in the range [0, 1]. "
                f"Received: {self._value_name}={value!r}"
            )
        self.value = value
        setattr(self, self._value_name, value)  # Keras' attribute: `specificity`, `recall` ...
        self.class_id = class_id
        self.num_thresholds = num_thresholds
        if num_thresholds == 1:
            thresholds, self._evenly = [0.5], False
        else:
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            thresholds, self._evenly = [0.0, *inner, 1.0], True
        kinds = confusion_utils.CONFUSION_KINDS
        super().__init__(thresholds, kinds, name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the batch's confusion counts for every threshold."""
        self._update(
            y_true,
            y_pred,
            sample_weight,
            class_id=self.class_id,
            thresholds_distributed_evenly=self._evenly,
        )

    def _rates(self):
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        return {
            "sensitivity": divide_no_nan(tp, tp + fn),
            "specificity": divide_no_nan(tn, tn + fp),
            "precision": divide_no_nan(tp, tp + fp),
        }

    def result(self):
        """Largest `_maximised` rate where the `_constrained` one is >= `value`; 0 if none is."""
        rates = self._rates()
        constrained, dependent = rates[self._constrained], rates[self._maximised]
        feasible = constrained >= self.value
        best = torch.where(feasible, dependent, torch.zeros_like(dependent)).max()
        return torch.where(feasible.any(), best, torch.zeros_like(best))

    def get_config(self):
        """Name, dtype, class_id, num_thresholds and the bound."""
        return {
            **super().get_config(),
            "class_id": self.class_id,
            "num_thresholds": self.num_thresholds,
            self._value_name: self.value,
        }


@METRICS.register("sensitivity_at_specificity")
class SensitivityAtSpecificity(SensitivitySpecificityBase):
    """Best sensitivity (recall) among thresholds whose specificity is >= `specificity`.

    Args:
        specificity: Lower bound on the specificity, in [0, 1].
        num_thresholds: Number of evenly spaced thresholds.
        class_id: Only this class (index of the last axis) is evaluated.
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    _value_name = "specificity"
    _constrained, _maximised = "specificity", "sensitivity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name=name, dtype=dtype)


@METRICS.register("specificity_at_sensitivity")
class SpecificityAtSensitivity(SensitivitySpecificityBase):
    """Best specificity among thresholds whose sensitivity (recall) is >= `sensitivity`.

    Args:
        sensitivity: Lower bound on the sensitivity, in [0, 1].
        num_thresholds: Number of evenly spaced thresholds.
        class_id: Only this class (index of the last axis) is evaluated.
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    _value_name = "sensitivity"
    _constrained, _maximised = "sensitivity", "specificity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name=name, dtype=dtype)


@METRICS.register("precision_at_recall")
class PrecisionAtRecall(SensitivitySpecificityBase):
    """Best precision among thresholds whose recall is >= `recall`.

    Args:
        recall: Lower bound on the recall, in [0, 1].
        num_thresholds: Number of evenly spaced thresholds.
        class_id: Only this class (index of the last axis) is evaluated.
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    _value_name = "recall"
    _constrained, _maximised = "sensitivity", "precision"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name=name, dtype=dtype)


@METRICS.register("recall_at_precision")
class RecallAtPrecision(SensitivitySpecificityBase):
    """Best recall among thresholds whose precision is >= `precision`.

    Args:
        precision: Lower bound on the precision, in [0, 1].
        num_thresholds: Number of evenly spaced thresholds.
        class_id: Only this class (index of the last axis) is evaluated.
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    _value_name = "precision"
    _constrained, _maximised = "precision", "sensitivity"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name=name, dtype=dtype)
