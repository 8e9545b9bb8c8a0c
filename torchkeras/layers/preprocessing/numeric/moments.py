"""Mean and variance of a dataset, as Keras' `Normalization.adapt` computes them."""

import itertools
import math

import numpy as np
import torch


def first_input(batch):
    """The inputs of a batch: `x` of an `(x, y[, sample_weight])` tuple or list, else itself."""
    return batch[0] if isinstance(batch, (tuple, list)) else batch


def peek_shape(data, layer_name):
    """`(shape of the first batch, data)`: arrays and tensors as they are; an iterable of
    batches (a DataLoader, a list, a generator) re-chained after its first batch is read."""
    if isinstance(data, (np.ndarray, torch.Tensor)):
        return tuple(data.shape), data
    if not hasattr(data, "__iter__"):
        raise TypeError(
            f"Normalization '{layer_name}': adapt() takes a numpy array, a tensor or an "
            f"iterable of batches (e.g. a DataLoader), got {type(data).__name__}."
        )
    batches = iter(data)
    first = next(batches, None)
    if first is None:
        raise ValueError(
            f"Normalization '{layer_name}': adapt() received an empty iterable; it needs at "
            f"least one batch."
        )
    shape = getattr(first_input(first), "shape", None)
    if shape is None:
        raise TypeError(
            f"Normalization '{layer_name}': adapt() needs batches with a `.shape` (arrays or "
            f"tensors), got a batch of type {type(first_input(first)).__name__}."
        )
    return tuple(shape), itertools.chain([first], batches)


def _tensor_moments(x, reduce_axes):
    """Mean and population variance over `reduce_axes` (none: the values and zeros)."""
    if not reduce_axes:
        return x, torch.zeros_like(x)
    return torch.mean(x, dim=reduce_axes), torch.var(x, dim=reduce_axes, correction=0)


def moments(data, reduce_axes, dtype, check_batch):
    """Mean and variance of `data` over `reduce_axes`.

    A numpy array uses numpy's `mean`/`var`, a tensor torch's (in at least float32), as Keras
    does; an iterable of batches is merged batch by batch with Keras' running update (the
    lack-of-fit sum of squares), in `dtype`. `check_batch(x)` validates each batch.
    """
    if isinstance(data, np.ndarray):
        return torch.as_tensor(np.mean(data, axis=reduce_axes)), torch.as_tensor(
            np.var(data, axis=reduce_axes)
        )
    if isinstance(data, torch.Tensor):
        x = data if data.is_floating_point() else data.to(torch.float32)
        return _tensor_moments(x, reduce_axes)
    total_mean = total_var = None
    total_count = 0
    for batch in data:
        x = torch.as_tensor(first_input(batch), dtype=dtype)
        check_batch(x)
        batch_mean, batch_var = _tensor_moments(x, reduce_axes)
        if total_mean is None:
            total_mean, total_var = torch.zeros_like(batch_mean), torch.zeros_like(batch_var)
        total_count += math.prod(x.shape[d] for d in reduce_axes)
        batch_weight = float(math.prod(x.shape[d] for d in reduce_axes)) / total_count
        existing_weight = 1.0 - batch_weight
        new_mean = total_mean * existing_weight + batch_mean * batch_weight
        total_var = (total_var + (total_mean - new_mean) ** 2) * existing_weight + (
            batch_var + (batch_mean - new_mean) ** 2
        ) * batch_weight
        total_mean = new_mean
    return total_mean, total_var
