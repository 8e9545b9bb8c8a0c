"""Intersection-over-union metrics from an accumulated confusion matrix.

Keras keeps the confusion matrix in the metric's dtype, `"int32"` by default: fractional sample
weights are then truncated to whole numbers (Keras warns, and so does this module). Pass
`dtype="float32"` for fractional weights.
"""

import warnings

import torch

from torchkeras import config
from torchkeras.metrics.metric import Metric, divide_no_nan, to_tensor
from torchkeras.registry import METRICS


class _IoUBase(Metric):
    """Accumulates a `(num_classes, num_classes)` confusion matrix, rows = true classes.

    Args:
        num_classes: Number of classes.
        name: Name of the metric.
        dtype: Dtype of the confusion matrix; `"int32"` by default, as in Keras.
        ignore_class: Class id whose pixels are left out.
        sparse_y_true: Labels are class ids (else one-hot / scores, arg-maxed along `axis`).
        sparse_y_pred: Predictions are class ids (else scores, arg-maxed along `axis`).
        axis: Class axis of dense inputs.
    """

    _config_keys = ("num_classes", "ignore_class", "sparse_y_true", "sparse_y_pred", "axis")

    def __init__(
        self,
        num_classes,
        name=None,
        dtype=None,
        ignore_class=None,
        sparse_y_true=True,
        sparse_y_pred=True,
        axis=-1,
    ):
        super().__init__(name=name, dtype=dtype or "int32")
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_weight(
            shape=(num_classes, num_classes), initializer="zeros", name="total_confusion_matrix"
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the batch's (weighted) confusion matrix."""
        dtype = self.total_cm.value.dtype
        y_pred = to_tensor(y_pred, device=self.total_cm.value.device)
        y_true = to_tensor(y_true, device=y_pred.device)
        if not self.sparse_y_true:
            y_true = y_true.argmax(dim=self.axis)
        if not self.sparse_y_pred:
            y_pred = y_pred.argmax(dim=self.axis)
        y_true, y_pred = y_true.reshape(-1).long(), y_pred.reshape(-1).long()
        if sample_weight is None:
            weights = torch.ones((), dtype=dtype, device=y_pred.device)
        else:
            weights = to_tensor(sample_weight, device=y_pred.device)
            if weights.is_floating_point() and not self.total_cm.value.is_floating_point():
                warnings.warn(
                    "You are passing weight as `float`, but dtype is `int`. This may result in "
                    "an incorrect weight due to type casting Consider using integer weights.",
                    stacklevel=2,
                )
            weights = weights.to(dtype).reshape(-1)
        weights = weights.expand(y_true.shape)
        if self.ignore_class is not None:
            valid = y_true != self.ignore_class
            y_true, y_pred = y_true * valid, y_pred * valid
            weights = weights * valid.to(dtype)
        flat = torch.zeros(self.num_classes**2, dtype=dtype, device=y_pred.device)
        flat.scatter_add_(0, y_true * self.num_classes + y_pred, weights)
        self.total_cm.assign_add(flat.reshape(self.num_classes, self.num_classes))

    def _iou_per_class(self):
        """Intersection over union of every class, and whether the class occurred at all."""
        dtype = config.standardize_dtype(self.dtype)
        if not dtype.is_floating_point:
            dtype = config.standardize_dtype(None)
        cm = self.total_cm.value.to(dtype)
        true_positives = cm.diagonal()
        denominator = cm.sum(0) + cm.sum(1) - true_positives
        return divide_no_nan(true_positives, denominator), denominator > 1e-9

    def _mean_iou(self, class_ids):
        iou, present = self._iou_per_class()
        index = torch.as_tensor(class_ids, dtype=torch.long, device=iou.device)
        iou, present = iou[index], present[index].to(iou.dtype)
        return divide_no_nan(iou.sum(), present.sum())


@METRICS.register("io_u")
class IoU(_IoUBase):
    """Mean intersection over union of the classes in `target_class_ids`.

    Classes that never occur (neither true nor predicted) are left out of the mean.

    Args:
        num_classes: Number of classes.
        target_class_ids: Class ids averaged over.
        name: Name of the metric.
        dtype: Dtype of the confusion matrix (`"int32"` by default).
        ignore_class: Class id whose pixels are left out.
        sparse_y_true: Labels are class ids (else one-hot, arg-maxed along `axis`).
        sparse_y_pred: Predictions are class ids (else scores, arg-maxed along `axis`).
        axis: Class axis of dense inputs.

    Shapes: `update_state(y_true (batch, ...), y_pred (batch, ...), sample_weight)`; the
        weights match the (flattened) label shape.
    """

    _config_keys = (*_IoUBase._config_keys, "target_class_ids")

    def __init__(
        self,
        num_classes,
        target_class_ids,
        name=None,
        dtype=None,
        ignore_class=None,
        sparse_y_true=True,
        sparse_y_pred=True,
        axis=-1,
    ):
        super().__init__(
            num_classes,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )
        if max(target_class_ids) >= num_classes:
            raise ValueError(
                f"Target class id {max(target_class_ids)} is out of range, which is "
                f"[0, {num_classes})."
            )
        self.target_class_ids = list(target_class_ids)

    def result(self):
        """Mean IoU over the target classes that occurred."""
        return self._mean_iou(self.target_class_ids)


@METRICS.register("binary_io_u")
class BinaryIoU(IoU):
    """IoU of binary labels against `y_pred >= threshold`.

    Args:
        target_class_ids: Which of the classes 0 and 1 are averaged over.
        threshold: Predictions at or above it count as class 1.
        name: Name of the metric.
        dtype: Dtype of the confusion matrix (`"int32"` by default).
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Thresholds the predictions, then adds the batch's confusion matrix."""
        y_pred = to_tensor(y_pred, device=self.total_cm.value.device)
        super().update_state(y_true, (y_pred >= self.threshold).long(), sample_weight)

    def get_config(self):
        """Target class ids, threshold, name and dtype."""
        return {
            "target_class_ids": self.target_class_ids,
            "threshold": self.threshold,
            "name": self.name,
            "dtype": self.dtype,
        }


@METRICS.register("mean_io_u")
class MeanIoU(_IoUBase):
    """Mean intersection over union over every class that occurred.

    Args:
        num_classes: Number of classes.
        name: Name of the metric.
        dtype: Dtype of the confusion matrix (`"int32"` by default).
        ignore_class: Class id whose pixels are left out.
        sparse_y_true: Labels are class ids (else one-hot, arg-maxed along `axis`).
        sparse_y_pred: Predictions are class ids (else scores, arg-maxed along `axis`).
        axis: Class axis of dense inputs.
    """

    def result(self):
        """Mean IoU over the classes that occurred."""
        return self._mean_iou(list(range(self.num_classes)))


@METRICS.register("one_hot_io_u")
class OneHotIoU(IoU):
    """IoU of one-hot labels (and, by default, score predictions) over `target_class_ids`.

    Args:
        num_classes: Number of classes.
        target_class_ids: Class ids averaged over.
        name: Name of the metric.
        dtype: Dtype of the confusion matrix (`"int32"` by default).
        ignore_class: Class id whose pixels are left out.
        sparse_y_pred: Predictions are class ids rather than scores.
        axis: Class axis.
    """

    # Keras' OneHotIoU config has no `sparse_y_true`.
    _config_keys = ("num_classes", "ignore_class", "sparse_y_pred", "axis", "target_class_ids")

    def __init__(
        self,
        num_classes,
        target_class_ids,
        name=None,
        dtype=None,
        ignore_class=None,
        sparse_y_pred=False,
        axis=-1,
    ):
        super().__init__(
            num_classes,
            target_class_ids,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )


@METRICS.register("one_hot_mean_io_u")
class OneHotMeanIoU(MeanIoU):
    """Mean IoU of one-hot labels (and, by default, score predictions) over every class.

    Args:
        num_classes: Number of classes.
        name: Name of the metric.
        dtype: Dtype of the confusion matrix (`"int32"` by default).
        ignore_class: Class id whose pixels are left out.
        sparse_y_pred: Predictions are class ids rather than scores.
        axis: Class axis.
    """

    # Keras' OneHotMeanIoU config has no `sparse_y_true`.
    _config_keys = ("num_classes", "ignore_class", "sparse_y_pred", "axis")

    def __init__(
        self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False, axis=-1
    ):
        super().__init__(
            num_classes,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )
