"""SimpleRNNCell: one step of the Elman RNN, `h = activation(x @ kernel + bias + h @ recurrent_kernel)`."""

from torchkeras.layers.recurrent.base_cell import RecurrentCell
from torchkeras.registry import LAYERS


@LAYERS.register()
class SimpleRNNCell(RecurrentCell):
    """One step of a fully connected RNN whose output is its next state.

    Weights in Keras layout: `kernel (input_dim, units)`, `recurrent_kernel (units, units)`,
    `bias (units,)`; `torch.nn.RNN` keeps the transposes and two biases.

    Args:
        units: Size of the state; a positive int.
        activation: Activation of the step (default `"tanh"`).
        (the other arguments: see `RecurrentCell`.)

    Shapes: `inputs (batch, input_dim)`, `states [(batch, units)]` -> `(output, [output])`.
    """

    def build(self, input_shape):
        self._build_kernels(input_shape[-1], (self.units,))

    def call(self, inputs, states, training=False):
        nested = isinstance(states, (list, tuple))
        prev_output = states[0] if nested else states
        if training:
            inputs = self._dropped(inputs, self.dropout, self.get_dropout_mask(inputs))[0]
            mask = self.get_recurrent_dropout_mask(prev_output)
            prev_output = self._dropped(prev_output, self.recurrent_dropout, mask)[0]
        h = inputs @ self.kernel
        if self.bias is not None:
            h = h + self.bias
        output = self.activation(h + prev_output @ self.recurrent_kernel)
        return output, [output] if nested else output
