"""F-beta and F1 scores from per-class true/false positive and false negative sums."""

import torch

from torchkeras import config
from torchkeras.metrics.metric import Metric, to_tensor
from torchkeras.registry import METRICS

_AVERAGES = (None, "micro", "macro", "weighted")


@METRICS.register("f_beta_score")
class FBetaScore(Metric):
    """`(1 + beta^2) * precision * recall / (beta^2 * precision + recall)` per class.

    Predictions become 0/1 by `y_pred > threshold`, or, with `threshold=None`, 1 where a non-zero
    score equals its row's maximum. Counts are summed over every batch; `epsilon()` keeps the
    divisions finite, exactly as in Keras.

    Args:
        average: `None` (one score per class), `"micro"` (pooled counts), `"macro"` (mean of the
            class scores) or `"weighted"` (class scores weighted by the number of true labels).
        beta: Weight of recall against precision; a positive float.
        threshold: Float in (0, 1], or `None` for the row's top score.
        name: Name of the metric.
        dtype: Dtype of the state.

    Shapes: `update_state(y_true (batch, classes), y_pred (batch, classes), sample_weight
        (batch,))`; result `(classes,)` with `average=None`, else `()`.
    """

    _config_keys = ("average", "beta", "threshold")

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in _AVERAGES:
            raise ValueError(
                "Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', "
                f"'weighted'}}. Received: average={average}"
            )
        if not isinstance(beta, float):
            raise ValueError(
                "Invalid `beta` argument value. It should be a Python float. "
                f"Received: beta={beta} of type '{type(beta)}'"
            )
        if beta <= 0.0:
            raise ValueError(
                f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}"
            )
        if threshold is not None and not (isinstance(threshold, float) and 0 < threshold <= 1):
            raise ValueError(
                "Invalid `threshold` argument value. It should verify 0 < threshold <= 1. "
                f"Received: threshold={threshold}"
            )
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, num_classes):
        shape = () if self.average == "micro" else (num_classes,)
        for name in ("true_positives", "false_positives", "false_negatives"):
            setattr(self, name, self.add_weight(shape=shape, name=name))
        self.intermediate_weights = self.add_weight(shape=shape, name="intermediate_weights")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the batch's weighted per-class counts."""
        dtype = config.standardize_dtype(self.dtype)
        y_pred = to_tensor(y_pred, dtype=dtype, device=self.device)
        y_true = to_tensor(y_true, dtype=dtype, device=y_pred.device)
        if y_pred.dim() != 2 or y_true.dim() != 2:
            raise ValueError(
                "FBetaScore expects 2D inputs with shape (batch_size, output_dim). Received "
                f"input shapes: y_pred.shape={tuple(y_pred.shape)} and "
                f"y_true.shape={tuple(y_true.shape)}."
            )
        if not self._built:
            self._build(y_pred.shape[-1])
        if self.threshold is None:
            top = y_pred >= y_pred.max(dim=-1, keepdim=True).values
            y_pred = top & (y_pred.abs() > 1e-9)  # Keras: a top score of 0 is not a positive
        else:
            y_pred = y_pred > self.threshold
        y_pred = y_pred.to(dtype)
        weights = None
        if sample_weight is not None:
            weights = to_tensor(sample_weight, dtype=dtype, device=y_pred.device).unsqueeze(1)
        for variable, values in (
            (self.true_positives, y_pred * y_true),
            (self.false_positives, y_pred * (1 - y_true)),
            (self.false_negatives, (1 - y_pred) * y_true),
            (self.intermediate_weights, y_true),
        ):
            if weights is not None:
                values = values * weights
            variable.assign_add(values.sum() if self.axis is None else values.sum(self.axis))

    def result(self):
        """The score(s); 0 before any data."""
        if not self._built:
            return torch.zeros((), dtype=config.standardize_dtype(self.dtype))
        epsilon = config.epsilon()
        tp = self.true_positives.value
        precision = tp / (tp + self.false_positives.value + epsilon)
        recall = tp / (tp + self.false_negatives.value + epsilon)
        beta_squared = self.beta**2
        score = precision * recall / (beta_squared * precision + recall + epsilon)
        score = score * (1 + beta_squared)
        if self.average == "weighted":
            support = self.intermediate_weights.value
            score = (score * support / (support.sum() + epsilon)).sum()
        elif self.average is not None:
            score = score.mean()
        return score


@METRICS.register("f1_score")
class F1Score(FBetaScore):
    """The F-beta score with `beta = 1`: the harmonic mean of precision and recall.

    Args:
        average: `None`, `"micro"`, `"macro"` or `"weighted"` (see `FBetaScore`).
        threshold: Float in (0, 1], or `None` for the row's top score.
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    _config_keys = ("average", "threshold")  # Keras' F1Score config has no `beta`

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)
