"""FeatureSpace's data handling: per-feature adapt batches and the conversion of called values.

Keras feeds `adapt` from `tf.data`: a dict of arrays is sliced into samples and re-batched by
32, and rank-1 batches get a trailing axis. The same batches are cut here from NumPy, so
statistics merged batch by batch (Discretization's quantile sketches) equal Keras'.
"""

import numpy as np
import torch

from torchkeras import config
from torchkeras.layers.preprocessing.categorical.data_layer import as_text

_ADAPT_BATCH = 32  # Keras batches unbatched samples by 32 before adapting


def to_host(value):
    """A NumPy array of `value` (a tensor, list, scalar or array); strings as `str` arrays."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    array = np.asarray(value)
    return as_text(array) if array.dtype.kind in "SO" else array


def _float32(array, is_float):
    return array.astype("float32") if is_float and array.dtype.kind in "fiub" else array


def _from_samples(array, is_float):
    """Batches of a dict column holding one sample per row (`from_tensor_slices`)."""
    array = _float32(array, is_float)
    if array.ndim == 1:  # scalar samples: batched by 32, then given a trailing axis
        return [array[i : i + _ADAPT_BATCH, None] for i in range(0, len(array), _ADAPT_BATCH)]
    if array.ndim == 2:  # vector samples: each one a batch, given a trailing axis
        return [row[:, None] for row in array]
    return list(array)


def _from_batches(values, is_float):
    """Adapt batches of the values one feature takes in successive dataset batches."""
    arrays = [_float32(to_host(v), is_float) for v in values]
    if arrays and arrays[0].ndim == 0:  # a dataset of single samples: batch them by 32
        return _from_samples(np.stack(arrays), is_float)
    return [a[:, None] if a.ndim == 1 else a for a in arrays]


def _iterate(dataset):
    if hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__"):  # PyDataset, list
        return (dataset[i] for i in range(len(dataset)))
    return iter(dataset)


def feature_batches(dataset, names, float_names=()):
    """`{name: [adapt batches]}` for the features `names` of `dataset`.

    Args:
        dataset: A dict of arrays (samples along the first axis), or an iterable of dict
            batches; `(x, y)` or `(x, y, w)` batches use `x`.
        names: The features to collect.
        float_names: Features whose values become float32 (Keras' float features).
    """
    if isinstance(dataset, dict):
        _check_keys(dataset, names)
        return {n: _from_samples(to_host(dataset[n]), n in float_names) for n in names}
    if not hasattr(dataset, "__iter__") and not hasattr(dataset, "__getitem__"):
        raise ValueError(
            "FeatureSpace.adapt: expected a dict of arrays/lists or an iterable of dict batches "
            f"(a PyDataset, a DataLoader, a list); got {dataset!r} of type {type(dataset).__name__}."
        )
    values = {n: [] for n in names}
    for batch in _iterate(dataset):
        if isinstance(batch, (tuple, list)) and batch and isinstance(batch[0], dict):
            batch = batch[0]
        if not isinstance(batch, dict):
            raise ValueError(
                "FeatureSpace.adapt: every batch of the dataset must be a dict of features "
                f"(or an (x, y) tuple with a dict x); got {type(batch).__name__}."
            )
        _check_keys(batch, names)
        for n in names:
            values[n].append(batch[n])
    return {n: _from_batches(values[n], n in float_names) for n in names}


def _check_keys(batch, names):
    missing = [n for n in names if n not in batch]
    if missing:
        raise ValueError(
            f"FeatureSpace.adapt: the data lack features {missing}; got keys {list(batch)}."
        )


def to_feature_values(value, dtype, device):
    """A called feature's values: a tensor on `device`, or a NumPy `str` array for strings.

    Float features' numbers become float32 (Keras' feature dtype); other float64 values floatx.
    """
    if isinstance(value, torch.Tensor):
        tensor = value.to(device)
    else:
        array = to_host(value)
        if array.dtype.kind == "U":
            return array
        tensor = torch.as_tensor(array, device=device)
    if dtype.startswith("float") and tensor.dtype != torch.float32:
        return tensor.to(config.standardize_dtype(dtype))
    if tensor.dtype == torch.float64:
        return tensor.to(config.standardize_dtype(config.floatx()))
    return tensor


def dtype_name(value):
    """The dtype name of a KerasTensor, tensor or array (`"int64"`, `"float32"`, `"string"`)."""
    dtype = getattr(value, "dtype", None)
    if isinstance(dtype, str):
        return dtype
    if isinstance(value, np.ndarray):
        return "string" if value.dtype.kind in "USO" else str(value.dtype)
    return config.dtype_name(dtype)
