"""GRU: the gated recurrent unit layer (`GRUCell` over the time axis, fused when possible)."""

from torchkeras.layers.recurrent import fused
from torchkeras.layers.recurrent.cell_rnn import CellRNN
from torchkeras.layers.recurrent.gru_cell import GRUCell
from torchkeras.layers.recurrent.lstm import check_use_cudnn, fusable
from torchkeras.registry import LAYERS


@LAYERS.register()
class GRU(CellRNN):
    """Gated recurrent unit layer, Keras' gate order `(z, r, h)` and weight layout.

    With `reset_after=True` (the default), tanh/sigmoid activations, no recurrent dropout, no
    mask (or one that keeps every step) and no `unroll`, it runs torch's fused `torch.gru`
    kernel (cuDNN on CUDA) on reordered views of the Keras-layout weights; otherwise the
    `GRUCell` step loop.

    Args:
        units: Size of the state; a positive int.
        activation, recurrent_activation, use_bias, kernel_initializer, recurrent_initializer,
        bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
        seed, reset_after: The cell's arguments (see `GRUCell`).
        return_sequences, return_state, go_backwards, stateful, unroll: See `RNN`.
        use_cudnn: `"auto"`, `False` or `True`, as `LSTM`'s; not part of the config.

    Shapes: `(batch, time, features)` -> `(batch, units)` or `(batch, time, units)`.
    """

    cell_class = GRUCell

    def __init__(self, units, use_cudnn="auto", **kwargs):
        super().__init__(units, **kwargs)
        self.use_cudnn = check_use_cudnn(self, use_cudnn)

    @property
    def recurrent_activation(self):
        return self.cell.recurrent_activation

    @property
    def reset_after(self):
        return self.cell.reset_after

    def _fused_run(self, sequences, states, mask, training):
        possible = self.cell.reset_after and fused.standard_gates(self.cell)
        if not fusable(self, possible and self._can_fuse(mask)):
            return None
        inputs = self._fused_inputs(sequences, training)
        return self._fused_result(*fused.gru(self.cell, inputs, states[0]))
