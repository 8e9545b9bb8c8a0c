"""Recurrent layers: cells, the generic RNN wrapper, SimpleRNN, LSTM, GRU, ConvLSTM1D/2D/3D, and
the wrappers Bidirectional and TimeDistributed."""

from torchkeras.layers.recurrent.bidirectional import Bidirectional
from torchkeras.layers.recurrent.conv_lstm1d import ConvLSTM1D
from torchkeras.layers.recurrent.conv_lstm2d import ConvLSTM2D
from torchkeras.layers.recurrent.conv_lstm3d import ConvLSTM3D
from torchkeras.layers.recurrent.gru import GRU
from torchkeras.layers.recurrent.gru_cell import GRUCell
from torchkeras.layers.recurrent.lstm import LSTM
from torchkeras.layers.recurrent.lstm_cell import LSTMCell
from torchkeras.layers.recurrent.rnn import RNN
from torchkeras.layers.recurrent.simple_rnn import SimpleRNN
from torchkeras.layers.recurrent.simple_rnn_cell import SimpleRNNCell
from torchkeras.layers.recurrent.stacked_rnn_cells import StackedRNNCells
from torchkeras.layers.recurrent.time_distributed import TimeDistributed

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "Bidirectional",
    "ConvLSTM1D",
    "ConvLSTM2D",
    "ConvLSTM3D",
    "GRUCell",
    "LSTMCell",
    "SimpleRNN",
    "SimpleRNNCell",
    "StackedRNNCells",
    "TimeDistributed",
]
