"""Layer cases of the recurrent family (see layer_case.py for the fields).

Wrapper cases (RNN, Bidirectional, TimeDistributed) take `kwargs(layers)`: `layers` is
`keras.layers` when the Keras reference is built, None for torchkeras (`OURS`). Their nested
configs carry the inner layers' names, which differ between the libraries, so the generic config
comparison skips them; `test_recurrent.py` compares them without names.
"""

import types

import torch
from layer_case import LayerCase

from torchkeras.layers.core import Dense, Embedding
from torchkeras.layers.recurrent import (
    GRU,
    LSTM,
    RNN,
    Bidirectional,
    GRUCell,
    LSTMCell,
    SimpleRNN,
    SimpleRNNCell,
    StackedRNNCells,
    TimeDistributed,
)

OURS = types.SimpleNamespace(
    Bidirectional=Bidirectional, TimeDistributed=TimeDistributed, Embedding=Embedding,
    Dense=Dense, GRU=GRU, LSTM=LSTM, SimpleRNN=SimpleRNN, GRUCell=GRUCell, LSTMCell=LSTMCell,
    SimpleRNNCell=SimpleRNNCell, StackedRNNCells=StackedRNNCells,
)
SEQ = (2, 4, 3)  # (batch, time, features)
# Masks for explicit tests: steps masked in the middle, at the start and at the end.
MASK = torch.tensor([[True, False, True, True], [False, True, True, False]])
# Masks in `call_kwargs` have a batch axis of 1 (broadcast over the batch, in Keras too), so the
# symbolic probe, which runs the layer with batch sizes 2 and 3, can use them.
CASE_MASK = torch.tensor([[False, True, False, True]])
LSTM_KEYS = ("cell.kernel", "cell.recurrent_kernel", "cell.bias")
CELL_KEYS = ("kernel", "recurrent_kernel", "bias")


def _seq(cls, kwargs, output, id_, keys=LSTM_KEYS, **extra):
    return LayerCase(cls, kwargs, SEQ, output, state_keys=keys, id=id_, **extra)


def _bi(make, merge_mode, output, id_, **layer_kwargs):
    """A Bidirectional case over `make(layers)`'s class with `layer_kwargs`."""
    units = 2

    def kwargs(layers):
        layers = layers or OURS
        return {"layer": getattr(layers, make)(units, **layer_kwargs), "merge_mode": merge_mode}

    keys = tuple(f"{d}_layer.{k}" for d in ("forward", "backward") for k in LSTM_KEYS)
    return LayerCase(
        Bidirectional, kwargs, SEQ, output, state_keys=keys, id=id_,
        config_skip=("layer", "backward_layer"),
    )


def _cells(layers, *specs):
    layers = layers or OURS
    return [getattr(layers, name)(units, **kw) for name, units, kw in specs]


B, T, U = SEQ[0], SEQ[1], 2
H = (B, U)  # one state
CASES = [
    # ---- SimpleRNN --------------------------------------------------------------------------
    _seq(SimpleRNN, {"units": U}, H, "simple_rnn"),
    _seq(SimpleRNN, {"units": U, "return_sequences": True, "go_backwards": True}, (B, T, U),
         "simple_rnn_sequences_backwards"),
    _seq(SimpleRNN, {"units": U, "activation": "relu", "use_bias": False, "return_state": True},
         [H, H], "simple_rnn_relu_no_bias_state", keys=LSTM_KEYS[:2]),
    _seq(SimpleRNN, {"units": U, "activation": "sigmoid", "return_sequences": True}, (B, T, U),
         "simple_rnn_sigmoid_masked", call_kwargs={"mask": CASE_MASK}),
    # ---- LSTM -------------------------------------------------------------------------------
    _seq(LSTM, {"units": U}, H, "lstm"),
    _seq(LSTM, {"units": U, "return_sequences": True, "return_state": True}, [(B, T, U), H, H],
         "lstm_sequences_state"),
    _seq(LSTM, {"units": U, "go_backwards": True, "use_bias": False, "return_sequences": True},
         (B, T, U), "lstm_backwards_no_bias", keys=LSTM_KEYS[:2]),
    _seq(LSTM, {"units": U, "unroll": True, "unit_forget_bias": False}, H, "lstm_unroll"),
    _seq(LSTM, {"units": U, "activation": "relu", "recurrent_activation": "hard_sigmoid"}, H,
         "lstm_relu_hard_sigmoid"),
    _seq(LSTM, {"units": U, "recurrent_dropout": 0.5, "dropout": 0.5}, H,
         "lstm_dropout_at_inference"),
    _seq(LSTM, {"units": U, "return_sequences": True, "return_state": True}, [(B, T, U), H, H],
         "lstm_masked", call_kwargs={"mask": CASE_MASK}),
    _seq(LSTM, {"units": U, "return_sequences": True, "zero_output_for_mask": True}, (B, T, U),
         "lstm_masked_zero_output", call_kwargs={"mask": CASE_MASK}),
    # ---- GRU --------------------------------------------------------------------------------
    _seq(GRU, {"units": U}, H, "gru"),
    _seq(GRU, {"units": U, "reset_after": False, "return_state": True}, [H, H],
         "gru_reset_before_state"),
    _seq(GRU, {"units": U, "go_backwards": True, "use_bias": False, "return_sequences": True},
         (B, T, U), "gru_backwards_no_bias", keys=LSTM_KEYS[:2]),
    _seq(GRU, {"units": U, "reset_after": False, "use_bias": False}, H,
         "gru_reset_before_no_bias", keys=LSTM_KEYS[:2]),
    _seq(GRU, {"units": U, "return_sequences": True, "return_state": True}, [(B, T, U), H],
         "gru_masked", call_kwargs={"mask": CASE_MASK}),
    _seq(GRU, {"units": U, "reset_after": False, "go_backwards": True}, H,
         "gru_reset_before_masked_backwards", call_kwargs={"mask": CASE_MASK}),
    # ---- cells, one step: (inputs, state) -> (output, new_state) ------------------------------
    LayerCase(SimpleRNNCell, {"units": U}, [(B, 3), H], [H, H], positional=True,
              state_keys=CELL_KEYS, id="simple_rnn_cell"),
    LayerCase(GRUCell, {"units": U}, [(B, 3), H], [H, H], positional=True,
              state_keys=CELL_KEYS, id="gru_cell"),
    LayerCase(GRUCell, {"units": U, "reset_after": False, "activation": "relu"}, [(B, 3), H],
              [H, H], positional=True, state_keys=CELL_KEYS, id="gru_cell_reset_before"),
    # ---- RNN over cells (LSTMCell and StackedRNNCells have no sequence call of their own) -----
    LayerCase(RNN, lambda layers: {"cell": (layers or OURS).LSTMCell(U), "return_state": True},
              SEQ, [H, H, H], state_keys=LSTM_KEYS, config_skip=("cell",), id="rnn_lstm_cell"),
    LayerCase(
        RNN,
        lambda layers: {
            "cell": _cells(layers, ("SimpleRNNCell", 3, {}), ("GRUCell", U, {})),
            "return_sequences": True,
        },
        SEQ, (B, T, U), config_skip=("cell",), id="rnn_cell_list",
        state_keys=tuple(f"cell.cells.{i}.{k}" for i in (0, 1) for k in CELL_KEYS),
    ),
    LayerCase(
        RNN,
        lambda layers: {
            "cell": (layers or OURS).StackedRNNCells(
                _cells(layers, ("LSTMCell", 3, {}), ("LSTMCell", U, {"use_bias": False}))
            ),
            "go_backwards": True,
        },
        SEQ, H, config_skip=("cell",), id="rnn_stacked_lstm_cells_backwards",
        state_keys=tuple(f"cell.cells.{i}.{k}" for i in (0, 1) for k in CELL_KEYS)[:5],
        call_kwargs={"mask": CASE_MASK},
    ),
    # ---- Bidirectional ----------------------------------------------------------------------
    _bi("LSTM", "concat", (B, 2 * U), "bidirectional_lstm_concat"),
    _bi("GRU", "sum", (B, T, U), "bidirectional_gru_sum_sequences", return_sequences=True),
    _bi("SimpleRNN", "mul", (B, U), "bidirectional_simple_rnn_mul"),
    _bi("LSTM", "ave", (B, T, U), "bidirectional_lstm_ave_sequences", return_sequences=True),
    _bi("GRU", None, [(B, T, U), (B, T, U)], "bidirectional_gru_none", return_sequences=True),
    _bi("LSTM", "concat", [(B, 2 * U), H, H, H, H], "bidirectional_lstm_state",
        return_state=True),
    LayerCase(
        Bidirectional,
        lambda layers: {
            "layer": (layers or OURS).GRU(U, return_sequences=True),
            "backward_layer": (layers or OURS).GRU(U, return_sequences=True, go_backwards=True,
                                                   reset_after=False),
        },
        SEQ, (B, T, 2 * U), config_skip=("layer", "backward_layer"), call_kwargs={"mask": CASE_MASK},
        state_keys=tuple(f"{d}_layer.{k}" for d in ("forward", "backward") for k in LSTM_KEYS),
        id="bidirectional_gru_backward_layer_masked",
    ),
    # ---- TimeDistributed --------------------------------------------------------------------
    LayerCase(TimeDistributed, lambda layers: {"layer": (layers or OURS).Dense(U)}, SEQ,
              (B, T, U), state_keys=("layer.kernel", "layer.bias"), config_skip=("layer",),
              id="time_distributed_dense"),
    LayerCase(
        TimeDistributed,
        lambda layers: {"layer": (layers or OURS).Dense(U, activation="relu", use_bias=False)},
        (2, 3, 2, 3), (2, 3, 2, U), state_keys=("layer.kernel",), config_skip=("layer",),
        id="time_distributed_dense_4d",
    ),
    # ---- cells with several states: cell(x, [h, c]) -> (output, [h, c]), flattened ---------
    LayerCase(LSTMCell, {"units": U}, [(B, 3), H, H], [H, H, H], input_structure=(0, [1, 2]),
              state_keys=CELL_KEYS, id="lstm_cell"),
    LayerCase(LSTMCell, {"units": U, "use_bias": False, "activation": "relu"}, [(B, 3), H, H],
              [H, H, H], input_structure=(0, [1, 2]), state_keys=CELL_KEYS[:2],
              id="lstm_cell_relu_no_bias"),
    LayerCase(LSTMCell, {"units": U, "unit_forget_bias": False,
                         "recurrent_activation": "hard_sigmoid"},
              [(B, 3), H, H], [H, H, H], input_structure=(0, [1, 2]), state_keys=CELL_KEYS,
              id="lstm_cell_hard_sigmoid"),
    # StackedRNNCells: one state entry per cell, `[h_gru, [h_lstm, c_lstm]]`.
    LayerCase(
        StackedRNNCells,
        lambda layers: {"cells": _cells(layers, ("GRUCell", 3, {}), ("LSTMCell", U, {}))},
        [(B, 3), (B, 3), H, H], [H, (B, 3), H, H], input_structure=(0, [1, [2, 3]]),
        config_skip=("cells",), id="stacked_gru_lstm_cells",
        state_keys=tuple(f"cells.{i}.{k}" for i in (0, 1) for k in CELL_KEYS),
    ),
    LayerCase(
        StackedRNNCells,
        lambda layers: {
            "cells": _cells(layers, ("LSTMCell", 3, {"use_bias": False}), ("GRUCell", U, {}))
        },
        [(B, 3), (B, 3), (B, 3), H], [H, (B, 3), (B, 3), H],
        input_structure=(0, [[1, 2], [3]]), config_skip=("cells",),
        id="stacked_lstm_gru_cells_list_states",
        state_keys=tuple(f"cells.{i}.{k}" for i in (0, 1) for k in CELL_KEYS)[:2] + tuple(
            f"cells.1.{k}" for k in CELL_KEYS
        ),
    ),
]
