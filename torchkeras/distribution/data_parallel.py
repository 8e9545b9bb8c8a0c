"""DataParallel and the current distribution: Keras' `keras.distribution` API on torch.

On torch, data parallelism runs one process per device (started by `torchrun`); the model
is replicated, every global batch is cut into one shard per process, and gradients are
averaged (see `gradient_sync`). Under `torchrun` (`WORLD_SIZE` > 1) a `DataParallel` is
created on first use, so an unchanged Keras script trains data-parallel.
"""

from torchkeras.distribution import fully_sharded, gradient_sync, process_group
from torchkeras.distribution.base import STATE, UNSET, Distribution
from torchkeras.distribution.model_parallel import ModelParallel


class DataParallel(Distribution):
    """Data parallelism over the processes of a torch.distributed group.

    Keras' JAX backend shards a global batch over the devices of one process; torch runs
    one process per device instead, so `devices` lists the devices this machine's processes
    use and the process with `LOCAL_RANK` i trains on `devices[i]`. Creating it joins the
    process group (NCCL on CUDA, gloo on CPU) when the environment describes a launch.
    Weights are replicated; `ModelParallel` shards them (FSDP).

    Args:
        device_mesh: Not supported on torch (a 1-D mesh over processes is implied); must be
            None.
        devices: Device names such as `["cuda:0", "cuda:1"]`; None means `list_devices()`.
        auto_shard_dataset: Whether each process takes its shard of every global batch of
            the data `fit` gets (True), or the data given to each process is already its own
            (False; then `batch_size` is per process and epochs end with the shortest stream).
    """

    def __init__(self, device_mesh=None, devices=None, auto_shard_dataset=True):
        if device_mesh is not None:
            raise ValueError(
                "DataParallel: `device_mesh` is not supported on torch, where data parallelism "
                f"runs one process per device; got device_mesh={device_mesh!r}. Pass `devices` "
                "(or nothing) and launch one process per device with torchrun."
            )
        if process_group.launched_distributed():
            process_group.initialize()
        super().__init__(
            devices if devices is not None else process_group.list_devices(), auto_shard_dataset
        )
        if not self._devices:
            raise ValueError(
                f"DataParallel: `devices` must not be empty, got devices={devices!r}."
            )
        index = process_group.local_rank()
        if self._devices[0].startswith("cuda") and index >= len(self._devices):
            raise ValueError(
                f"DataParallel: process with LOCAL_RANK={index} has no device in "
                f"devices={self._devices}; start at most {len(self._devices)} processes per machine."
            )
        self.batch_dim_name = "batch"

    @property
    def num_model_replicas(self):
        """Number of model replicas: one per process."""
        return process_group.world_size()

    def get_config(self):
        """Constructor arguments (without the process group's state)."""
        return {"devices": self.devices, "auto_shard_dataset": self.auto_shard_dataset}

    def __repr__(self):
        return (
            f"<DataParallel devices={self._devices} rank={self.data_shard_id} "
            f"of {self.num_processes}>"
        )


def set_distribution(value):
    """Sets the global distribution; `None` also switches off detection of `torchrun`."""
    if value is not None and not isinstance(value, Distribution):
        raise ValueError(
            "`set_distribution` expects a DataParallel, a ModelParallel or None, got "
            f"{type(value).__name__}."
        )
    STATE["explicit"] = value


def distribution():
    """The current distribution: a `scope()`'s, the one set, or the one `torchrun` implies."""
    if STATE["scoped"]:
        return STATE["scoped"][-1]
    if STATE["explicit"] is not UNSET:
        return STATE["explicit"]
    if STATE["automatic"] is None and process_group.launched_distributed():
        STATE["automatic"] = DataParallel()
    return STATE["automatic"]


def sharding_mode():
    """`"shard"` (cut every global batch), `"local"` (each rank's data is its own) or None."""
    current = distribution()
    if current is None or not process_group.is_distributed():
        return None
    return "shard" if current.auto_shard_dataset else "local"


def prepare_model(model):
    """Called as fit/evaluate/predict start: under a distribution, joins the process group
    (through `distribution()`), then keeps `model`'s replicas identical (`gradient_sync`)
    or, under `ModelParallel`, shards it with FSDP (`fully_sharded`; once per model)."""
    if sharding_mode() is None:
        return
    current = distribution()
    if isinstance(current, ModelParallel):
        fully_sharded.attach(model, current)
    else:
        fully_sharded.check_unsharded(model)
        gradient_sync.attach(model)
