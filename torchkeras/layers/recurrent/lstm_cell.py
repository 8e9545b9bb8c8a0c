"""LSTMCell: one step of the long short-term memory cell, gates in Keras order (i, f, c, o)."""

import torch

from torchkeras import activations, initializers
from torchkeras.layers.recurrent.base_cell import RecurrentCell
from torchkeras.registry import LAYERS


@LAYERS.register()
class LSTMCell(RecurrentCell):
    """One LSTM step: `c = f * c + i * act(z_c)`, `h = o * act(c)`, gates `i, f, o` squashed by
    `recurrent_activation`.

    Weights in Keras layout and gate order `(i, f, c, o)`: `kernel (input_dim, 4 * units)`,
    `recurrent_kernel (units, 4 * units)`, one `bias (4 * units,)` (torch's `nn.LSTM` keeps the
    transposes, the same gate order, and two biases).

    Args:
        units: Size of the states; a positive int.
        activation: Activation of the candidate and of the output (default `"tanh"`).
        recurrent_activation: Activation of the gates (default `"sigmoid"`).
        unit_forget_bias: Whether the forget gate's bias starts at 1 (the rest from
            `bias_initializer`).
        (the other arguments: see `RecurrentCell`.)

    Shapes: `inputs (batch, input_dim)`, `states [h, c]` each `(batch, units)` ->
        `(h, [h, c])`.
    """

    gates = 4

    def __init__(self, units, recurrent_activation="sigmoid", unit_forget_bias=True, **kwargs):
        kwargs.pop("implementation", None)  # Keras' choice of kernel layout; no effect here
        super().__init__(units, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias

    @property
    def state_size(self):
        return [self.units, self.units]

    def build(self, input_shape):
        self._build_kernels(
            input_shape[-1],
            (4 * self.units,),
            self._forget_bias_initializer if self.unit_forget_bias else None,
        )

    def _forget_bias_initializer(self, shape, dtype=None):
        units = self.units
        parts = [
            self.bias_initializer((units,), dtype=dtype),
            initializers.get("ones")((units,), dtype=dtype),
            self.bias_initializer((2 * units,), dtype=dtype),
        ]
        return torch.cat([torch.as_tensor(part) for part in parts])

    def call(self, inputs, states, training=False):
        h_tm1, c_tm1 = states[0], states[1]
        if training and (self.dropout > 0 or self.recurrent_dropout > 0):
            z = self._dropped_projection(inputs, h_tm1)
        else:
            z = inputs @ self.kernel + h_tm1 @ self.recurrent_kernel  # (batch, 4 * units)
            if self.bias is not None:
                z = z + self.bias
        z_i, z_f, z_c, z_o = z.chunk(4, dim=-1)
        c = self.recurrent_activation(z_f) * c_tm1 + self.recurrent_activation(
            z_i
        ) * self.activation(z_c)
        h = self.recurrent_activation(z_o) * self.activation(c)
        return h, [h, c]

    def _dropped_projection(self, inputs, h_tm1):
        """Gate pre-activations with one dropout mask per gate (or one shared mask)."""
        x = self._dropped(inputs, self.dropout, self.get_dropout_mask(inputs))
        h = self._dropped(h_tm1, self.recurrent_dropout, self.get_recurrent_dropout_mask(h_tm1))
        kernels = self.kernel.unflatten(-1, (4, self.units)).movedim(1, 0)  # (4, in, units)
        recurrent = self.recurrent_kernel.unflatten(-1, (4, self.units)).movedim(1, 0)
        z = (x @ kernels + h @ recurrent).movedim(0, 1).flatten(1)  # (batch, 4 * units)
        return z if self.bias is None else z + self.bias

    def get_config(self):
        from_base = super().get_config()
        return {
            **from_base,
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
        }
