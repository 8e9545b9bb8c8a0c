"""StackedRNNCells: several cells run as one, each step feeding the next cell's input."""

import inspect

import torch

from torchkeras import config
from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS

_TAKES_TRAINING = {}  # cell `call` function -> whether it takes `training`


@LAYERS.register()
class StackedRNNCells(Layer):
    """A cell made of `cells` stacked: at each step cell `k` reads cell `k - 1`'s output.

    States are nested, one entry per cell (unwrapped when there is a single cell, as Keras
    does). Any cell with `call(inputs, states)` and `state_size` fits, Keras layers or not.

    Args:
        cells: List of cells, first (reading the sequence) to last (giving the output).

    Shapes: `inputs (batch, input_dim)`, `states` one per cell -> `(output, new_states)`.
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            missing = [attr for attr in ("call", "state_size") if not hasattr(cell, attr)]
            if missing:
                raise ValueError(
                    f"StackedRNNCells '{self.name}': every cell needs `call` and `state_size`, "
                    f"but cell {cell!r} has no {' or '.join(missing)}."
                )
        self.cells = list(cells)

    @property
    def state_size(self):
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self):
        return cell_output_size(self.cells[-1])

    def build(self, input_shape):
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(input_shape)
            input_shape = (input_shape[0], cell_output_size(cell))

    def get_initial_state(self, batch_size=None, device=None):
        """Zero states of every cell, nested one entry per cell."""
        return [
            cell_initial_state(cell, batch_size, device or self.weight_device(), self._dtype)
            for cell in self.cells
        ]

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            is_list = isinstance(cell_states, (list, tuple))
            cell_states = list(cell_states) if is_list else [cell_states]
            inputs, cell_states = call_cell(cell, inputs, cell_states, training)
            if len(cell_states) == 1 and not is_list:
                cell_states = cell_states[0]
            new_states.append(cell_states)
        return inputs, new_states[0] if len(new_states) == 1 else new_states

    def reset_dropout_masks(self):
        for cell in self.cells:
            reset_cell_dropout(cell)

    def get_config(self):
        return {**super().get_config(), "cells": [LAYERS.serialize(cell) for cell in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cells = [LAYERS.get(cell, custom_objects) for cell in config.pop("cells")]
        return cls(cells, **config)


def cell_output_size(cell):
    """A cell's output width: `output_size`, else its first state's size."""
    size = getattr(cell, "output_size", None)
    if size is not None:
        return size
    state_size = cell.state_size
    return state_size[0] if isinstance(state_size, (list, tuple)) else state_size


def cell_initial_state(cell, batch_size, device, dtype):
    """The cell's own `get_initial_state(batch_size)`, else zeros per entry of `state_size`."""
    make = getattr(cell, "get_initial_state", None)
    if make is not None:
        takes_device = "device" in inspect.signature(make).parameters
        return make(batch_size=batch_size, device=device) if takes_device else make(batch_size)
    torch_dtype = config.standardize_dtype(dtype)
    sizes = cell.state_size
    if isinstance(sizes, int):
        return torch.zeros(batch_size, sizes, dtype=torch_dtype, device=device)
    return [torch.zeros(batch_size, size, dtype=torch_dtype, device=device) for size in sizes]


def call_cell(cell, inputs, states, training):
    """One step of any cell: its `call` (passing `training` if it takes it), as `(out, states)`.

    Built-in cells' `call` is used directly: the per-step `nn.Module.__call__` is overhead only.
    """
    function = cell.call
    if _takes_training(function):
        output, new_states = function(inputs, states, training=training)
    else:
        output, new_states = function(inputs, states)
    return output, new_states


def _takes_training(function):
    key = getattr(function, "__func__", function)
    if key not in _TAKES_TRAINING:
        _TAKES_TRAINING[key] = "training" in inspect.signature(function).parameters
    return _TAKES_TRAINING[key]


def reset_cell_dropout(cell):
    """Forgets a cell's per-sequence dropout masks (those of every stacked cell too)."""
    for name in ("reset_dropout_mask", "reset_recurrent_dropout_mask", "reset_dropout_masks"):
        reset = getattr(cell, name, None)
        if reset is not None:
            reset()
