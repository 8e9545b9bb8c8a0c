"""Which rows of every global batch a rank trains on, and the batch sampler that cuts them.

A global batch of `size` rows is cut into `world` contiguous pieces whose sizes differ by
at most one, the larger ones first, so rank 0 always has data. A rank whose piece is empty
(a final batch smaller than the number of ranks) still runs the step, on one padding row
that weighs nothing: every rank then takes part in every collective and none waits forever.
"""

import math

import torch
from torch.utils.data import (
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
)

from torchkeras.distribution import collectives, process_group
from torchkeras.distribution.gradient_sync import STEP


class Shard:
    """This rank's piece of every global batch.

    Args:
        rank: This process' index.
        world: Number of processes.
    """

    def __init__(self, rank, world):
        self.rank, self.world = rank, world

    def rows(self, size):
        """`(start, stop, real)`: the rows of a `size`-row batch to run, and how many count.

        An empty piece runs row 0 (a padding row) with `real == 0`.
        """
        base, extra = divmod(size, self.world)
        start = self.rank * base + min(self.rank, extra)
        stop = start + base + (1 if self.rank < extra else 0)
        if stop == start:
            return 0, 1, 0
        return start, stop, stop - start


def current_shard():
    """The `Shard` of this process when data is sharded, else None."""
    if process_group.is_distributed():
        return Shard(process_group.rank(), process_group.world_size())
    return None


def check_same_size(count):
    """Raises the same ValueError on every rank when ranks hold different amounts of data."""
    low, high = collectives.extremes(count)
    if low != high:
        raise ValueError(
            "DataParallel: every process must get the same data (each takes its shard of every "
            f"global batch), but the processes got between {low} and {high} samples. Pass the "
            "same arrays everywhere, or use DataParallel(auto_shard_dataset=False) for data "
            "that is already split per process."
        )


def counted(batch, real, sizes):
    """Yields `batch` between the gradient reduction's begin/end marks; `real` rows count
    (0: a padding batch, whose metric updates are undone after its step)."""
    sizes.append(real)
    STEP.begin(real, padded=real == 0)
    try:
        yield batch
    finally:
        STEP.end()


def sharded_loader(source, batch_size, shuffle, shard, pin_memory):
    """`(loader, sampler)` reading this rank's shards of a map-style source, or `(source,
    None)` for sources that cannot be cut (generators, iterable datasets, custom samplers)."""
    if isinstance(source, Dataset) and not isinstance(source, IterableDataset):
        check_same_size(len(source))
        sampler = ShardedBatchSampler(len(source), batch_size or 32, shuffle, False, shard)
        return DataLoader(source, batch_sampler=sampler, pin_memory=pin_memory), sampler
    if not _plain_loader(source):
        return source, None
    check_same_size(len(source.dataset))
    sampler = ShardedBatchSampler(
        len(source.dataset), source.batch_size, isinstance(source.sampler, RandomSampler),
        source.drop_last, shard,
    )
    loader = DataLoader(
        source.dataset, batch_sampler=sampler, num_workers=source.num_workers,
        collate_fn=source.collate_fn, pin_memory=source.pin_memory, timeout=source.timeout,
        worker_init_fn=source.worker_init_fn, prefetch_factor=source.prefetch_factor,
        multiprocessing_context=source.multiprocessing_context,
        persistent_workers=source.persistent_workers,
    )
    return loader, sampler


def _plain_loader(source):
    """A DataLoader over a map-style dataset with a sequential or random sampler."""
    return (
        isinstance(source, DataLoader)
        and source.batch_size is not None
        and type(source.sampler) in (SequentialSampler, RandomSampler)
        and not isinstance(source.dataset, IterableDataset)
    )


class ShardedBatchSampler:
    """Index lists of this rank's piece of every global batch of a map-style dataset.

    The epoch's order is drawn by rank 0 and broadcast, so all ranks cut the same global
    batches and their pieces never overlap.

    Args:
        count: Number of samples of the dataset.
        batch_size: Global batch size.
        shuffle: Whether to draw a new order each epoch.
        drop_last: Whether to drop a final global batch smaller than `batch_size`.
        shard: This rank's `Shard`.
    """

    def __init__(self, count, batch_size, shuffle, drop_last, shard):
        self.count, self.batch_size = count, int(batch_size)
        self.shuffle, self.drop_last, self.shard = shuffle, drop_last, shard

    def __len__(self):
        if self.drop_last:
            return self.count // self.batch_size
        return math.ceil(self.count / self.batch_size)

    def global_size(self, step):
        """Rows of global batch `step`."""
        return min(self.batch_size, self.count - step * self.batch_size)

    def __iter__(self):
        order = None
        if self.shuffle:
            order = collectives.broadcast_permutation(self.count, torch.device("cpu")).tolist()
        return self._indices(order)

    def _indices(self, order):
        for step in range(len(self)):
            first = step * self.batch_size
            start, stop, _ = self.shard.rows(self.global_size(step))
            rows = range(first + start, first + stop)
            yield [order[row] for row in rows] if order is not None else list(rows)
