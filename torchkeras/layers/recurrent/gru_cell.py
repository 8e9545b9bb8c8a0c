"""GRUCell: one step of the gated recurrent unit, gates in Keras order (z, r, h)."""

from torchkeras import activations
from torchkeras.layers.recurrent.base_cell import RecurrentCell
from torchkeras.registry import LAYERS


@LAYERS.register()
class GRUCell(RecurrentCell):
    """One GRU step: `h = z * h_prev + (1 - z) * act(x_h + r * (h_prev @ U_h + b_h))` with
    `reset_after=True` (torch's and cuDNN's form), or `act(x_h + (r * h_prev) @ U_h)` without.

    Weights in Keras layout and gate order `(z, r, h)` (torch's `nn.GRU` uses `(r, z, n)` and
    transposes): `kernel (input_dim, 3 * units)`, `recurrent_kernel (units, 3 * units)`, `bias`
    of shape `(2, 3 * units)` (input and recurrent biases) with `reset_after`, else `(3 * units,)`.

    Args:
        units: Size of the state; a positive int.
        activation: Activation of the candidate state (default `"tanh"`).
        recurrent_activation: Activation of the gates (default `"sigmoid"`).
        reset_after: Whether the reset gate applies after the recurrent matmul.
        (the other arguments: see `RecurrentCell`.)

    Shapes: `inputs (batch, input_dim)`, `states [(batch, units)]` -> `(h, [h])`.
    """

    gates = 3

    def __init__(self, units, recurrent_activation="sigmoid", reset_after=True, **kwargs):
        kwargs.pop("implementation", None)  # Keras' choice of kernel layout; no effect here
        super().__init__(units, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = reset_after

    def build(self, input_shape):
        width = 3 * self.units
        self._build_kernels(input_shape[-1], (2, width) if self.reset_after else (width,))

    def call(self, inputs, states, training=False):
        nested = isinstance(states, (list, tuple))
        h_tm1 = states[0] if nested else states
        input_bias = recurrent_bias = None
        if self.bias is not None:
            input_bias, recurrent_bias = (
                (self.bias[0], self.bias[1]) if self.reset_after else (self.bias, None)
            )
        x, h = inputs.unsqueeze(0), h_tm1.unsqueeze(0)  # (masks, batch, features)
        if training:
            x = self._dropped(inputs, self.dropout, self.get_dropout_mask(inputs))
            h = self._dropped(h_tm1, self.recurrent_dropout, self.get_recurrent_dropout_mask(h_tm1))
        x_z, x_r, x_h = self._input_projection(x, input_bias)
        u_zr, u_h = (
            self.recurrent_kernel[:, : 2 * self.units],
            self.recurrent_kernel[:, 2 * self.units :],
        )
        h_zr = h[:2] if h.shape[0] == 3 else h  # the z and r masks (or the one shared mask)
        if self.reset_after:
            inner = _per_gate(h, self.recurrent_kernel, 3)
            if recurrent_bias is not None:
                inner = inner + recurrent_bias
            rec_z, rec_r, rec_h = inner.chunk(3, dim=-1)
        else:
            rec_z, rec_r = _per_gate(h_zr, u_zr, 2).chunk(2, dim=-1)
        z = self.recurrent_activation(x_z + rec_z)
        r = self.recurrent_activation(x_r + rec_r)
        if self.reset_after:
            hh = self.activation(x_h + r * rec_h)
        else:
            hh = self.activation(x_h + (r * h[-1]) @ u_h)
        h = z * h_tm1 + (1 - z) * hh
        return h, [h] if nested else h

    def _input_projection(self, x, bias):
        projection = _per_gate(x, self.kernel, 3)  # (batch, 3 * units)
        if bias is not None:
            projection = projection + bias
        return projection.chunk(3, dim=-1)

    def get_config(self):
        return {
            **super().get_config(),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "reset_after": self.reset_after,
        }


def _per_gate(x, kernel, gates):
    """`x @ kernel` where `x` holds one (dropped-out) copy per gate or one shared copy.

    `x`: `(1 or gates, batch, features)`; `kernel`: `(features, gates * units)`.
    """
    if x.shape[0] == 1:
        return x[0] @ kernel
    kernels = kernel.unflatten(-1, (gates, -1)).movedim(1, 0)  # (gates, features, units)
    return (x @ kernels).movedim(0, 1).flatten(1)
