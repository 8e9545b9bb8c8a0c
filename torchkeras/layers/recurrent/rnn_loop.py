"""The step loop of the `RNN` layer: Keras' semantics for masks, `go_backwards` and outputs."""

import torch

from torchkeras.layers.recurrent.stacked_rnn_cells import call_cell
from torchkeras.utils import nest


def run_steps(
    cell,
    sequences,
    states,
    mask=None,
    go_backwards=False,
    training=False,
    zero_output_for_mask=False,
    return_sequences=False,
):
    """Runs `cell` over the time axis of `sequences`; returns `(last_output, outputs, states)`.

    At a step whose `mask` is False the states keep their previous values and the output
    repeats the previous step's output (zeros before the first step), or is zero with
    `zero_output_for_mask`, exactly as Keras' loop does. With `go_backwards` the steps run
    from last to first and `outputs` stays in processing order (reversed), as in Keras.

    Args:
        cell: A cell (`call(inputs, states)`), already built.
        sequences: `(batch, time, ...)` tensor.
        states: The initial states, a list (possibly nested) of `(batch, size)` tensors.
        mask: Optional bool tensor `(batch, time)`.
        go_backwards, training, zero_output_for_mask: As the `RNN` layer's arguments.
        return_sequences: Whether to stack every step's output (else only the last is kept).

    Shapes: `outputs` is `(batch, time, units)` with `return_sequences`, else `(batch, 1, units)`.
    """
    steps = sequences.unbind(1)
    masks = mask.to(torch.bool).unbind(1) if mask is not None else None
    if go_backwards:
        steps = steps[::-1]
        masks = masks[::-1] if masks is not None else None
    structure, flat_states = states, nest.flatten(states)
    outputs, previous = [], None
    for index, step in enumerate(steps):
        output, new_states = call_cell(cell, step, pack(structure, flat_states), training)
        new_flat = nest.flatten(new_states)
        if masks is not None:
            keep = masks[index]  # (batch,)
            if previous is None or zero_output_for_mask:
                previous = torch.zeros_like(output)
            output = torch.where(_expand(keep, output), output, previous)
            new_flat = [torch.where(_expand(keep, n), n, o) for n, o in zip(new_flat, flat_states)]
        flat_states, previous = new_flat, output
        if return_sequences or index == len(steps) - 1:
            outputs.append(output)
    return previous, torch.stack(outputs, dim=1), pack(structure, flat_states)


def _expand(keep, like):
    """The `(batch,)` mask as `(batch, 1, ..., 1)`, broadcasting against `like`."""
    return keep.view(keep.shape[0], *[1] * (like.ndim - 1))


def pack(structure, flat):
    """`flat` leaves in the nested list structure of `structure` (Keras' `pack_sequence_as`)."""
    leaves = iter(flat)

    def fill(item):
        if isinstance(item, (list, tuple)):
            return [fill(child) for child in item]
        return next(leaves)

    return fill(structure)
