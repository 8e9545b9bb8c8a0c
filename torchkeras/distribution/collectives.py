"""Collectives over every rank, written for what training needs: flat buffers, few calls.

Each function must be called by all ranks at the same point of the program (as every
torch.distributed collective); without a process group each one is a no-op.
"""

import torch
import torch.distributed as dist

from torchkeras.distribution import process_group


def broadcast_tensors(tensors, source=0):
    """Overwrites `tensors` in place with rank `source`'s values; one call per dtype."""
    if not process_group.is_distributed():
        return
    device = process_group.communication_device()
    by_dtype = {}
    for tensor in tensors:
        by_dtype.setdefault(tensor.dtype, []).append(tensor)
    with torch.no_grad():
        for group in by_dtype.values():
            flat = torch.cat([tensor.detach().reshape(-1).to(device) for tensor in group])
            dist.broadcast(flat, src=source)
            for tensor, piece in zip(group, flat.split([t.numel() for t in group])):
                tensor.copy_(piece.view_as(tensor))


def sum_in_place(tensors):
    """Replaces each tensor by its sum over the ranks, in one float64 all-reduce.

    float64 keeps integer counts exact up to 2**53 and float32 sums as good as any order.
    """
    if not process_group.is_distributed() or not tensors:
        return
    device = process_group.communication_device()
    with torch.no_grad():
        flat = torch.cat([t.detach().reshape(-1).to(device, torch.float64) for t in tensors])
        dist.all_reduce(flat)
        for tensor, piece in zip(tensors, flat.split([t.numel() for t in tensors])):
            tensor.copy_(piece.view_as(tensor).to(tensor.dtype))


def sum_flat(flat):
    """Sums a 1-D tensor over the ranks in place, in its own dtype (gradients: float32)."""
    if not process_group.is_distributed():
        return
    device = process_group.communication_device()
    if flat.device == device:
        dist.all_reduce(flat)
        return
    moved = flat.to(device)
    dist.all_reduce(moved)
    flat.copy_(moved)


def extremes(value):
    """`(min, max)` of an integer over the ranks (one all-reduce of two numbers)."""
    if not process_group.is_distributed():
        return value, value
    both = torch.tensor([-int(value), int(value)], device=process_group.communication_device())
    dist.all_reduce(both, op=dist.ReduceOp.MAX)
    return -int(both[0]), int(both[1])


def all_true(flag):
    """Whether `flag` holds on every rank."""
    low, _ = extremes(1 if flag else 0)
    return low == 1


def any_true(flag):
    """Whether `flag` holds on at least one rank."""
    _, high = extremes(1 if flag else 0)
    return high == 1


def gather_objects(value):
    """The list of every rank's picklable `value`, in rank order."""
    if not process_group.is_distributed():
        return [value]
    found = [None] * process_group.world_size()
    dist.all_gather_object(found, value)
    return found


def broadcast_permutation(count, device):
    """A random permutation of `range(count)` drawn by rank 0 (from torch's global generator,
    as a single process would draw it) and shared with every rank."""
    order = torch.randperm(count, device=device)
    if process_group.is_distributed():
        shared = order.to(process_group.communication_device())
        dist.broadcast(shared, src=0)
        order = shared.to(device)
    return order


def share_random_state():
    """Gives every rank rank 0's torch random state (CPU and current CUDA device), so that
    weights created lazily on the first batch are drawn identically everywhere."""
    states = [torch.get_rng_state()]
    if torch.cuda.is_available():
        states.append(torch.cuda.get_rng_state())
    broadcast_tensors(states)
    torch.set_rng_state(states[0])
    if torch.cuda.is_available():
        torch.cuda.set_rng_state(states[1])
