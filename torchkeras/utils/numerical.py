"""`keras.utils.to_categorical` and `normalize`: helpers scripts use to prepare data."""

import numpy as np
import torch


def to_categorical(x, num_classes=None):
    """One-hot encodes integer class labels: shape `(..., )` -> `(..., num_classes)`.

    A trailing axis of size 1 is dropped first, as Keras does; `num_classes` defaults to
    `max(x) + 1`. As Keras: arrays and lists give float64 numpy arrays, a tensor gives an int64
    tensor on its device.
    """
    if isinstance(x, torch.Tensor):
        labels = x.long()
        if labels.ndim > 1 and labels.shape[-1] == 1:
            labels = labels.squeeze(-1)
        _check_labels(labels.cpu().numpy(), num_classes)
        return torch.nn.functional.one_hot(labels, -1 if num_classes is None else num_classes)
    x = np.asarray(x, dtype="int64")
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if num_classes is None:
        num_classes = int(x.max()) + 1 if x.size else 0
    _check_labels(x, num_classes)
    categorical = np.zeros((x.size, num_classes))
    categorical[np.arange(x.size), x] = 1.0
    return categorical.reshape((*shape, num_classes))


def _check_labels(labels, num_classes):
    if num_classes is None or not labels.size:
        return
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(
            f"`to_categorical`: labels must lie in [0, {num_classes}); got values from "
            f"{int(labels.min())} to {int(labels.max())}."
        )


def normalize(x, axis=-1, order=2):
    """Scales `x` to unit `order`-norm along `axis` (zero vectors stay zero); a tensor stays a
    tensor, anything else becomes a numpy array."""
    if isinstance(x, torch.Tensor):
        norm = torch.linalg.vector_norm(x, ord=order, dim=axis, keepdim=True)
        return x / torch.where(norm == 0, torch.ones_like(norm), norm)
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)
