"""Thresholded confusion counts (true/false positives/negatives) shared by the confusion metrics.

Two update paths give Keras' numbers: with arbitrary thresholds every prediction is compared with
every threshold (`prediction > threshold`); with evenly spaced thresholds (AUC and the
"at sensitivity" metrics) each prediction is dropped into one bucket, `ceil(p * (T - 1)) - 1`, and
the counts are reverse cumulative sums over buckets, O(N + T) instead of O(N * T). Both are pure
tensor ops: no value is read back to the host.
"""

import numpy as np
import torch

from torchkeras import config
from torchkeras.losses.loss import squeeze_or_expand_to_same_rank
from torchkeras.metrics.metric import to_tensor

NEG_INF = -1e10  # score given to predictions outside the top k
CONFUSION_KINDS = ("true_positives", "false_positives", "true_negatives", "false_negatives")


def parse_init_thresholds(thresholds, default_threshold=0.5):
    """The thresholds as a list of floats, checking each lies in [0, 1]."""
    if thresholds is None:
        return [default_threshold]
    values = list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) else [thresholds]
    for value in values:
        if value is None or not 0 <= value <= 1:
            raise ValueError(
                f"Threshold values must be in [0, 1]. Received: thresholds={thresholds!r}"
            )
    return [float(v) for v in values]


def is_evenly_distributed_thresholds(thresholds):
    """Whether `thresholds` are `i / (n - 1)` for i = 0 ... n - 1 (n >= 3), up to epsilon."""
    thresholds = np.asarray(thresholds, dtype="float64")
    count = len(thresholds)
    if count < 3:
        return False
    even = np.arange(count, dtype="float32") / (count - 1)
    return bool(np.allclose(thresholds, even, atol=config.epsilon()))


def filter_top_k(y_pred, k):
    """Keeps the `k` largest scores of the last axis; the others become `NEG_INF`."""
    k = min(k, y_pred.shape[-1])
    mask = torch.zeros_like(y_pred).scatter_(-1, y_pred.topk(k, dim=-1).indices, 1.0)
    return y_pred * mask + NEG_INF * (1 - mask)


def _prepare(y_true, y_pred, sample_weight, dtype, device):
    """Float predictions, boolean labels and weights broadcast to the predictions (or None)."""
    y_pred = to_tensor(y_pred, dtype=dtype, device=device)
    y_true = to_tensor(y_true, device=device)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    weights = None
    if sample_weight is not None:
        weights = to_tensor(sample_weight, dtype=dtype, device=device)
        y_pred, weights = squeeze_or_expand_to_same_rank(y_pred, weights)
        while weights.dim() < y_pred.dim():
            weights = weights.unsqueeze(-1)
        weights = weights.expand(y_pred.shape)
    return y_true != 0, y_pred, weights


def _bucketed_counts(labels, y_pred, weights, num_thresholds, multi_label):
    """Counts per threshold for evenly spaced thresholds, via one scatter-add per kind."""
    if multi_label:
        labels, y_pred = labels.reshape(-1, labels.shape[-1]), y_pred.reshape(-1, y_pred.shape[-1])
        weights = None if weights is None else weights.reshape(y_pred.shape)
    else:
        labels, y_pred = labels.reshape(-1), y_pred.reshape(-1)
        weights = None if weights is None else weights.reshape(-1)
    positives = labels.to(y_pred.dtype)
    negatives = 1.0 - positives
    if weights is not None:
        positives, negatives = positives * weights, negatives * weights
    buckets = torch.ceil(y_pred * (num_thresholds - 1)) - 1
    buckets = buckets.clamp(0, num_thresholds - 1).long()
    shape = (num_thresholds, *y_pred.shape[1:])
    tp = y_pred.new_zeros(shape).scatter_add_(0, buckets, positives)
    fp = y_pred.new_zeros(shape).scatter_add_(0, buckets, negatives)
    tp = tp.flip(0).cumsum(0).flip(0)
    fp = fp.flip(0).cumsum(0).flip(0)
    return {
        "true_positives": tp,
        "false_positives": fp,
        "true_negatives": negatives.sum(0) - fp,
        "false_negatives": positives.sum(0) - tp,
    }


def _compared_counts(labels, y_pred, weights, thresholds, multi_label):
    """Counts per threshold by comparing every prediction with every threshold."""
    if multi_label:
        labels, y_pred = labels.reshape(-1, labels.shape[-1]), y_pred.reshape(-1, y_pred.shape[-1])
        weights = None if weights is None else weights.reshape(y_pred.shape)
        thresholds = thresholds.reshape(-1, 1, 1)
    else:
        labels, y_pred = labels.reshape(-1), y_pred.reshape(-1)
        weights = None if weights is None else weights.reshape(-1)
        thresholds = thresholds.reshape(-1, 1)
    predicted = y_pred.unsqueeze(0) > thresholds  # (T, N) or (T, N, L)
    actual = labels.unsqueeze(0)
    conditions = {
        "true_positives": predicted & actual,
        "false_positives": predicted & ~actual,
        "true_negatives": ~predicted & ~actual,
        "false_negatives": ~predicted & actual,
    }
    counts = {}
    for kind, condition in conditions.items():
        condition = condition.to(y_pred.dtype)
        if weights is not None:
            condition = condition * weights.unsqueeze(0)
        counts[kind] = condition.sum(1)
    return counts


def update_confusion_matrix_variables(
    variables,
    y_true,
    y_pred,
    thresholds,
    top_k=None,
    class_id=None,
    sample_weight=None,
    multi_label=False,
    label_weights=None,
    thresholds_distributed_evenly=False,
):
    """Adds one batch's weighted confusion counts to `variables`.

    Args:
        variables: `{kind: Variable}` for kinds of `CONFUSION_KINDS`; each of shape `(T,)`, or
            `(T, labels)` with `multi_label`.
        y_true: Labels; any non-zero value is positive.
        y_pred: Scores, usually in [0, 1].
        thresholds: Tensor of the `T` thresholds.
        top_k: Keep only the `k` highest scores of the last axis as possible positives.
        class_id: Count only this index of the last axis.
        sample_weight: Weights broadcast to `y_pred` after rank matching (trailing axes added).
        multi_label: Keep the last axis as labels (per-label counts) instead of flattening.
        label_weights: Per-label weights multiplied in when not `multi_label`.
        thresholds_distributed_evenly: Use the bucketed path (thresholds `i / (T - 1)`).
    """
    state = next(iter(variables.values())).value
    labels, y_pred, weights = _prepare(y_true, y_pred, sample_weight, state.dtype, state.device)
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        labels, y_pred = labels[..., class_id], y_pred[..., class_id]
        weights = None if weights is None else weights[..., class_id]
    if label_weights is not None and not multi_label:
        label_weights = to_tensor(label_weights, dtype=state.dtype, device=state.device)
        label_weights = label_weights.expand(y_pred.shape)
        weights = label_weights if weights is None else weights * label_weights
    if thresholds_distributed_evenly:
        counts = _bucketed_counts(labels, y_pred, weights, len(thresholds), multi_label)
    else:
        counts = _compared_counts(labels, y_pred, weights, thresholds, multi_label)
    for kind, variable in variables.items():
        variable.assign_add(counts[kind])
