"""SimpleRNN: the fully connected RNN layer (`SimpleRNNCell` over the time axis)."""

from torchkeras.layers.recurrent import fused
from torchkeras.layers.recurrent.cell_rnn import CellRNN
from torchkeras.layers.recurrent.simple_rnn_cell import SimpleRNNCell
from torchkeras.registry import LAYERS


@LAYERS.register()
class SimpleRNN(CellRNN):
    """Fully connected RNN: `h_t = activation(x_t @ kernel + bias + h_{t-1} @ recurrent_kernel)`.

    With a tanh (or relu) activation, no recurrent dropout, no mask and no `unroll`, it runs
    torch's fused `torch.rnn_tanh` (`rnn_relu`) kernel on views of the Keras-layout weights;
    otherwise a step loop. Weights as `SimpleRNNCell`'s, under `cell.` in `state_dict`.

    Args:
        units: Size of the state; a positive int.
        activation: Activation (default `"tanh"`).
        use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
        kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
        recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed: The cell's
            arguments (see `SimpleRNNCell`).
        return_sequences, return_state, go_backwards, stateful, unroll: See `RNN`.

    Shapes: `(batch, time, features)` -> `(batch, units)` or `(batch, time, units)`.
    """

    cell_class = SimpleRNNCell
    config_skip = ("seed",)  # Keras' SimpleRNN config has no seed

    def _fused_run(self, sequences, states, mask, training):
        kernel_name = fused.simple_kernel_name(self.cell)
        if kernel_name is None or not self._can_fuse(mask):
            return None
        inputs = self._fused_inputs(sequences, training)
        return self._fused_result(*fused.simple_rnn(self.cell, inputs, states[0], kernel_name))
