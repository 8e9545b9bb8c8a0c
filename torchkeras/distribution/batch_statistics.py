"""Batch moments over every rank's shard, for `BatchNormalization(synchronized=True)`.

The sums go through `torch.distributed.nn.functional.all_reduce`, which is differentiable
(its backward all-reduces the gradients), so the normalization of each rank's rows is that
of the whole global batch, forward and backward, as `torch.nn.SyncBatchNorm` computes it,
but on any device and backend (gloo included) and with Keras' moving-statistics update.
"""

import torch
from torch.distributed.nn import functional as distributed_functional

from torchkeras.distribution import process_group


def synchronized():
    """Whether batch statistics must be summed over ranks (a process group runs)."""
    return process_group.is_distributed()


def global_moments(x, dims):
    """`(variance, mean)` of `x` over `dims` and over every rank (biased variance, keepdim).

    Two passes (mean, then squared deviations), each one all-reduce, so the variance keeps
    the precision of a single-process `torch.var_mean`.

    Shapes: `x` any; results keep `x`'s rank with size 1 on `dims`.
    """
    sums = x.sum(dim=dims, keepdim=True)
    count = torch.full((1,), x.numel() / sums.numel(), dtype=x.dtype, device=x.device)
    packed = distributed_functional.all_reduce(torch.cat([sums.reshape(-1), count]))
    total = packed[-1]
    mean = packed[:-1].reshape(sums.shape) / total
    squares = (x - mean).square().sum(dim=dims, keepdim=True)
    variance = distributed_functional.all_reduce(squares) / total
    return variance, mean
