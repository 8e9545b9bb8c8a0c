"""Full values of sharded weights (FSDP's DTensor shards) for reading, saving and loading.

Under `ModelParallel` every weight outside a forward pass is a `DTensor` holding this
rank's shard. Reading a full value is an all-gather, so every rank must read the same
tensors in the same order; writing a full value needs no communication (each rank keeps
its own slice of it). Tensors that are not sharded pass through unchanged.
"""

import contextlib

import torch
from torch.distributed.fsdp import FSDPModule
from torch.distributed.tensor import DTensor, distribute_tensor

_GATHERED = {}  # id(DTensor) -> its full value, while `gathered()` is active


def is_sharded(tensor):
    """Whether `tensor` is a sharded (DTensor) weight or optimizer variable."""
    return isinstance(tensor, DTensor)


def full_value(tensor):
    """The whole value of `tensor` (an all-gather for a DTensor: call it on every rank)."""
    if not isinstance(tensor, DTensor):
        return tensor
    cached = _GATHERED.get(id(tensor))
    return cached if cached is not None else tensor.full_tensor()


def assign(target, value):
    """Copies the full `value` into `target` in place; a DTensor keeps only its own slice.

    Args:
        target: A weight or optimizer variable (plain tensor or DTensor).
        value: A tensor or array with `target`'s global shape.
    """
    value = torch.as_tensor(value)
    if not isinstance(target, DTensor):
        target.copy_(value)
        return
    value = value.to(device=target.device, dtype=target.dtype)
    # src_data_rank=None: every rank holds the full value already, so no communication
    shards = distribute_tensor(value, target.device_mesh, target.placements, src_data_rank=None)
    target.copy_(shards)


@contextlib.contextmanager
def gathered(tensors):
    """Gathers every DTensor of `tensors` once (all ranks, same order); inside the block
    `full_value` returns the gathered values without communicating. Yields whether any
    tensor was sharded."""
    tensors = list(tensors)
    sharded = [t for t in tensors if isinstance(t, DTensor) and id(t) not in _GATHERED]
    for tensor in sharded:
        _GATHERED[id(tensor)] = tensor.full_tensor()
    try:
        yield any(isinstance(t, DTensor) for t in tensors)
    finally:
        for tensor in sharded:
            _GATHERED.pop(id(tensor), None)


def plain_type(obj):
    """`obj`'s own class: the one FSDP's `fully_shard` subclassed, for a sharded module."""
    cls = type(obj)
    if isinstance(obj, FSDPModule):
        return next(base for base in cls.__mro__[1:] if not issubclass(base, FSDPModule))
    return cls


def copy_all(targets, sources):
    """`torch._foreach_copy_(targets, sources)`, one copy at a time for DTensors (which have
    no rule for the multi-tensor copy). ModelParallel shards every trainable weight and its
    optimizer state, so the first target tells for all of them."""
    if targets and isinstance(targets[0], DTensor):
        for target, source in zip(targets, sources):
            target.copy_(source)
    elif targets:
        torch._foreach_copy_(targets, sources)
