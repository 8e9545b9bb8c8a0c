"""AUC: area under the ROC, precision-recall or precision-recall-gain curve, by Riemann sums."""

import torch

from torchkeras import config
from torchkeras.metrics import confusion_utils
from torchkeras.metrics.confusion_metrics import ThresholdedMetric
from torchkeras.metrics.metric import divide_no_nan, to_tensor
from torchkeras.registry import METRICS

_CURVES = ("ROC", "PR", "PRGAIN")
_SUMMATIONS = ("interpolation", "minoring", "majoring")


def _check_arguments(num_thresholds, curve, summation_method, multi_label, label_weights):
    if curve not in _CURVES:
        raise ValueError(
            f'Invalid AUC curve value: "{curve}". Expected values are ["PR", "ROC", "PRGAIN"]'
        )
    if summation_method not in _SUMMATIONS:
        raise ValueError(
            f'Invalid AUC summation method value: "{summation_method}". Expected values are '
            '["interpolation", "majoring", "minoring"]'
        )
    if not isinstance(num_thresholds, int) or num_thresholds <= 1:
        raise ValueError(
            "Argument `num_thresholds` must be an integer > 1. "
            f"Received: num_thresholds={num_thresholds!r}"
        )
    if label_weights is not None and min(float(w) for w in label_weights) < 0:
        raise ValueError(
            f"All values of `label_weights` must be non-negative. Received: {label_weights!r}"
        )


@METRICS.register("auc")
class AUC(ThresholdedMetric):
    """Approximate area under a curve traced by confusion counts at many thresholds.

    The default `num_thresholds` evenly spaced thresholds (plus -epsilon and 1 + epsilon at the
    ends) use a bucketed update, O(batch + thresholds); given `thresholds` are compared one by one
    unless they too are evenly spaced. Keras' numbers: trapezoids for ROC ("interpolation"), the
    Davis & Goadrich interpolation for PR.

    Args:
        num_thresholds: Number of thresholds (> 1) when `thresholds` is not given.
        curve: `"ROC"`, `"PR"` or `"PRGAIN"` (precision-recall gain).
        summation_method: `"interpolation"`, `"minoring"` (left/lower heights) or `"majoring"`.
        name: Name of the metric.
        dtype: Dtype of the state.
        thresholds: Explicit thresholds in [0, 1]; `num_thresholds` becomes `len + 2`.
        multi_label: Keep one curve per label (last axis) and average the areas.
        num_labels: Number of labels with `multi_label`; otherwise read from the first batch.
        label_weights: Per-label weights: the average's weights with `multi_label`, else
            multiplied into the counts.
        from_logits: Apply a sigmoid to the predictions first.

    Shapes: `update_state(y_true (batch, ...), y_pred (batch, ...), sample_weight=None)`;
        result `()`.
    """

    def __init__(
        self,
        num_thresholds=200,
        curve="ROC",
        summation_method="interpolation",
        name=None,
        dtype=None,
        thresholds=None,
        multi_label=False,
        num_labels=None,
        label_weights=None,
        from_logits=False,
    ):
        curve = curve.upper() if isinstance(curve, str) else curve
        summation_method = summation_method.lower() if isinstance(summation_method, str) else None
        self._init_thresholds = None
        if thresholds is not None:
            num_thresholds = len(thresholds) + 2
            self._init_thresholds = sorted(float(t) for t in thresholds)
        _check_arguments(num_thresholds, curve, summation_method, multi_label, label_weights)
        self.num_thresholds = num_thresholds
        self.curve = curve
        self.summation_method = summation_method
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.from_logits = from_logits
        self.label_weights = None if label_weights is None else [float(w) for w in label_weights]
        if thresholds is None:
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        else:
            inner = confusion_utils.parse_init_thresholds(self._init_thresholds)
            self._evenly = confusion_utils.is_evenly_distributed_thresholds([0.0, *inner, 1.0])
        epsilon = config.epsilon()
        all_thresholds = [0.0 - epsilon, *inner, 1.0 + epsilon]
        super().__init__(all_thresholds, (), name=name, dtype=dtype)
        if label_weights is not None:
            self._add_constant("label_weights", self.label_weights)
        if not multi_label or num_labels is not None:
            self._build(num_labels if multi_label else None)

    def _build(self, num_labels):
        """Creates the four count variables, `(T,)` or `(T, num_labels)` with `multi_label`."""
        shape = (self.num_thresholds,) if num_labels is None else (self.num_thresholds, num_labels)
        self.num_labels = num_labels
        self._confusion = {
            kind: self.add_weight(shape=shape, initializer="zeros", name=kind)
            for kind in confusion_utils.CONFUSION_KINDS
        }
        for kind, variable in self._confusion.items():
            setattr(self, kind, variable)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the batch's confusion counts for every threshold (and label)."""
        y_pred = to_tensor(y_pred, device=self.device)
        if not self._confusion:
            self._build(y_pred.shape[-1])
        if self.from_logits:
            y_pred = torch.sigmoid(y_pred)
        self._update(
            y_true,
            y_pred,
            sample_weight,
            multi_label=self.multi_label,
            label_weights=self._constants.get("label_weights"),
            thresholds_distributed_evenly=self._evenly,
        )

    def _average_over_labels(self, areas):
        """Mean of per-label areas, weighted by `label_weights` when given."""
        if not self.multi_label:
            return areas.sum()
        by_label = areas.sum(0)
        weights = self._constants.get("label_weights")
        if weights is None:
            return by_label.mean()
        return divide_no_nan((by_label * weights).sum(), weights.sum())

    def _interpolated_pr_terms(self):
        """Davis & Goadrich: precision interpolated along the true-positive count."""
        tp, fp = self.true_positives.value, self.false_positives.value
        fn = self.false_negatives.value
        dtp = tp[:-1] - tp[1:]
        positives = tp + fp
        dp = positives[:-1] - positives[1:]
        slope = divide_no_nan(dtp, dp.clamp(min=0))
        intercept = tp[1:] - slope * positives[1:]
        both_positive = (positives[:-1] > 0) & (positives[1:] > 0)
        ratio = torch.where(
            both_positive,
            divide_no_nan(positives[:-1], positives[1:].clamp(min=0)),
            torch.ones_like(positives[1:]),
        )
        increments = slope * (dtp + intercept * torch.log(ratio))
        return divide_no_nan(increments, (tp[1:] + fn[1:]).clamp(min=0))

    def _curve_points(self):
        """`(x, y)` of the curve at every threshold."""
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            return divide_no_nan(fp, fp + tn), recall
        if self.curve == "PR":
            return recall, divide_no_nan(tp, tp + fp)
        # Gains relative to a random classifier; Keras clips only the recall gain (at 0).
        positives, negatives = tp + fn, fp + tn
        scale = tp * negatives
        precision_gain = divide_no_nan(scale - fp * positives, scale)
        recall_gain = divide_no_nan(scale - fn * positives, scale).clamp(min=0)
        return recall_gain, precision_gain

    def result(self):
        """The area (the label average with `multi_label`); 0 before any data."""
        if not self._confusion:
            return torch.zeros((), dtype=config.standardize_dtype(self.dtype))
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._average_over_labels(self._interpolated_pr_terms())
        x, y = self._curve_points()
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = torch.minimum(y[:-1], y[1:])
        else:
            heights = torch.maximum(y[:-1], y[1:])
        return self._average_over_labels((x[:-1] - x[1:]) * heights)

    def get_config(self):
        """Keras' AUC config (`thresholds` only when given; `label_weights` as a list)."""
        config_ = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": self.label_weights,
            "from_logits": self.from_logits,
        }
        if self._init_thresholds is not None:
            config_["thresholds"] = self._init_thresholds
        return config_
