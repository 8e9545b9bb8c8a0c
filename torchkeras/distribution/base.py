"""What every distribution shares: the current-distribution state and the per-process view.

On torch one process trains per device (as `torchrun` starts them), so a distribution
describes this process' place among the others: its device, its rank, and the shard of
every global batch it trains on.
"""

import contextlib

from torchkeras.distribution import process_group

UNSET = object()
STATE = {"explicit": UNSET, "automatic": None, "scoped": []}


class Distribution:
    """Base of `DataParallel` and `ModelParallel`: devices, ranks and `scope()`.

    Args:
        devices: Device names, one per process of this machine (`LOCAL_RANK` i trains on
            `devices[i]` with CUDA; CPU processes all use `devices[0]`).
        auto_shard_dataset: Whether each process takes its shard of every global batch.
    """

    def __init__(self, devices, auto_shard_dataset):
        self._devices = list(devices)
        self.auto_shard_dataset = auto_shard_dataset

    @property
    def devices(self):
        """The device names given (or found)."""
        return list(self._devices)

    @property
    def device(self):
        """The device this process trains on."""
        if self._devices[0].startswith("cuda"):
            return self._devices[process_group.local_rank()]
        return self._devices[0]

    @property
    def num_processes(self):
        """Number of processes training together."""
        return process_group.world_size()

    @property
    def data_shard_id(self):
        """Which shard of every global batch this process trains on: its rank."""
        return process_group.rank()

    @contextlib.contextmanager
    def scope(self):
        """Makes this the current distribution inside a `with` block."""
        STATE["scoped"].append(self)
        try:
            yield self
        finally:
            STATE["scoped"].pop()
