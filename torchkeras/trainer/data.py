"""Data for fit/evaluate/predict: arrays go to the device once; batches are cut there."""

import itertools
import math
import random

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, IterableDataset

from torchkeras import config, distribution
from torchkeras.distribution import collectives
from torchkeras.distribution import sharding as shards
from torchkeras.utils import nest


def unpack_x_y_sample_weight(data):
    """Keras' rule: a tuple/list of 1-3 items is `(x, y, sample_weight)`, anything else is `x`."""
    if isinstance(data, (tuple, list)) and 1 <= len(data) <= 3:
        return tuple(data) + (None,) * (3 - len(data))
    return data, None, None


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The inverse of `unpack_x_y_sample_weight`, as Keras packs: `x` alone stays `x` (a tuple
    or list `x` becomes `(x,)`), and a `sample_weight` without `y` is dropped."""
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    return (x, y) if sample_weight is None else (x, y, sample_weight)


def to_device(structure, device):
    """numpy arrays, lists of numbers and tensors -> tensors on `device` (float64 -> floatx)."""
    floatx = config.standardize_dtype(config.floatx())

    def convert(value):
        if value is None or is_text(value):
            return np.asarray(value) if value is not None else None  # strings stay on the host
        if isinstance(value, torch.Tensor):
            tensor = value
        else:
            tensor = torch.as_tensor(np.asarray(value))
        if tensor.dtype == torch.float64:
            tensor = tensor.to(floatx)
        return tensor.to(device, non_blocking=True)

    return nest.map_structure(convert, structure)


def is_text(value):
    """Whether `value` is an array (or list) of strings: TextVectorization's raw input."""
    if isinstance(value, (list, tuple)):
        return bool(value) and isinstance(value[0], (str, bytes))
    if not isinstance(value, np.ndarray):
        return False
    kind = value.dtype.kind
    return kind in "US" or (kind == "O" and value.size > 0 and isinstance(value.flat[0], (str, bytes)))


def is_array_like(data):
    """Whether `data` is in-memory arrays/tensors (possibly nested in lists or dicts)."""
    leaves = nest.flatten(data)
    return bool(leaves) and all(
        isinstance(leaf, (np.ndarray, torch.Tensor)) or leaf is None for leaf in leaves
    )


def cardinality(**named):
    """The common number of samples of the named array structures, or a ValueError naming them."""
    sizes = {}
    for name, structure in named.items():
        lengths = {len(leaf) for leaf in nest.flatten(structure) if leaf is not None}
        if lengths:
            sizes[name] = sorted(lengths)
    distinct = {size for values in sizes.values() for size in values}
    if len(distinct) > 1:
        detail = ", ".join(f"'{name}' sizes: {values}" for name, values in sizes.items())
        raise ValueError(
            "Data cardinality is ambiguous: make sure all arrays contain the same number of "
            f"samples. {detail}."
        )
    return distinct.pop() if distinct else 0


def split_validation(data, fraction):
    """Splits `(x, y, sample_weight)` arrays: the last `fraction` of samples is for validation."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"`validation_split` must be in (0, 1), got validation_split={fraction}.")
    total = cardinality(data=data)
    cut = int(math.floor(total * (1.0 - fraction)))
    if cut == 0 or cut == total:
        raise ValueError(
            f"`validation_split={fraction}` leaves an empty training or validation set "
            f"for {total} samples."
        )
    head = nest.map_structure(lambda a: None if a is None else a[:cut], data)
    tail = nest.map_structure(lambda a: None if a is None else a[cut:], data)
    return head, tail


class ArrayBatches:
    """Batches of in-memory `(x, y, sample_weight)` tensors already on the training device.

    An epoch is a permutation drawn on the device; a batch is an `index_select` (or a slice,
    without shuffling). No host transfer happens per step.

    Batches are `(x,)`, `(x, y)` or `(x, y, sample_weight)` tuples, as Keras hands them to
    `train_step`.

    Under a `DataParallel` distribution every rank holds the same arrays and runs its shard
    of each global batch of `batch_size` rows (the shuffled order is rank 0's, broadcast);
    with `auto_shard_dataset=False` each rank's arrays are its own and the epoch ends with
    the shortest. `real_sizes` records this rank's real rows per step, for `predict`.

    Args:
        data: `(x, y, sample_weight)` structures of tensors with a common first axis.
        batch_size: Samples per batch; the last batch may be smaller.
        shuffle: Whether to draw a new order every epoch.
        steps: Optional cap on the number of batches per epoch.
    """

    def __init__(self, data, batch_size, shuffle=False, steps=None):
        self.data = tuple(part for part in data if part is not None)
        self.samples = cardinality(data=data)
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        full = math.ceil(self.samples / self.batch_size)
        self.steps = min(full, steps) if steps else full
        tensors = [t for t in nest.flatten(data) if isinstance(t, torch.Tensor)]
        self.device = tensors[0].device if tensors else torch.device("cpu")
        self._host_parts = any(isinstance(t, np.ndarray) for t in nest.flatten(data))
        self.mode = distribution.sharding_mode()
        self.shard = shards.current_shard() if self.mode == "shard" else None
        self.real_sizes = []
        if self.shard is not None:
            shards.check_same_size(self.samples)
        elif self.mode == "local":
            self.steps = collectives.extremes(self.steps)[0]

    def __len__(self):
        return self.steps

    def __iter__(self):
        order = None
        if self.shuffle and self.shard is not None:
            order = collectives.broadcast_permutation(self.samples, self.device)
        elif self.shuffle:
            order = torch.randperm(self.samples, device=self.device)
        # host arrays (strings) are cut by a host copy of the order: one read per epoch
        host_order = order.cpu() if order is not None and self._host_parts else None
        self.real_sizes = []
        for step in range(self.steps):
            start = step * self.batch_size
            stop = min(start + self.batch_size, self.samples)
            real = stop - start
            if self.shard is not None:
                first, last, real = self.shard.rows(stop - start)
                start, stop = start + first, start + last
            if order is None:
                batch = [_take(part, lambda t: t[start:stop]) for part in self.data]
            else:
                index = order[start:stop]
                host_index = None if host_order is None else host_order[start:stop].numpy()
                batch = [_take(part, _rows_at(index, host_index)) for part in self.data]
            if self.mode is None:
                yield pack_x_y_sample_weight(*batch)
            else:
                yield from shards.counted(pack_x_y_sample_weight(*batch), real, self.real_sizes)


def skip_batches(batches, count):
    """An iterator over `batches` past its first `count` batches, and the last one skipped.

    The skipped batches are drawn as in the run being resumed, so the epoch's permutation (or
    a loader's shuffling) takes the same random draws. The last skipped batch is None when
    `count` is 0 or the data ran out.
    """
    iterator = iter(batches)
    last = None
    for _ in range(count):
        batch = next(iterator, None)
        if batch is None:
            break
        last = batch
    return iterator, last


class IterableBatches:
    """Batches from a DataLoader, Dataset, PyDataset-like sequence or generator, moved to `device`.

    A map-style torch `Dataset` is wrapped in a `DataLoader`; a generator is consumed across
    epochs, `steps` batches at a time, as Keras does.

    Args:
        source: The data source.
        device: Where batches go (`non_blocking` copies; pinned memory on CUDA).
        batch_size: Used only to wrap a torch `Dataset` (default 32).
        shuffle: Used only to wrap a torch `Dataset`.
        steps: Batches per epoch; required for sources without a length (generators).

    Under a `DataParallel` distribution a map-style `Dataset`, or a `DataLoader` with a plain
    sequential or random sampler, is read through a `ShardedBatchSampler`: each rank loads
    its shard of every global batch of the loader's batch size. Other sources (generators,
    PyDatasets, iterable datasets, custom samplers) are each rank's own stream; the ranks
    agree before every step whether all still have a batch, so uneven streams end together.
    """

    def __init__(self, source, device, batch_size=None, shuffle=False, steps=None):
        self.mode = distribution.sharding_mode()
        self.shard = shards.current_shard() if self.mode == "shard" else None
        self.sampler = None
        self.real_sizes = []
        if self.shard is not None:
            source, self.sampler = shards.sharded_loader(
                source, batch_size, shuffle, self.shard, torch.device(device).type == "cuda"
            )
        elif isinstance(source, Dataset) and not isinstance(source, IterableDataset):
            source = DataLoader(
                source,
                batch_size=batch_size or 32,
                shuffle=shuffle,
                pin_memory=torch.device(device).type == "cuda",
            )
        self.source = source
        self.device = device
        self.steps = steps
        self.shuffle = shuffle
        self._iterator = None

    def __len__(self):
        length = length_or_none(self.source)
        if self.steps is not None:
            return self.steps if length is None else min(self.steps, length)
        return length

    def __iter__(self):
        batches = self._device_batches()
        return batches if self.mode is None else self._distributed(batches)

    def _distributed(self, batches):
        """Marks each batch's real rows; streams of unknown agreement stop together."""
        self.real_sizes = []
        for step in itertools.count():
            batch = next(batches, None)
            if self.sampler is None and not collectives.all_true(batch is not None):
                return
            if batch is None:
                return
            if self.sampler is not None:
                real = self.shard.rows(self.sampler.global_size(step))[2]
            else:
                real = len(nest.first_leaf(batch[0]))
            yield from shards.counted(batch, real, self.real_sizes)

    def _device_batches(self):
        limit = self.steps
        for step, batch in enumerate(self._batches(limit)):
            x, y, sample_weight = to_device(unpack_x_y_sample_weight(batch), self.device)
            yield pack_x_y_sample_weight(x, y, sample_weight)
            if limit is not None and step + 1 >= limit and not _is_sequence(self.source):
                return

    def _batches(self, limit):
        if _is_sequence(self.source):
            return self._sequence_pass(len(self) if limit is None else min(limit, len(self)))
        if _is_reiterable(self.source):
            return iter(self.source)
        if self._iterator is None:
            self._iterator = iter(self.source)
        return self._iterator

    def _sequence_pass(self, count):
        """One epoch of a PyDataset: its batches in order, or shuffled with Python's `random`
        as Keras shuffles them (so `set_random_seed` repeats Keras' order)."""
        if hasattr(self.source, "on_epoch_begin"):
            self.source.on_epoch_begin()
        order = list(range(len(self.source)))
        if self.shuffle:
            random.shuffle(order)
        for index in order[:count]:
            yield self.source[index]
        if hasattr(self.source, "on_epoch_end"):
            self.source.on_epoch_end()


def check_finite(x, name):
    """NaN or inf inputs fail before the first step: one pass over the data, one host read.

    A sum is NaN or infinite when any element is; only then (or on overflow) is each
    element checked, to name the first bad position.
    """
    floats = [t for t in nest.flatten(x) if isinstance(t, torch.Tensor) and t.is_floating_point()]
    if not floats or bool(torch.isfinite(torch.stack([t.sum() for t in floats])).all()):
        return
    for tensor in floats:
        bad = (~torch.isfinite(tensor)).nonzero()
        if len(bad):
            raise ValueError(
                f"`{name}` contains NaN or infinite values (first at index "
                f"{tuple(bad[0].tolist())}: {tensor[tuple(bad[0])].item()}); clean the data first."
            )


def gather_to_numpy(outputs, batches):
    """`predict`'s per-step outputs as numpy; under a distribution, every rank's real rows
    gathered in the order of the global batches (every rank gets the whole result)."""
    if getattr(batches, "mode", None) is None:
        return concatenate_to_numpy(outputs)
    local = [
        nest.map_structure(lambda array: array[:real], concatenate_to_numpy([output]))
        for output, real in zip(outputs, batches.real_sizes)
    ]
    return distribution.gather_steps(local)


def concatenate_to_numpy(outputs):
    first = outputs[0]
    if isinstance(first, torch.Tensor):
        merged = torch.cat(outputs).cpu()  # bfloat16 (a mixed policy's) as float32, as ops do
        return (merged.float() if merged.dtype == torch.bfloat16 else merged).numpy()
    if isinstance(first, dict):
        return {key: concatenate_to_numpy([o[key] for o in outputs]) for key in first}
    return [concatenate_to_numpy([o[i] for o in outputs]) for i in range(len(first))]


def _rows_at(index, host_index):
    """A cut taking rows `index` of a tensor (on its device), `host_index` of a host array."""

    def cut(part):
        if isinstance(part, np.ndarray):
            return part[host_index]
        return part.index_select(0, index)

    return cut


def _take(structure, cut):
    """`cut` applied to a tensor, or to every tensor of a nested structure."""
    if isinstance(structure, torch.Tensor):
        return cut(structure)
    return nest.map_structure(cut, structure)


def length_or_none(source):
    """`len(source)`, or None for sources without a length (generators)."""
    try:
        return len(source)
    except TypeError:
        return None


def _is_sequence(source):
    """A Keras PyDataset/Sequence: indexable batches with a length, not a torch DataLoader."""
    return (
        not isinstance(source, (DataLoader, list, tuple))
        and hasattr(source, "__getitem__")
        and hasattr(source, "__len__")
    )


def _is_reiterable(source):
    """A source whose `iter()` restarts it (DataLoader, list, ...), unlike a generator."""
    return not hasattr(source, "__next__")
