"""`keras.utils.to_categorical` and `normalize`: numpy helpers scripts use to prepare data."""

import numpy as np


def to_categorical(x, num_classes=None):
    """One-hot encodes integer class labels: shape `(..., )` -> `(..., num_classes)` (float32).

    A trailing axis of size 1 is dropped first, as Keras does; `num_classes` defaults to
    `max(x) + 1`.
    """
    x = np.asarray(x, dtype="int64")
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if num_classes is None:
        num_classes = int(x.max()) + 1 if x.size else 0
    if x.size and (x.min() < 0 or x.max() >= num_classes):
        raise ValueError(
            f"`to_categorical`: labels must lie in [0, {num_classes}); got values from "
            f"{int(x.min())} to {int(x.max())}."
        )
    categorical = np.zeros((x.size, num_classes), dtype="float32")
    categorical[np.arange(x.size), x] = 1.0
    return categorical.reshape((*shape, num_classes))


def normalize(x, axis=-1, order=2):
    """Scales `x` to unit `order`-norm along `axis` (zero vectors stay zero)."""
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)
