"""Sparse crossentropy losses: integer labels against predicted distributions or logits.

Sparse labels use torch's fused kernels: `F.cross_entropy` on logits, and on probabilities only
the true class's entry is rescaled, clipped and logged (the same numbers, and gradients, as
Keras' full `nll_loss(log(clip(p / sum)))`).

Out-of-range labels: CPU kernels raise, and that error becomes a ValueError naming the label
and the number of classes (no cost when labels are valid). On other devices an index error
would be a device-side assert that kills the process, so labels are clamped into range and the
losses of out-of-range labels become NaN, visible in the logs, with no host sync.
`enable_label_checks()` (or `TORCHKERAS_CHECK_LABELS=1`) adds an eager check there that raises
the same ValueError, at the cost of one device-to-host sync per call.
"""

import math
import os

import torch
import torch.nn.functional as F

from torchkeras import config
from torchkeras.losses.loss import BuiltinLoss, fused_form
from torchkeras.registry import LOSSES

# torch ignores label -100 by default; an index no label can hold keeps every label checked.
_NO_IGNORE_INDEX = -(2**63)
# Devices whose indexing kernels raise a catchable error on a bad label (CUDA asserts instead).
_RAISING_DEVICE_TYPES = frozenset({"cpu"})
_LABEL_CHECKS = {"enabled": os.environ.get("TORCHKERAS_CHECK_LABELS", "0") not in ("", "0")}


def enable_label_checks(enabled=True):
    """Turns on (or off) the eager range check of sparse labels on non-CPU devices.

    A debugging aid: it reads back one boolean per call (a host sync), so it is off by default.

    Args:
        enabled: Whether out-of-range labels raise ValueError on GPUs instead of giving NaN.
    """
    _LABEL_CHECKS["enabled"] = bool(enabled)


def _label_range_error(labels, num_classes):
    """A ValueError naming the first label outside `[0, num_classes)`, or None; syncs the host."""
    bad = (labels < 0) | (labels >= num_classes)
    if not bool(bad.any()):
        return None
    value = int(labels[bad][0])
    return ValueError(
        f"Received a label value of {value} which is outside the valid range of "
        f"[0, {num_classes}) for a prediction with {num_classes} classes. Sparse labels "
        "must be class indices; pass `ignore_class` to skip a void label."
    )


def _raise_label_error(kernel_error, labels, num_classes):
    """Raises the label ValueError when a label is out of range, else `kernel_error` itself."""
    error = _label_range_error(labels, num_classes)
    if error is None:
        raise kernel_error
    raise error from kernel_error


def _guard_labels(labels, num_classes):
    """Returns `(labels safe to index with, mask of out-of-range labels or None)`."""
    if labels.device.type in _RAISING_DEVICE_TYPES:
        return labels, None  # the kernel raises on bad labels; see `_raise_label_error`
    if _LABEL_CHECKS["enabled"]:
        error = _label_range_error(labels, num_classes)
        if error is not None:
            raise error
        return labels, None
    safe = labels.clamp(0, num_classes - 1)
    return safe, safe != labels


def _sparse_labels(y_true, y_pred, axis):
    """Integer labels shaped like `y_pred` without its class axis (`(batch, 1)` is squeezed)."""
    labels = torch.as_tensor(y_true, device=y_pred.device)
    if labels.ndim == y_pred.ndim and labels.shape[axis] == 1:
        labels = labels.squeeze(axis)
    expected = y_pred.shape[:axis] + y_pred.shape[axis + 1 :]
    if labels.shape != expected:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape up until the class axis: "
            f"target.shape={tuple(labels.shape)}, output.shape={tuple(y_pred.shape)}"
        )
    return labels if labels.dtype == torch.int64 else labels.long()


def classes_second(x, axis):
    """A view of `x` with the class axis at position 1, the layout torch's kernels expect."""
    return x if x.ndim < 2 or axis == 1 else x.movedim(axis, 1)


def _true_class_probability(labels, y_pred, axis):
    """`y_pred[label] / sum(y_pred)` along `axis`: Keras' rescaled probability of the label."""
    picked = y_pred.gather(axis, labels.unsqueeze(axis)).squeeze(axis)
    return picked / y_pred.sum(dim=axis)


def _sparse_losses(labels, y_pred, from_logits, axis):
    """Per-element crossentropy for in-range labels; CPU index errors become ValueError."""
    try:
        if from_logits:
            logits = classes_second(y_pred, axis)
            return F.cross_entropy(logits, labels, reduction="none", ignore_index=_NO_IGNORE_INDEX)
        eps = config.epsilon()
        logits = getattr(y_pred, "_keras_logits", None)
        if logits is not None and axis in (-1, y_pred.ndim - 1):
            # log(clip(p, eps, 1 - eps)) == clamp(log p, log eps, log(1 - eps)): from the logits
            # that made `y_pred` (a softmax output), with the same zero gradient when clipped.
            picked = F.log_softmax(logits, dim=-1).gather(-1, labels.unsqueeze(-1)).squeeze(-1)
            return -torch.clamp(picked, math.log(eps), math.log1p(-eps))
        probability = _true_class_probability(labels, y_pred, axis)
        return -torch.log(torch.clamp(probability, eps, 1.0 - eps))
    except (IndexError, RuntimeError) as kernel_error:
        _raise_label_error(kernel_error, labels, y_pred.shape[axis])


@LOSSES.register()
def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Crossentropy between integer labels and predicted distributions (or logits).

    Args:
        y_true: Integer class indices, shaped like `y_pred` without its class axis (or with
            a size-1 axis there).
        y_pred: Probabilities, or logits when `from_logits=True`.
        from_logits: Whether `y_pred` holds logits (`F.cross_entropy`) rather than probabilities.
        ignore_class: Optional label (e.g. -1 or 255) whose entries get loss 0 and are masked
            out of the `sum_over_batch_size` mean.
        axis: The class axis of `y_pred`.

    Shapes: `(batch, ..., classes)` and `(batch, ...)` -> `(batch, ...)`.
    """
    y_pred = torch.as_tensor(y_pred)
    if y_pred.ndim < 1:
        raise ValueError(f"Argument `output` must be at least rank 1. Received: {y_pred.shape}")
    axis = axis % y_pred.ndim
    labels = _sparse_labels(y_true, y_pred, axis)
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = labels.masked_fill(~valid, 0)
    labels, out_of_range = _guard_labels(labels, y_pred.shape[axis])
    losses = _sparse_losses(labels, y_pred, from_logits, axis)
    if out_of_range is not None:
        losses = losses.masked_fill(out_of_range, float("nan"))
    if valid is not None:
        losses = losses.masked_fill(~valid, 0.0)
        losses._keras_mask = valid
    return losses


@fused_form(sparse_categorical_crossentropy)
def _fused_sparse_categorical_crossentropy(
    y_true, y_pred, from_logits=False, ignore_class=None, axis=-1
):
    """The mean loss from one `F.cross_entropy` kernel, for logits without `ignore_class`.

    Off CPU it applies only with label checks on, since the clamped labels of the unchecked
    path need the per-element NaN marking.
    """
    if not from_logits or ignore_class is not None or y_pred.ndim < 2 or y_pred.numel() == 0:
        return None
    if y_pred.device.type not in _RAISING_DEVICE_TYPES and not _LABEL_CHECKS["enabled"]:
        return None
    axis = axis % y_pred.ndim
    labels, _ = _guard_labels(_sparse_labels(y_true, y_pred, axis), y_pred.shape[axis])
    try:
        logits = classes_second(y_pred, axis)
        return F.cross_entropy(logits, labels, ignore_index=_NO_IGNORE_INDEX)
    except (IndexError, RuntimeError) as kernel_error:
        _raise_label_error(kernel_error, labels, y_pred.shape[axis])


@LOSSES.register()
def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """Generalized crossentropy `(1 - p ** q) / q`, `p` the predicted probability of the label.

    Robust to noisy labels: it tends to crossentropy as `q -> 0` and to MAE as `q -> 1`.

    Args:
        y_true: Integer labels, `(batch,)` or `(batch, 1)`.
        y_pred: Probabilities, `(batch, classes)`.
        q: Noise parameter in (0, 1).

    Shapes: `(batch, classes)` and `(batch,)` -> `(batch,)`.
    """
    y_pred = torch.as_tensor(y_pred)
    axis = y_pred.ndim - 1
    labels, out_of_range = _guard_labels(_sparse_labels(y_true, y_pred, axis), y_pred.shape[-1])
    try:
        p = y_pred.gather(axis, labels.unsqueeze(axis)).squeeze(axis)
    except RuntimeError as kernel_error:
        _raise_label_error(kernel_error, labels, y_pred.shape[-1])
    losses = (1.0 - torch.pow(p, q)) / q
    if out_of_range is not None:
        losses = losses.masked_fill(out_of_range, float("nan"))
    return losses


@LOSSES.register()
class SparseCategoricalCrossentropy(BuiltinLoss):
    """Crossentropy between integer labels and predicted distributions (or logits).

    Keras 3.15.1 leaves `axis` out of the config; it is written here so it survives a round trip.

    Args:
        from_logits: Whether predictions are logits; `F.cross_entropy` is then used.
        ignore_class: Optional label whose entries do not count (e.g. a void class).
        reduction: As in `Loss`.
        axis: The class axis of the predictions.
        name: Name of the loss instance.
        dtype: Compute dtype; floatx by default.
    """


    def __init__(
        self,
        from_logits=False,
        ignore_class=None,
        reduction="sum_over_batch_size",
        axis=-1,
        name="sparse_categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            sparse_categorical_crossentropy,
            reduction,
            name,
            dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )


@LOSSES.register()
class CategoricalGeneralizedCrossEntropy(BuiltinLoss):
    """Generalized crossentropy `(1 - p ** q) / q` for integer labels, robust to label noise.

    Args:
        q: Noise parameter in (0, 1); near 0 it behaves like crossentropy, near 1 like MAE.
        reduction: As in `Loss`.
        name: Name of the loss instance.
        dtype: Compute dtype; floatx by default.
    """

    def __init__(
        self,
        q=0.5,
        reduction="sum_over_batch_size",
        name="categorical_generalized_cross_entropy",
        dtype=None,
    ):
        if not 0 < q < 1:
            raise ValueError(f"q must be in the interval (0, 1). Received: q={q!r}")
        super().__init__(categorical_generalized_cross_entropy, reduction, name, dtype, q=q)
