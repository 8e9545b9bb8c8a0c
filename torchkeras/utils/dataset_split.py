"""`split_dataset`: one dataset (arrays or a torch `Dataset`) into a left and a right part."""

import numbers

import numpy as np
import torch
from torch.utils.data import Dataset, Subset, TensorDataset, random_split


def _as_dataset(dataset):
    if isinstance(dataset, Dataset):
        return dataset
    if isinstance(dataset, np.ndarray):
        return TensorDataset(torch.from_numpy(dataset))
    if isinstance(dataset, (list, tuple)) and dataset and all(
        isinstance(a, (np.ndarray, torch.Tensor)) for a in dataset
    ):
        return TensorDataset(*[torch.as_tensor(a) for a in dataset])
    raise TypeError(
        "The `dataset` argument must be a `torch.utils.data.Dataset`, a numpy array or a "
        f"list/tuple of arrays. Received: dataset={dataset!r} of type {type(dataset)}"
    )


def _size(value, name, total):
    """`value` (a fraction in (0, 1) or a count in (0, total)) as a count, or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be an int or a float, got {name}={value!r}.")
    if isinstance(value, numbers.Integral):
        if not 0 < value < total:
            raise ValueError(f"`{name}` must be in (0, {total}) as a count, got {value}.")
        return int(value)
    if not 0 < value < 1:
        raise ValueError(f"`{name}` must be in (0, 1) as a fraction, got {value}.")
    return round(value * total)


def split_sizes(left_size, right_size, total):
    """Keras' sizes of the two parts: fractions are rounded, a missing side is the rest."""
    if left_size is None and right_size is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified.")
    left, right = _size(left_size, "left_size", total), _size(right_size, "right_size", total)
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total or not left or not right:
        raise ValueError(
            f"With a dataset of {total} samples, left_size={left_size} and "
            f"right_size={right_size} give parts of {left} and {right} samples: both must be "
            "non-empty and together at most the dataset."
        )
    return left, right


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None,
                  preferred_backend=None):
    """Splits `dataset` into two torch `Dataset`s of `left_size` and `right_size` samples.

    Sizes are fractions (floats in (0, 1)) or counts; one may be omitted. With `shuffle`, the
    parts are drawn as Keras' torch backend draws them (`random_split` with a `seed`-ed
    generator), so they hold the same samples; without it the left part is the first samples
    (Keras' torch path shuffles even then). `fit` takes the parts directly.

    Args:
        dataset: A torch `Dataset`, a numpy array, or a list/tuple of arrays of equal length.
        left_size, right_size: Size of each part.
        shuffle: Whether to shuffle before splitting.
        seed: Seed of the shuffle.
        preferred_backend: Accepted for Keras' signature; the parts are always torch datasets.
    """
    dataset = _as_dataset(dataset)
    total = len(dataset)
    left, right = split_sizes(left_size, right_size, total)
    if not shuffle:
        return Subset(dataset, range(left)), Subset(dataset, range(left, left + right))
    generator = torch.Generator()
    if seed is None:
        generator.seed()
    else:
        generator.manual_seed(seed)
    if left + right < total:
        left_part, right_part, _ = random_split(dataset, [left, right, total - left - right],
                                                generator=generator)
        return left_part, right_part
    left_part, right_part = random_split(dataset, [left, right], generator=generator)
    return left_part, right_part
