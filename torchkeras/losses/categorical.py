"""Categorical crossentropy losses for one-hot (or soft) labels: plain and focal.

On probabilities Keras rescales each distribution to sum 1, clips it to `[eps, 1 - eps]` and
takes the log; on logits it uses `log_softmax`, here through torch's soft-target
`F.cross_entropy`.
"""

import math
import warnings

import torch
import torch.nn.functional as F

from torchkeras import config
from torchkeras.losses.loss import BuiltinLoss, fused_form
from torchkeras.losses.sparse import classes_second
from torchkeras.registry import LOSSES


def _smooth_labels(y_true, label_smoothing):
    """`y * (1 - s) + s / num_classes`, with the classes on the last axis as in Keras."""
    return y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]


def _categorical_inputs(y_true, y_pred, axis, fn_name):
    """Float tensors of equal shape; Keras' checks and its warning for a single class."""
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis!r}")
    y_pred = torch.as_tensor(y_pred)
    y_true = torch.as_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device)
    if y_true.shape != y_pred.shape or y_pred.ndim < 1:
        raise ValueError(
            f"In {fn_name}, arguments `target` and `output` must have the same shape, of rank "
            f"1 or more. Received: target.shape={tuple(y_true.shape)}, "
            f"output.shape={tuple(y_pred.shape)}"
        )
    if y_pred.shape[-1] == 1:
        warnings.warn(
            f"In loss {fn_name}, expected y_pred.shape to be (batch_size, num_classes) with "
            f"num_classes > 1. Received: y_pred.shape={tuple(y_pred.shape)}. Consider using "
            "'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=3,
        )
    return y_true, y_pred


def _clipped_distribution(y_pred, axis):
    """Keras' probabilities: rescaled to sum 1 along `axis`, clipped to `[eps, 1 - eps]`."""
    eps = config.epsilon()
    return torch.clamp(y_pred / y_pred.sum(dim=axis, keepdim=True), eps, 1.0 - eps)


@LOSSES.register()
def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Crossentropy between one-hot (or soft) labels and predicted distributions (or logits).

    Args:
        y_true: One-hot or soft labels, same shape as `y_pred`.
        y_pred: Probabilities, or logits when `from_logits=True` (`F.cross_entropy`).
        from_logits: Whether `y_pred` holds logits.
        label_smoothing: In [0, 1]; labels become `y * (1 - s) + s / num_classes`.
        axis: The class axis.

    Shapes: `(batch, ..., classes)` -> `(batch, ...)`.
    """
    y_true, y_pred = _categorical_inputs(y_true, y_pred, axis, "categorical_crossentropy")
    if label_smoothing:
        y_true = _smooth_labels(y_true, label_smoothing)
    if from_logits:
        axis = axis % y_pred.ndim
        logits, targets = classes_second(y_pred, axis), classes_second(y_true, axis)
        return F.cross_entropy(logits, targets, reduction="none")
    logits = getattr(y_pred, "_keras_logits", None)
    if logits is not None and axis in (-1, y_pred.ndim - 1):
        # A softmax output: log(clip(p)) as a clamped log_softmax of its logits (see sparse.py).
        eps = config.epsilon()
        log_p = torch.clamp(F.log_softmax(logits, dim=-1), math.log(eps), math.log1p(-eps))
        return -torch.sum(y_true * log_p, dim=-1)
    return -torch.sum(y_true * torch.log(_clipped_distribution(y_pred, axis)), dim=axis)


@fused_form(categorical_crossentropy)
def _fused_categorical_crossentropy(
    y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1
):
    """The mean loss from one soft-target `F.cross_entropy` kernel, for logits."""
    if not from_logits or isinstance(axis, bool) or y_true.shape != y_pred.shape:
        return None
    if y_pred.ndim < 2 or y_pred.shape[-1] == 1 or y_pred.numel() == 0:
        return None  # the per-element path raises or warns as Keras does
    y_true = y_true.to(y_pred.dtype)
    if label_smoothing:
        y_true = _smooth_labels(y_true, label_smoothing)
    axis = axis % y_pred.ndim
    return F.cross_entropy(classes_second(y_pred, axis), classes_second(y_true, axis))


@LOSSES.register()
def categorical_focal_crossentropy(
    y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1
):
    """Categorical crossentropy scaled by `alpha * (1 - p) ** gamma`, down-weighting easy examples.

    Args:
        y_true: One-hot or soft labels, same shape as `y_pred`.
        y_pred: Probabilities, or logits when `from_logits=True` (passed through a softmax).
        alpha: Weighting factor.
        gamma: Focusing exponent; 0 gives `alpha` times categorical crossentropy.
        from_logits: Whether `y_pred` holds logits.
        label_smoothing: In [0, 1]; labels become `y * (1 - s) + s / num_classes`.
        axis: The class axis.

    Shapes: `(batch, ..., classes)` -> `(batch, ...)`.
    """
    y_true, y_pred = _categorical_inputs(y_true, y_pred, axis, "categorical_focal_crossentropy")
    if label_smoothing:
        y_true = _smooth_labels(y_true, label_smoothing)
    if from_logits:
        y_pred = torch.softmax(y_pred, dim=axis)
    output = _clipped_distribution(y_pred, axis)
    cce = -y_true * torch.log(output)
    return torch.sum(torch.pow(1.0 - output, gamma) * alpha * cce, dim=axis)


@LOSSES.register()
class CategoricalCrossentropy(BuiltinLoss):
    """Crossentropy between one-hot labels and predicted distributions (or logits).

    Args:
        from_logits: Whether predictions are logits.
        label_smoothing: In [0, 1]; mixes the labels with the uniform distribution.
        axis: The class axis.
        reduction: As in `Loss`; `"sum_over_batch_size"` by default.
        name: Name of the loss instance.
        dtype: Compute dtype; floatx by default.
    """


    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            categorical_crossentropy,
            reduction,
            name,
            dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


@LOSSES.register()
class CategoricalFocalCrossentropy(BuiltinLoss):
    """Categorical focal crossentropy: crossentropy that down-weights easy examples.

    Args:
        alpha: Weighting factor.
        gamma: Focusing exponent.
        from_logits: Whether predictions are logits.
        label_smoothing: In [0, 1]; mixes the labels with the uniform distribution.
        axis: The class axis.
        reduction: As in `Loss`.
        name: Name of the loss instance.
        dtype: Compute dtype; floatx by default.
    """

    def __init__(
        self,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(
            categorical_focal_crossentropy,
            reduction,
            name,
            dtype,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
