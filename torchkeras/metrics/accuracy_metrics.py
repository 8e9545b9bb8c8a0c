"""Accuracy metrics and their per-sample functions (`binary_accuracy`, `top_k_...` ...)."""

from torchkeras import config
from torchkeras.losses.loss import squeeze_or_expand_to_same_rank
from torchkeras.metrics.metric import metric_function, to_tensor
from torchkeras.metrics.reduction_metrics import MeanMetricWrapper
from torchkeras.registry import METRICS


def _pair(y_true, y_pred):
    """Both inputs as tensors on `y_pred`'s device."""
    y_pred = to_tensor(y_pred)
    return to_tensor(y_true, device=y_pred.device), y_pred


def _floatx():
    return config.standardize_dtype(None)


@metric_function
def accuracy(y_true, y_pred):
    """1.0 where `y_true == y_pred` element-wise, else 0.0 (Keras' `Accuracy` function).

    Shapes: `y_true` and `y_pred` of equal shape (a trailing axis of 1 may differ) -> same shape.
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    return (y_true == y_pred).to(_floatx())


@metric_function
def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where `(y_pred > threshold)` equals `y_true`, element-wise; floatx.

    Args:
        y_true: Labels, 0 or 1.
        y_pred: Probabilities (or scores compared to `threshold`).
        threshold: Predictions above it count as 1.

    Shapes: `(batch, ...)` -> `(batch, ...)` (no reduction over the last axis).
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    y_pred = (y_pred > threshold).to(y_true.dtype)
    return (y_true == y_pred).to(_floatx())


def _sparse_matches(y_true, y_pred):
    """`argmax(y_pred) == y_true`; a trailing axis of 1 on `y_true` is dropped first."""
    if y_true.dim() == y_pred.dim() and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    predicted = y_pred.argmax(dim=-1)
    if predicted.dtype != y_true.dtype:
        predicted = predicted.to(y_true.dtype)
    return (y_true == predicted).to(_floatx())


@metric_function
def categorical_accuracy(y_true, y_pred):
    """1.0 where the arg max of `y_pred` is the arg max of the one-hot `y_true`.

    Shapes: `(batch, ..., classes)` both -> `(batch, ...)`.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return _sparse_matches(y_true.argmax(dim=-1), y_pred)


@metric_function
def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the arg max of `y_pred` equals the integer label `y_true`.

    Shapes: `y_true (batch, ...)` or `(batch, ..., 1)`, `y_pred (batch, ..., classes)` ->
    `(batch, ...)`.
    """
    return _sparse_matches(*_pair(y_true, y_pred))


def _in_top_k(labels, y_pred, k):
    """Whether each label's score is at least the k-th largest score of its row (ties count)."""
    k = min(k, y_pred.shape[-1])
    kth_largest = y_pred.topk(k, dim=-1).values[..., -1]
    label_scores = y_pred.gather(-1, labels.long().unsqueeze(-1)).squeeze(-1)
    return label_scores >= kth_largest


@metric_function
def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot `y_true`'s class is among the `k` highest scores of `y_pred`.

    Shapes: `(batch, ..., classes)` both -> `(batch, ...)`.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return _in_top_k(y_true.argmax(dim=-1), y_pred, k).to(_floatx())


@metric_function
def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label is among the `k` highest scores of `y_pred`.

    Args:
        y_true: Integer labels.
        y_pred: Scores per class, or (with `from_sorted_ids`) class ids sorted by score.
        k: How many top classes count.
        from_sorted_ids: `y_pred` already holds the top class ids, best first.

    Shapes: `y_true (batch, ...)`, `y_pred (batch, ..., classes)` -> `y_true`'s shape (a
    trailing axis of 1 on `y_true` is kept, as in Keras).
    """
    y_true, y_pred = _pair(y_true, y_pred)
    shape = y_true.shape
    if y_true.dim() == y_pred.dim() and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    if from_sorted_ids:
        matches = (y_pred[..., :k] == y_true.unsqueeze(-1).to(y_pred.dtype)).any(dim=-1)
    else:
        matches = _in_top_k(y_true, y_pred, k)
    return matches.to(_floatx()).reshape(shape)


@METRICS.register("accuracy")
class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly (element-wise), as a running mean.

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.

    Shapes: `update_state(y_true, y_pred, sample_weight=None)`; result `()`.
    """

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


@METRICS.register("binary_accuracy")
class BinaryAccuracy(MeanMetricWrapper):
    """How often `y_pred > threshold` matches the binary labels.

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.
        threshold: Predictions above it count as 1.
    """

    _config_keys = ("threshold",)

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


@METRICS.register("categorical_accuracy")
class CategoricalAccuracy(MeanMetricWrapper):
    """How often the arg max of the predictions matches the arg max of one-hot labels.

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


@METRICS.register("sparse_categorical_accuracy")
class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the arg max of the predictions matches integer labels.

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


@METRICS.register("top_k_categorical_accuracy")
class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label is among the `k` highest predictions.

    Args:
        k: How many top classes count.
        name: Name of the metric.
        dtype: Dtype of the state.
    """

    _config_keys = ("k",)

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


@METRICS.register("sparse_top_k_categorical_accuracy")
class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the `k` highest predictions.

    Args:
        k: How many top classes count.
        name: Name of the metric.
        dtype: Dtype of the state.
        from_sorted_ids: Predictions are class ids sorted by score rather than scores.
    """

    _config_keys = ("k",)

    def __init__(
        self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False
    ):
        super().__init__(
            sparse_top_k_categorical_accuracy,
            name=name,
            dtype=dtype,
            k=k,
            from_sorted_ids=from_sorted_ids,
        )
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self):
        """Name, dtype, k (and `from_sorted_ids` when set, as Keras)."""
        config_ = super().get_config()
        if self.from_sorted_ids:
            config_["from_sorted_ids"] = True
        return config_
