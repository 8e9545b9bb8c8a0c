"""CellRNN: the shared base of SimpleRNN, LSTM and GRU, an `RNN` over a built-in cell it owns."""

import torch

from torchkeras.layers.recurrent.rnn import RNN
from torchkeras.utils import naming

# Constructor arguments that belong to the RNN layer; every other one configures the cell.
_LAYER_ARGS = (
    "return_sequences",
    "return_state",
    "go_backwards",
    "stateful",
    "unroll",
    "zero_output_for_mask",
    "name",
    "trainable",
    "dtype",
    "activity_regularizer",
    "input_shape",
    "batch_input_shape",
    "input_dim",
    "batch_size",
)


class CellRNN(RNN):
    """An `RNN` whose cell (`cell_class`) is made from the layer's own arguments.

    Its config is flat, as Keras': the RNN options next to the cell's arguments. Subclasses
    choose when a fused torch kernel replaces the step loop (`_fused_run`).

    Args:
        units: Size of the states; a positive int.
        **kwargs: The cell's arguments (activations, initializers, regularizers,
            constraints, dropout rates, seed) and the `RNN` options.
    """

    cell_class = None
    exact_ndim = 3
    config_skip = ()  # cell config keys the layer's Keras config leaves out

    def __init__(self, units, **kwargs):
        layer_kwargs = {key: kwargs.pop(key) for key in list(kwargs) if key in _LAYER_ARGS}
        cell = self.cell_class(
            units,
            name=naming.to_snake_case(self.cell_class.__name__),
            dtype=layer_kwargs.get("dtype"),
            trainable=layer_kwargs.get("trainable", True),
            **kwargs,
        )
        super().__init__(cell, **layer_kwargs)

    @property
    def units(self):
        return self.cell.units

    @property
    def activation(self):
        return self.cell.activation

    @property
    def use_bias(self):
        return self.cell.use_bias

    @property
    def dropout(self):
        return self.cell.dropout

    @property
    def recurrent_dropout(self):
        return self.cell.recurrent_dropout

    def _can_fuse(self, mask):
        """Conditions shared by every fused kernel: no recurrent dropout, no unroll, no mask."""
        return not self.unroll and self.cell.recurrent_dropout == 0 and self._mask_is_trivial(mask)

    def _fused_inputs(self, sequences, training):
        """The sequences as a fused kernel reads them: input dropout (one mask for every step,
        as Keras) applied while training, reversed with `go_backwards`."""
        if training and 0.0 < self.cell.dropout < 1.0:
            mask = self.cell.get_dropout_mask(sequences[:, 0])  # (1, batch, features)
            sequences = sequences * mask[0].unsqueeze(1)
        return torch.flip(sequences, dims=[1]) if self.go_backwards else sequences

    @staticmethod
    def _fused_result(outputs, states):
        """`(last_output, outputs, states)` as the step loop returns them."""
        return outputs[:, -1], outputs, states

    def get_config(self):
        base = super().get_config()
        cell_config = base.pop("cell")["config"]
        for key in ("name", "trainable", "dtype", *self.config_skip):
            cell_config.pop(key, None)
        return {
            **base,
            **cell_config,
            "activity_regularizer": base.get("activity_regularizer"),  # Keras writes null too
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)
