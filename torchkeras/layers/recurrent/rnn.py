"""RNN: runs any recurrent cell over the time axis (the base of SimpleRNN, LSTM and GRU)."""

import torch

from torchkeras.layers import autocasting
from torchkeras.layers.layer import Layer
from torchkeras.layers.recurrent import rnn_loop
from torchkeras.layers.recurrent.stacked_rnn_cells import (
    StackedRNNCells,
    cell_initial_state,
    cell_output_size,
    reset_cell_dropout,
)
from torchkeras.layers.symbolic import KerasTensor
from torchkeras.registry import LAYERS
from torchkeras.utils import nest


@LAYERS.register()
class RNN(Layer):
    """Recurrent layer: applies `cell` at each step of `(batch, time, ...)` sequences.

    Any cell works, built-in or a user's: an object with `call(inputs, states)` returning
    `(output, new_states)` and a `state_size` (an int or a list of ints); a list of cells is
    stacked. A `mask` (bool `(batch, time)`) freezes the states at masked steps, whose output
    repeats the previous step's (Keras' semantics). Subclasses may run a fused torch kernel
    instead of the Python step loop when the result is the same.

    Args:
        cell: A cell, or a list of cells (stacked with `StackedRNNCells`).
        return_sequences: Return the output of every step, not only the last.
        return_state: Also return the final states: `(output, *states)`.
        go_backwards: Process the sequence from its end; the output sequence stays reversed.
        stateful: Carry the final states of a batch into the next call (fixed batch size);
            `reset_state()` zeroes them.
        unroll: Keras' graph option; here it only forces the step loop (no fused kernel).
        zero_output_for_mask: Output zeros (not the previous output) at masked steps.

    Call arguments: `sequences`, `initial_state` (list of state tensors), `mask`, `training`.

    Shapes: `(batch, time, features)` -> `(batch, units)`, or `(batch, time, units)` with
        `return_sequences`; each state is `(batch, state_size)`.
    """

    exact_ndim = None  # SimpleRNN, LSTM and GRU take exactly (batch, time, features)

    def __init__(
        self,
        cell,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        zero_output_for_mask=False,
        **kwargs,
    ):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        super().__init__(**kwargs)
        for attribute in ("call", "state_size"):
            if not hasattr(cell, attribute):
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': `cell` must have a `{attribute}` "
                    f"attribute (a `call(inputs, states)` method and a `state_size`), got {cell!r}."
                )
        _check_state_size(self, cell.state_size)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True
        self._state_structure = None  # nested structure of the stored stateful states

    @property
    def state_size(self):
        size = self.cell.state_size
        return [size] if isinstance(size, int) else list(size)

    # ---- building and shapes ----------------------------------------------------------------
    def _check_sequences(self, shape):
        shape = tuple(shape)
        if len(shape) != (self.exact_ndim or max(len(shape), 3)):
            expected = f"ndim={self.exact_ndim}" if self.exact_ndim else "min_ndim=3"
            raise ValueError(
                f"Input 0 of layer '{self.name}' ({type(self).__name__}) is incompatible with "
                f"the layer: expected {expected} (batch, timesteps, features), found "
                f"ndim={len(shape)}. Full shape received: {shape}."
            )

    def build(self, sequences_shape):
        self._check_sequences(sequences_shape)
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build((sequences_shape[0], *sequences_shape[2:]))

    def compute_output_shape(self, sequences_shape):
        batch, time = sequences_shape[0], sequences_shape[1]
        units = cell_output_size(self.cell)
        output = (batch, time, units) if self.return_sequences else (batch, units)
        if not self.return_state:
            return output
        states = [
            [(batch, s) for s in size] if isinstance(size, (list, tuple)) else (batch, size)
            for size in self.state_size
        ]
        return (output, *states)

    def compute_output_spec(self, sequences, initial_state=None, mask=None, training=None):
        shapes = self.compute_output_shape(tuple(sequences.shape))
        if not self.return_state:
            return KerasTensor(shapes, self.compute_dtype)
        return tuple(_spec(shape, self.compute_dtype) for shape in shapes)

    def compute_mask(self, inputs, mask=None):
        """The input mask on the output sequence (`return_sequences`), else None; states: None."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None for _ in self.state_size]
        return output_mask

    # ---- the call ---------------------------------------------------------------------------
    def call(self, sequences, initial_state=None, mask=None, training=False):
        self._check_sequences(sequences.shape)
        if mask is not None:
            mask = torch.as_tensor(mask, device=sequences.device)
        states = self._initial_states(sequences, initial_state)
        try:
            result = self._fused_run(sequences, states, mask, training)
            if result is None:
                result = rnn_loop.run_steps(
                    self.cell,
                    sequences,
                    states,
                    mask,
                    self.go_backwards,
                    training,
                    self.zero_output_for_mask,
                    self.return_sequences,
                )
        finally:
            reset_cell_dropout(self.cell)
        last_output, outputs, states = result
        if self._autocast_dtype is not None:  # the step loop's float32 adds: Keras' dtype back
            last_output, outputs, states = autocasting.cast_floats(
                (last_output, outputs, states), self._autocast_dtype
            )
        if self.stateful:
            self._store_states(states)
        output = outputs if self.return_sequences else last_output
        return (output, *states) if self.return_state else output

    def _fused_run(self, sequences, states, mask, training):
        """`(last_output, outputs, states)` from a fused kernel, or None to run the step loop.

        The generic RNN has no fused kernel; SimpleRNN, LSTM and GRU override this."""

    @staticmethod
    def _mask_is_trivial(mask):
        """True when no mask is given or it keeps every step (a fused kernel gives the same).
        Under torch.compile a given mask takes the step loop: reading its values would break
        the graph."""
        if mask is None:
            return True
        return not torch.compiler.is_compiling() and bool(mask.all())

    # ---- states -----------------------------------------------------------------------------
    def _initial_states(self, sequences, initial_state):
        batch = sequences.shape[0]
        if initial_state is None and self.stateful and self._state_structure is not None:
            stored = self.states
            if stored[0].shape[0] != batch:
                raise ValueError(
                    f"Layer '{self.name}' is stateful: the batch size of its input sequences must "
                    f"stay {stored[0].shape[0]} (the batch size of its states), got {batch}."
                )
            return rnn_loop.pack(self._state_structure, stored)
        if initial_state is None:
            return self._zero_states(batch, sequences.device)
        if not isinstance(initial_state, (list, tuple)):
            initial_state = [initial_state]
        expected = nest.flatten(self._zero_states(batch, sequences.device))
        if len(nest.flatten(initial_state)) != len(expected):
            raise ValueError(
                f"Layer '{self.name}' expects {len(expected)} initial state tensor(s) (state_size="
                f"{self.state_size}), but `initial_state` holds {len(nest.flatten(initial_state))}."
            )
        dtype = expected[0].dtype
        return nest.map_structure(lambda s: torch.as_tensor(s).to(dtype), list(initial_state))

    def _zero_states(self, batch, device):
        states = cell_initial_state(self.cell, batch, device, self._dtype)
        return list(states) if isinstance(states, (list, tuple)) else [states]

    @property
    def states(self):
        """The stored states of a stateful layer (flat list), or None before its first call."""
        if self._state_structure is None:
            return None
        count = len(nest.flatten(self._state_structure))
        return [self._buffers[f"state_{i}"] for i in range(count)]

    def _store_states(self, states):
        self._state_structure = nest.map_structure(lambda s: None, states)
        for index, state in enumerate(nest.flatten(states)):
            self.register_buffer(f"state_{index}", state.detach(), persistent=False)

    def reset_state(self):
        """Zeroes the stored states of a stateful layer."""
        for state in self.states or []:
            state.zero_()

    def reset_states(self):
        """Alias of `reset_state`, as in Keras."""
        self.reset_state()

    def get_config(self):
        return {
            **super().get_config(),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": LAYERS.serialize(self.cell),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cell = LAYERS.get(config.pop("cell"), custom_objects)
        return cls(cell, **config)


def _spec(shape, dtype):
    """KerasTensors for a shape tuple or a (nested) list of them."""
    if isinstance(shape, list):
        return [_spec(item, dtype) for item in shape]
    return KerasTensor(shape, dtype)


def _check_state_size(layer, size):
    flat = nest.flatten(size)
    if not flat or not all(isinstance(s, int) and not isinstance(s, bool) for s in flat):
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': the cell's `state_size` must be an int or a "
            f"list of ints (one per state tensor), got state_size={size!r}."
        )
