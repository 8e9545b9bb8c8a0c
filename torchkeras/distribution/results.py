"""Results over all ranks: metrics from their summed state, predictions in the data's order."""

import numpy as np
import torch

from torchkeras.distribution import collectives, process_group


def global_metrics_result(model):
    """`model.get_metrics_result()` over every rank's samples (detached tensors).

    Every built-in metric keeps sums (totals, counts, confusion counts), so the state summed
    over ranks is the state one process would hold after seeing all the samples; the loss
    tracker's state is the batch losses weighted by the batch sizes, which makes the mean
    loss the single-process one too. The local state is put back afterwards, so this may be
    called any number of times (all ranks together).
    """
    if not process_group.is_distributed():
        return model.get_metrics_result()
    variables = [variable.value for variable in model.metrics_variables]
    local = [value.detach().clone() for value in variables]
    collectives.sum_in_place(variables)
    results = {key: _detached(value) for key, value in model.get_metrics_result().items()}
    with torch.no_grad():
        for value, saved in zip(variables, local):
            value.copy_(saved)
    return results


def _detached(value):
    return value.detach().clone() if isinstance(value, torch.Tensor) else value


def gather_steps(step_outputs):
    """Every rank's per-step outputs, interleaved as the global batches were cut.

    Args:
        step_outputs: This rank's list of per-step outputs (numpy structures), each holding
            only its real rows.

    Returns:
        rank 0's step 0, rank 1's step 0, ..., rank 0's step 1, ... concatenated (a numpy
        array, or a list or dict of them).
    """
    per_rank = collectives.gather_objects(step_outputs)
    steps = max(len(outputs) for outputs in per_rank)
    ordered = [
        outputs[step] for step in range(steps) for outputs in per_rank if step < len(outputs)
    ]
    return _concatenate(ordered)


def _concatenate(parts):
    first = parts[0]
    if isinstance(first, np.ndarray):
        return np.concatenate(parts)
    if isinstance(first, dict):
        return {key: _concatenate([part[key] for part in parts]) for key in first}
    return [_concatenate([part[i] for part in parts]) for i in range(len(first))]
