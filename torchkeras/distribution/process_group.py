"""The torch.distributed process group behind data parallelism: launch detection and set-up.

One process trains per device, as `torchrun` starts them: `WORLD_SIZE` > 1 together with
`RANK`/`LOCAL_RANK`/`MASTER_ADDR` in the environment means this process is one of several.
"""

import atexit
import os

import torch
import torch.distributed as dist

_LAUNCH_VARIABLES = ("RANK", "MASTER_ADDR")


def launched_distributed():
    """Whether the environment describes a multi-process launch (`torchrun`, SLURM + env)."""
    world = os.environ.get("WORLD_SIZE", "1")
    return world.isdigit() and int(world) > 1 and all(v in os.environ for v in _LAUNCH_VARIABLES)


def is_distributed():
    """Whether a process group with more than one process is running."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def world_size():
    """Number of processes training together (1 without a process group)."""
    return dist.get_world_size() if is_distributed() else 1


def rank():
    """This process' index among `world_size()` (0 without a process group)."""
    return dist.get_rank() if is_distributed() else 0


def is_chief():
    """Whether this process prints and writes files (rank 0, or the only process)."""
    return rank() == 0


def local_rank():
    """This process' index on its machine (`LOCAL_RANK`, else the global rank)."""
    return int(os.environ.get("LOCAL_RANK", rank()))


def list_devices(device_type=None):
    """Devices of this machine, as Keras names them: `["cuda:0", "cuda:1"]` or `["cpu:0"]`.

    Args:
        device_type: `"gpu"`/`"cuda"` or `"cpu"`; None means CUDA when available.
    """
    kind = (device_type or ("cuda" if torch.cuda.is_available() else "cpu")).lower()
    if kind in ("gpu", "cuda"):
        return [f"cuda:{index}" for index in range(torch.cuda.device_count())]
    if kind == "cpu":
        return ["cpu:0"]
    raise ValueError(
        f"`device_type` must be 'cpu', 'gpu' or 'cuda', got device_type={device_type!r}."
    )


def get_device_count(device_type=None):
    """Number of devices `list_devices(device_type)` returns."""
    return len(list_devices(device_type))


def initialize(job_addresses=None, num_processes=None, process_id=None):
    """Joins the process group: NCCL when CUDA is available, gloo otherwise.

    Keras' signature; on torch the values default to `torchrun`'s environment. Each CUDA
    process is pinned to the GPU `LOCAL_RANK` before the group starts. Calling it again once
    the group runs does nothing.

    Args:
        job_addresses: `"host:port"` of the coordinator (the first of a comma-separated list);
            None uses `MASTER_ADDR`/`MASTER_PORT`.
        num_processes: Number of processes; None uses `WORLD_SIZE`.
        process_id: This process' rank; None uses `RANK`.
    """
    if dist.is_initialized():
        return
    if job_addresses:
        host, _, port = job_addresses.split(",")[0].strip().rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(
                f"`job_addresses` must start with 'host:port', got job_addresses={job_addresses!r}."
            )
        os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = host, port
    world = int(num_processes if num_processes is not None else os.environ.get("WORLD_SIZE", 1))
    index = int(process_id if process_id is not None else os.environ.get("RANK", 0))
    os.environ.setdefault("MASTER_PORT", "29500")
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    if backend == "nccl":
        torch.cuda.set_device(local_rank() if "LOCAL_RANK" in os.environ else index)
    dist.init_process_group(backend, rank=index, world_size=world)
    atexit.register(_shutdown)


def communication_device():
    """Where tensors must be for collectives: the current GPU with NCCL, else the CPU."""
    if is_distributed() and dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def _shutdown():
    if dist.is_initialized():
        dist.destroy_process_group()
