"""Recurrent layers: fused kernels vs the step loop, stateful calls, dropout, masks, fit, errors,
and nested configs against real Keras 3 (numerics of every case: compat/test_layers.py)."""

import json
import os

import numpy as np
import pytest
import torch
from recurrent_cases import CASES, MASK, OURS

import torchkeras as tk
from torchkeras.layers.core import Dense, Embedding
from torchkeras.layers.layer import Layer
from torchkeras.layers.recurrent import (
    GRU,
    LSTM,
    RNN,
    Bidirectional,
    GRUCell,
    LSTMCell,
    SimpleRNN,
    SimpleRNNCell,
    TimeDistributed,
)

os.environ.setdefault("KERAS_BACKEND", "torch")
try:
    import keras
except ImportError:  # the reference comparisons are skipped without real Keras
    keras = None

needs_keras = pytest.mark.skipif(keras is None, reason="real keras is not installed")


def _seq(shape=(3, 5, 4), seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def _spy(monkeypatch, name):
    calls = []
    original = getattr(torch, name)

    def spy(*args, **kwargs):
        calls.append(name)
        return original(*args, **kwargs)

    monkeypatch.setattr(torch, name, spy)
    return calls


def _copy_weights(source, target, x, **kwargs):
    for layer in (source, target):
        if not layer.built:
            layer(x, **kwargs)
    target.set_weights(source.get_weights())


# ---- fused kernels ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cls, kernel, kwargs",
    [
        (LSTM, "lstm", {}),
        (LSTM, "lstm", {"return_sequences": True, "go_backwards": True, "use_bias": False}),
        (GRU, "gru", {"return_sequences": True, "return_state": True}),
        (GRU, "gru", {"go_backwards": True, "use_bias": False}),
        (SimpleRNN, "rnn_tanh", {"return_state": True}),
        (SimpleRNN, "rnn_relu", {"activation": "relu", "return_sequences": True}),
    ],
)
def test_fused_kernel_is_used_and_equals_the_step_loop(monkeypatch, cls, kernel, kwargs):
    x = _seq().requires_grad_(True)
    fast = cls(4, **kwargs)
    slow = cls(4, unroll=True, **kwargs)  # unroll forces the step loop
    _copy_weights(fast, slow, x)
    calls = _spy(monkeypatch, kernel)
    out_fast = fast(x)
    assert calls == [kernel]
    out_slow = slow(x)
    assert calls == [kernel]  # the loop did not call the kernel
    outs_fast = out_fast if isinstance(out_fast, tuple) else (out_fast,)
    outs_slow = out_slow if isinstance(out_slow, tuple) else (out_slow,)
    for a, b in zip(outs_fast, outs_slow):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    grads_fast = torch.autograd.grad(sum(o.sum() for o in outs_fast), [x, *fast.weights])
    grads_slow = torch.autograd.grad(sum(o.sum() for o in outs_slow), [x, *slow.weights])
    for a, b in zip(grads_fast, grads_slow):  # autograd reaches the Keras-layout weights
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "layer",
    [
        lambda: LSTM(3, recurrent_dropout=0.1),
        lambda: LSTM(3, activation="relu"),
        lambda: LSTM(3, use_cudnn=False),
        lambda: GRU(3, reset_after=False),
        lambda: GRU(3, recurrent_activation="hard_sigmoid"),
    ],
)
def test_step_loop_when_the_kernel_does_not_apply(monkeypatch, layer):
    calls = _spy(monkeypatch, "lstm") + _spy(monkeypatch, "gru")
    layer()(_seq())
    assert calls == []


def test_mask_uses_loop_unless_it_keeps_every_step(monkeypatch):
    layer = LSTM(3, return_sequences=True)
    x = _seq((2, 4, 3))
    calls = _spy(monkeypatch, "lstm")
    full = layer(x, mask=torch.ones(2, 4, dtype=torch.bool))
    assert calls == ["lstm"]
    masked = layer(x, mask=MASK)
    assert calls == ["lstm"]
    torch.testing.assert_close(full, layer(x))
    # A masked step repeats the previous output and leaves the state unchanged.
    torch.testing.assert_close(masked[0, 1], masked[0, 0])
    torch.testing.assert_close(masked[1, 0], torch.zeros(3))


def test_use_cudnn_true_refuses_an_unfusable_configuration():
    with pytest.raises(ValueError, match=r"LSTM 'l'.*use_cudnn=True"):
        LSTM(2, use_cudnn=True, recurrent_dropout=0.5, name="l")(_seq())
    with pytest.raises(ValueError, match=r"GRU 'g'.*use_cudnn.*'maybe'"):
        GRU(2, use_cudnn="maybe", name="g")


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("cls", [LSTM, GRU])
def test_cudnn_matches_cpu(cls):
    x = _seq((4, 7, 5))
    cpu = cls(6, return_sequences=True, return_state=True)
    cuda = cls(6, return_sequences=True, return_state=True)
    _copy_weights(cpu, cuda, x.cuda())
    for a, b in zip(cpu(x), cuda(x.cuda())):
        torch.testing.assert_close(a, b.cpu(), rtol=1e-4, atol=1e-5)
    out = cuda(x.cuda().requires_grad_(True))[0].sum()
    grads = torch.autograd.grad(out, cuda.weights)
    assert all(g.shape == w.shape for g, w in zip(grads, cuda.weights))


# ---- state ----------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [LSTM, GRU, SimpleRNN])
def test_stateful_carries_state_across_calls(cls):
    x = _seq((2, 6, 3))
    stateful = cls(4, stateful=True)
    plain = cls(4)
    _copy_weights(stateful, plain, x)
    stateful.reset_states()
    first, second = stateful(x[:, :3]), stateful(x[:, 3:])
    torch.testing.assert_close(first, plain(x[:, :3]))
    torch.testing.assert_close(second, plain(x), rtol=1e-5, atol=1e-6)  # as one long sequence
    stateful.reset_state()
    assert all(float(s.abs().sum()) == 0 for s in stateful.states)
    torch.testing.assert_close(stateful(x[:, :3]), first)
    with pytest.raises(ValueError, match="stateful.*batch size"):
        stateful(x[:1])
    assert not any("state" in key for key in stateful.state_dict())  # not weights, as in Keras


def test_initial_state_and_return_state():
    x = _seq((2, 4, 3))
    layer = LSTM(3, return_state=True)
    out, h, c = layer(x)
    torch.testing.assert_close(out, h)
    again, *_ = layer(x[:, :2], initial_state=[h, c])
    assert again.shape == (2, 3)
    with pytest.raises(ValueError, match=r"'.*' expects 2 initial state.*holds 1"):
        layer(x, initial_state=[h])


def test_initial_weights_regularizers_and_constraints():
    layer = LSTM(3, kernel_regularizer="l2", recurrent_constraint="non_neg")
    layer(_seq((2, 4, 5)))
    torch.testing.assert_close(layer.cell.bias, torch.tensor([0.0] * 3 + [1.0] * 3 + [0.0] * 6))
    kernel = layer.cell.recurrent_kernel.detach()
    torch.testing.assert_close(kernel @ kernel.T, torch.eye(3), atol=1e-5, rtol=0)  # orthogonal
    (penalty,) = layer.losses
    torch.testing.assert_close(penalty, 0.01 * layer.cell.kernel.square().sum())
    assert set(layer.cell._weight_constraints) == {"recurrent_kernel"}
    assert tuple(GRU(3)(_seq((2, 4, 5))).shape) == (2, 3)


# ---- dropout ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "layer",
    [
        lambda: LSTM(8, dropout=0.5),
        lambda: LSTM(8, dropout=0.5, recurrent_dropout=0.5),
        lambda: GRU(8, dropout=0.5, recurrent_dropout=0.5, reset_after=False),
        lambda: GRU(8, recurrent_dropout=0.5, seed=3),
        lambda: SimpleRNN(8, dropout=0.5, recurrent_dropout=0.5),
    ],
)
def test_dropout_only_in_training(layer):
    torch.manual_seed(0)
    layer = layer()
    x = _seq((4, 5, 6))
    inference = layer(x)
    torch.testing.assert_close(layer(x, training=False), inference)
    trained = layer(x, training=True)
    assert not torch.allclose(trained, inference)
    assert layer.cell._dropout_mask is None and layer.cell._recurrent_dropout_mask is None
    layer.train()
    assert not torch.allclose(layer(x), inference)


def test_input_dropout_keeps_the_fused_kernel(monkeypatch):
    layer = GRU(4, dropout=0.5)
    calls = _spy(monkeypatch, "gru")
    layer(_seq(), training=True)
    assert calls == ["gru"]  # one mask for every step, applied to the sequence first (as Keras)


def test_seeded_dropout_repeats():
    x = _seq((4, 5, 6))
    first = LSTM(8, dropout=0.5, seed=7)
    second = LSTM(8, dropout=0.5, seed=7)
    _copy_weights(first, second, x)
    torch.testing.assert_close(first(x, training=True), second(x, training=True))


# ---- custom cells, masks, wrappers --------------------------------------------------------------
class MinimalCell(Layer):
    """A user cell: `h = tanh(x @ kernel + h @ recurrent)`, with a plain `state_size`."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent = self.add_weight(shape=(self.units, self.units), name="recurrent")

    def call(self, inputs, states):
        h = torch.tanh(inputs @ self.kernel + states[0] @ self.recurrent)
        return h, [h]


def test_custom_cell_runs_with_masks_and_backwards():
    x = _seq((2, 4, 3))
    layer = RNN(MinimalCell(2), return_sequences=True, go_backwards=True, return_state=True)
    out, h = layer(x, mask=MASK)
    cell, state, expected = layer.cell, torch.zeros(2, 2), []
    for t in reversed(range(4)):
        new = torch.tanh(x[:, t] @ cell.kernel + state @ cell.recurrent)
        keep = MASK[:, t, None]
        state = torch.where(keep, new, state)
        expected.append(torch.where(keep, new, expected[-1] if expected else torch.zeros(2, 2)))
    torch.testing.assert_close(out, torch.stack(expected, 1))
    torch.testing.assert_close(h, state)


def test_cells_keep_keras_state_structure():
    x, h = _seq((2, 3)), _seq((2, 2), 1)
    for cell in (SimpleRNNCell(2), GRUCell(2)):
        assert cell.state_size == 2  # an int, as Keras
        output, state = cell(x, h)  # a bare state tensor in, a bare tensor out
        assert isinstance(state, torch.Tensor) and torch.equal(output, state)
        output, states = cell(x, [h])
        assert isinstance(states, list) and torch.equal(states[0], output)
    assert LSTMCell(2).state_size == [2, 2]


def test_compute_mask():
    mask = MASK
    assert LSTM(2, return_sequences=True).compute_mask(None, mask) is mask
    assert LSTM(2).compute_mask(None, mask) is None
    assert LSTM(2, return_sequences=True, return_state=True).compute_mask(None, mask) == [
        mask,
        None,
        None,
    ]
    assert Bidirectional(GRU(2, return_sequences=True), merge_mode=None).compute_mask(
        None, mask
    ) == (mask, mask)
    assert Bidirectional(GRU(2)).compute_mask(None, mask) is None
    assert TimeDistributed(Dense(2)).compute_mask(None, mask) is mask


def test_bidirectional_masked_sequences_output_zeros():
    out = Bidirectional(LSTM(2, return_sequences=True))(_seq((2, 4, 3)), mask=MASK)
    assert torch.equal(out[0, 1], torch.zeros(4)) and torch.equal(out[1, 3], torch.zeros(4))


def test_bidirectional_weights_and_stateful_reset():
    layer = Bidirectional(LSTM(2, stateful=True), weights=None)
    layer(_seq((2, 4, 3)))
    assert len(layer.states) == 4
    layer.reset_states()
    with pytest.raises(AttributeError, match="must be stateful"):
        Bidirectional(LSTM(2)).reset_state()


# ---- training end to end ----------------------------------------------------------------------
def test_embedding_lstm_text_classifier_trains():
    tk.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.integers(1, 50, size=(128, 12))
    y = (x[:, :6] < 25).mean(axis=1, keepdims=True).round().astype("float32")
    model = tk.Sequential([Embedding(50, 8), LSTM(8), Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(x, y, batch_size=32, epochs=6, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < losses[0] - 0.02


# ---- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [LSTM, GRU, SimpleRNN])
def test_2d_input_names_layer_and_shape(cls):
    with pytest.raises(ValueError, match=r"layer 'seq'.*expected ndim=3.*ndim=2.*\(None, 5\)"):
        cls(2, name="seq")(torch.zeros(4, 5))
    layer = cls(2, name="seq2")
    layer(torch.zeros(4, 3, 5))
    with pytest.raises(ValueError, match=r"'seq2'.*ndim=2.*\(4, 5\)"):
        layer(torch.zeros(4, 5))


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: LSTM(0, name="l"), r"LSTMCell 'lstm_cell'.*units=0"),
        (lambda: RNN(object(), name="r"), r"RNN 'r'.*`call`"),
        (lambda: Bidirectional(LSTM(2), merge_mode="max", name="b"), r"'b'.*merge_mode='max'"),
        (lambda: Bidirectional("lstm", name="b"), r"'b'.*`layer`"),
        (lambda: Bidirectional(LSTM(2), backward_layer=LSTM(2), name="b"), r"go_backwards"),
        (lambda: TimeDistributed(torch.nn.Linear(2, 2), name="t"), r"TimeDistributed 't'"),
        (lambda: TimeDistributed(Dense(2), name="t")(torch.zeros(2, 3)), r"'t'.*3 dim"),
    ],
)
def test_argument_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# ---- configs against Keras --------------------------------------------------------------------
def _without_names(value):
    if isinstance(value, dict):
        return {k: _without_names(v) for k, v in value.items() if k != "name"}
    if isinstance(value, list):
        return [_without_names(v) for v in value]
    return value


@needs_keras
@pytest.mark.parametrize("case", [c for c in CASES if c.config_skip], ids=lambda c: c.id)
def test_nested_config_matches_keras(case):
    ours = case.cls(**case.make_kwargs())
    reference = getattr(keras.layers, case.cls.__name__)(**case.make_kwargs(keras.layers))
    plain = json.loads(json.dumps(ours.get_config()))
    assert _without_names(plain) == _without_names(reference.get_config())


@needs_keras
def test_embedding_mask_flows_through_recurrent_layers_as_in_keras():
    x = np.array([[1, 2, 0, 3, 0], [0, 0, 4, 5, 6], [7, 0, 0, 0, 0]])

    def stack(lib, rec, dense):
        return [lib.Input((5,), dtype="int32"), dense.Embedding(10, 4, mask_zero=True),
                rec.Bidirectional(rec.LSTM(3, return_sequences=True)),
                rec.TimeDistributed(dense.Dense(3)), rec.GRU(2, return_sequences=True),
                rec.SimpleRNN(2)]  # fmt: skip

    reference = keras.Sequential(stack(keras, keras.layers, keras.layers))
    ours = tk.Sequential(stack(tk, OURS, OURS))
    ours.set_weights([keras.ops.convert_to_numpy(w) for w in reference.weights])
    expected = keras.ops.convert_to_numpy(reference(x))
    np.testing.assert_allclose(ours(torch.as_tensor(x)).detach().numpy(), expected, atol=1e-7)


@needs_keras
def test_lstm_cell_step_matches_keras():
    reference, ours = keras.layers.LSTMCell(3), LSTMCell(3)
    x, h, c = _seq((2, 4)), _seq((2, 3), 1), _seq((2, 3), 2)
    reference(x, [h, c])
    ours(x, [h, c])
    ours.set_weights([keras.ops.convert_to_numpy(w) for w in reference.weights])
    expected = reference(x, [h, c])
    got = ours(x, [h, c])
    torch.testing.assert_close(got[0], expected[0], rtol=1e-6, atol=1e-7)
    torch.testing.assert_close(got[1][1], expected[1][1], rtol=1e-6, atol=1e-7)


def test_bidirectional_config_round_trip_keeps_names():
    layer = Bidirectional(LSTM(2, return_sequences=True), merge_mode="sum")
    clone = Bidirectional.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert clone.forward_layer.name == layer.forward_layer.name
    assert clone.backward_layer.name == layer.backward_layer.name
