"""LSTM: the long short-term memory layer (`LSTMCell` over the time axis, fused when possible)."""

from torchkeras.layers.recurrent import fused
from torchkeras.layers.recurrent.cell_rnn import CellRNN
from torchkeras.layers.recurrent.lstm_cell import LSTMCell
from torchkeras.registry import LAYERS


@LAYERS.register()
class LSTM(CellRNN):
    """Long short-term memory layer, Keras' gate order `(i, f, c, o)` and weight layout.

    With tanh/sigmoid activations, no recurrent dropout, no mask (or one that keeps every step)
    and no `unroll`, it runs torch's fused `torch.lstm` kernel (cuDNN on CUDA) on views of the
    Keras-layout weights; otherwise the `LSTMCell` step loop. Same results either way.

    Args:
        units: Size of the states; a positive int.
        activation, recurrent_activation, use_bias, unit_forget_bias, kernel_initializer,
        recurrent_initializer, bias_initializer, kernel_regularizer, recurrent_regularizer,
        bias_regularizer, kernel_constraint, recurrent_constraint, bias_constraint, dropout,
        recurrent_dropout, seed: The cell's arguments (see `LSTMCell`).
        return_sequences, return_state, go_backwards, stateful, unroll: See `RNN`.
        use_cudnn: `"auto"` (fused kernel when possible), `False` (always the step loop) or
            `True` (the fused kernel, or a ValueError); not part of the config, as in Keras.

    Shapes: `(batch, time, features)` -> `(batch, units)` or `(batch, time, units)`; states
        `h` and `c` are `(batch, units)`.
    """

    cell_class = LSTMCell

    def __init__(self, units, use_cudnn="auto", **kwargs):
        super().__init__(units, **kwargs)
        self.use_cudnn = check_use_cudnn(self, use_cudnn)

    @property
    def recurrent_activation(self):
        return self.cell.recurrent_activation

    def _fused_run(self, sequences, states, mask, training):
        if not fusable(self, fused.standard_gates(self.cell) and self._can_fuse(mask)):
            return None
        inputs = self._fused_inputs(sequences, training)
        return self._fused_result(*fused.lstm(self.cell, inputs, states[0], states[1]))


def check_use_cudnn(layer, use_cudnn):
    if use_cudnn not in ("auto", True, False):
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': `use_cudnn` must be 'auto', True or False, "
            f"got use_cudnn={use_cudnn!r}."
        )
    return use_cudnn


def fusable(layer, possible):
    """Whether to run the fused kernel; `use_cudnn=True` makes an impossible case an error."""
    if layer.use_cudnn is False:
        return False
    if layer.use_cudnn is True and not possible:
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': use_cudnn=True, but the fused kernel does "
            "not support this configuration (it needs tanh/sigmoid activations, no recurrent "
            "dropout, no unroll and no mask). Pass use_cudnn='auto' to fall back to the loop."
        )
    return possible
