"""torch's fused recurrent kernels (`torch.lstm`, `torch.gru`, `torch.rnn_tanh`; cuDNN on CUDA)
run on Keras-layout weights.

The weights reach the kernels as transposed views of `kernel` and `recurrent_kernel` (LSTM and
SimpleRNN share torch's gate order; GRU's gates are reordered from Keras' `(z, r, h)` to torch's
`(r, z, n)`), so autograd flows back into the Keras-layout parameters. torch adds two biases;
Keras' single bias goes in the first and zeros in the second (GRU's two biases map one to one).
"""

import contextlib
import warnings

import torch

from torchkeras import activations

_STEP_ACTIVATIONS = {"tanh": "rnn_tanh", "relu": "rnn_relu"}


def standard_gates(cell):
    """Whether the cell uses tanh and sigmoid, the activations torch's LSTM/GRU kernels hard-code."""
    return cell.activation is activations.tanh and cell.recurrent_activation is activations.sigmoid


def simple_kernel_name(cell):
    """`"rnn_tanh"`/`"rnn_relu"` when a SimpleRNN cell's activation has a fused kernel, else None."""
    for name, kernel in _STEP_ACTIVATIONS.items():
        if cell.activation is getattr(activations, name):
            return kernel
    return None


def _params(weight_ih, weight_hh, bias_ih, bias_hh):
    if bias_ih is None:
        return [weight_ih, weight_hh], False
    return [weight_ih, weight_hh, bias_ih, bias_hh], True


def _gru_order(tensor):
    """Keras' `(z, r, h)` blocks of the last axis as torch's `(r, z, n)`."""
    z, r, h = tensor.chunk(3, dim=-1)
    return torch.cat([r, z, h], dim=-1)


@contextlib.contextmanager
def _quiet(sequences):
    """On CUDA, silences torch's warning that the weights are not one flat cuDNN buffer: they are
    Keras-layout views by design, gathered by the kernel at each call (as Keras' own call does)."""
    if sequences.device.type != "cuda":
        yield
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="RNN module weights are not part of single")
        yield


def _flags():
    # (num_layers, dropout, train, bidirectional, batch_first); `train` keeps cuDNN's backward
    # workspace, needed whenever gradients are recorded.
    return 1, 0.0, torch.is_grad_enabled(), False, True


def lstm(cell, sequences, h0, c0):
    """`(outputs (batch, time, units), h, c)` of an `LSTMCell` over `sequences`."""
    bias = cell.bias
    zeros = None if bias is None else torch.zeros_like(bias)
    params, has_biases = _params(cell.kernel.T, cell.recurrent_kernel.T, bias, zeros)
    with _quiet(sequences):
        outputs, h, c = torch.lstm(
            sequences, (h0.unsqueeze(0), c0.unsqueeze(0)), params, has_biases, *_flags()
        )
    return outputs, [h[0], c[0]]


def gru(cell, sequences, h0):
    """`(outputs, [h])` of a `GRUCell` with `reset_after=True` over `sequences`."""
    bias = cell.bias
    bias_ih = None if bias is None else _gru_order(bias[0])
    bias_hh = None if bias is None else _gru_order(bias[1])
    params, has_biases = _params(
        _gru_order(cell.kernel).T, _gru_order(cell.recurrent_kernel).T, bias_ih, bias_hh
    )
    with _quiet(sequences):
        outputs, h = torch.gru(sequences, h0.unsqueeze(0), params, has_biases, *_flags())
    return outputs, [h[0]]


def simple_rnn(cell, sequences, h0, kernel_name):
    """`(outputs, [h])` of a `SimpleRNNCell` (tanh or relu) over `sequences`."""
    bias = cell.bias
    zeros = None if bias is None else torch.zeros_like(bias)
    params, has_biases = _params(cell.kernel.T, cell.recurrent_kernel.T, bias, zeros)
    with _quiet(sequences):
        outputs, h = getattr(torch, kernel_name)(
            sequences, h0.unsqueeze(0), params, has_biases, *_flags()
        )
    return outputs, [h[0]]
