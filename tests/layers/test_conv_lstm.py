"""ConvLSTM1D/2D/3D behaviours the case table cannot express: dropout masks in training (against
Keras with the same masks), stateful sequences, errors, `fit` and `.keras` files.

Outputs and gradients of the configurations: `conv_lstm_cases.py` and `compat/test_layers.py`.
"""

import os

import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras.layers.convolutional import conv_ops
from torchkeras.layers.core import Dense
from torchkeras.layers.recurrent import Bidirectional
from torchkeras.layers.recurrent.conv_lstm1d import ConvLSTM1D
from torchkeras.layers.recurrent.conv_lstm2d import ConvLSTM2D
from torchkeras.layers.recurrent.conv_lstm3d import ConvLSTM3D
from torchkeras.layers.recurrent.conv_lstm_cell import ConvLSTMCell
from torchkeras.layers.reshaping import Flatten
from torchkeras.layers.symbolic import KerasTensor

os.environ.setdefault("KERAS_BACKEND", "torch")
try:
    import keras
except ImportError:  # the comparisons with real Keras are skipped without it
    keras = None

needs_keras = pytest.mark.skipif(keras is None, reason="real keras is not installed")
CLASSES = {"ConvLSTM1D": ConvLSTM1D, "ConvLSTM2D": ConvLSTM2D, "ConvLSTM3D": ConvLSTM3D}


def _seq(shape=(2, 4, 5, 5, 1), seed=0):
    return torch.from_numpy(np.random.default_rng(seed).standard_normal(shape).astype("float32"))


def _copy_weights(source, target, x):
    source(x), target(x)
    target.set_weights(source.get_weights())


# ---- dropout ----------------------------------------------------------------------------------
def _fixed_masks(shape, seed):
    """Four dropout masks (values 0 or 2) for a step of `shape`; the rate does not matter here."""
    keep = np.random.default_rng(seed).random((4, *shape)) >= 0.5
    return torch.from_numpy(keep.astype("float32") * 2.0)


@needs_keras
@pytest.mark.parametrize(
    "cls, kwargs, shape",
    [
        ("ConvLSTM2D", {"padding": "same"}, (2, 3, 5, 5, 2)),
        ("ConvLSTM2D", {"padding": "same", "unroll": True}, (2, 3, 5, 5, 2)),  # cell.call
        ("ConvLSTM2D", {"strides": 2, "data_format": "channels_first"}, (2, 3, 2, 5, 5)),
        ("ConvLSTM1D", {"dilation_rate": 2, "go_backwards": True}, (2, 3, 6, 2)),
        ("ConvLSTM3D", {"padding": "same", "data_format": "channels_first"}, (2, 3, 1, 3, 3, 3)),
    ],
)
def test_training_dropout_masks_match_keras(monkeypatch, cls, kwargs, shape):
    """Given the same four input and four recurrent masks, the training output equals Keras'.

    This checks the semantics: one mask per gate, drawn once per sequence and reused at every
    step, the input masks on the input convolution, the recurrent ones on the state's."""
    x = _seq(shape)
    kwargs = {"filters": 2, "kernel_size": 3 if cls != "ConvLSTM1D" else 2, "dropout": 0.5,
              "recurrent_dropout": 0.4, "return_sequences": True, **kwargs}
    reference = getattr(keras.layers, cls)(**kwargs)
    ours = CLASSES[cls](**kwargs)
    reference(x.numpy()), ours(x)
    ours.set_weights([np.asarray(w) for w in reference.get_weights()])
    state_shape = tuple(ours(x, training=False)[:, 0].shape)
    input_masks, state_masks = _fixed_masks(x[:, 0].shape, 1), _fixed_masks(state_shape, 2)
    draws = []

    def draw(like, rate):
        draws.append(rate)
        return input_masks if rate == 0.5 else state_masks

    monkeypatch.setattr(ours.cell, "_draw_masks", draw)
    reference.cell.get_dropout_mask = lambda step: list(input_masks)
    reference.cell.get_recurrent_dropout_mask = lambda state: list(state_masks)
    expected = keras.ops.convert_to_numpy(reference(x.numpy(), training=True))
    torch.testing.assert_close(ours(x, training=True), torch.from_numpy(expected),
                               rtol=1e-6, atol=1e-6)
    assert draws == [0.5, 0.4]  # one input and one recurrent draw per sequence, not per step
    assert ours.cell._dropout_mask is None and ours.cell._recurrent_dropout_mask is None


@pytest.mark.parametrize("training", [False, True])
def test_input_convolutions_run_once_for_every_step(monkeypatch, training):
    x = _seq((2, 5, 5, 5, 1))
    hoisted = ConvLSTM2D(2, 3, return_sequences=True, dropout=0.5, seed=3)
    unrolled = ConvLSTM2D(2, 3, return_sequences=True, dropout=0.5, seed=3, unroll=True)
    _copy_weights(hoisted, unrolled, x)
    calls, convolve = [], conv_ops.convolve

    def counting(inputs, *args, **kwargs):
        calls.append(tuple(inputs.shape))
        return convolve(inputs, *args, **kwargs)

    monkeypatch.setattr(conv_ops, "convolve", counting)
    expected = unrolled(x, training=training)
    assert len(calls) == 2 * 5  # input and recurrent convolution at each step
    calls.clear()
    torch.testing.assert_close(hoisted(x, training=training), expected, rtol=1e-6, atol=1e-6)
    assert len(calls) == 1 + 5 and calls[0][0] == 2 * 5  # batch * time images at once


def test_dropout_only_in_training_and_seeded():
    x = _seq()
    layer = ConvLSTM2D(3, 3, dropout=0.5, recurrent_dropout=0.3, seed=4)
    inference = layer(x)
    torch.testing.assert_close(layer(x, training=False), inference)
    trained = layer(x, training=True)
    assert not torch.allclose(trained, inference)
    twin = ConvLSTM2D(3, 3, dropout=0.5, recurrent_dropout=0.3, seed=4)
    _copy_weights(layer, twin, x)
    torch.testing.assert_close(twin(x, training=True), trained)  # same seed, same masks
    layer.train()
    assert not torch.allclose(layer(x), inference)


def test_dropout_masks_are_four_per_sequence_and_scaled():
    cell = ConvLSTMCell(2, 2, 3, dropout=0.25, recurrent_dropout=0.5, seed=1)
    step = torch.ones(3, 4, 4, 2)
    cell.build(tuple(step.shape))
    masks = cell.get_dropout_mask(step)
    assert tuple(masks.shape) == (4, 3, 4, 4, 2)
    assert set(masks.unique().tolist()) <= {0.0, torch.tensor(1.0 / 0.75).item()}
    assert cell.get_dropout_mask(step) is masks  # cached until the RNN resets it
    h = cell.get_initial_state(3)[0]
    assert tuple(cell.get_recurrent_dropout_mask(h).shape) == (4, 3, 2, 2, 2)


def test_dropout_rate_one_drops_nothing_as_in_keras():
    x = _seq()
    layer = ConvLSTM2D(2, 3, dropout=1.0, recurrent_dropout=1.0)
    torch.testing.assert_close(layer(x, training=True), layer(x))


# ---- state ------------------------------------------------------------------------------------
def test_stateful_carries_state_across_calls():
    x = _seq((2, 6, 5, 5, 1))
    stateful = ConvLSTM2D(2, 3, padding="same", stateful=True)
    plain = ConvLSTM2D(2, 3, padding="same")
    _copy_weights(stateful, plain, x)
    stateful.reset_states()
    first, second = stateful(x[:, :3]), stateful(x[:, 3:])
    torch.testing.assert_close(first, plain(x[:, :3]))
    torch.testing.assert_close(second, plain(x), rtol=1e-5, atol=1e-6)  # one long sequence
    assert [tuple(s.shape) for s in stateful.states] == [(2, 5, 5, 2)] * 2
    stateful.reset_state()
    assert all(float(s.abs().sum()) == 0 for s in stateful.states)
    torch.testing.assert_close(stateful(x[:, :3]), first)
    with pytest.raises(ValueError, match="stateful.*batch size"):
        stateful(x[:1])
    assert set(stateful.state_dict()) == {"cell.kernel", "cell.recurrent_kernel", "cell.bias"}


def test_initial_state_return_state_and_symbolic_shapes():
    x = _seq((2, 4, 6, 3), seed=1)
    layer = ConvLSTM1D(2, 3, strides=2, padding="same", return_state=True)
    out, h, c = layer(x)
    torch.testing.assert_close(out, h)
    assert tuple(c.shape) == (2, 3, 2)
    again, *_ = layer(x[:, :2], initial_state=[h, c])
    assert tuple(again.shape) == (2, 3, 2)
    with pytest.raises(ValueError, match=r"expects 2 initial state.*holds 1"):
        layer(x, initial_state=[h])
    symbolic = ConvLSTM3D(4, 2, return_sequences=True, data_format="channels_first")
    result = symbolic(KerasTensor((None, 5, 3, 4, 4, 4)))
    assert result.shape == (None, 5, 4, 3, 3, 3)
    assert symbolic.compute_output_shape((None, 5, 3, 4, 4, 4)) == (None, 5, 4, 3, 3, 3)


def test_initial_weights_regularizers_and_constraints():
    layer = ConvLSTM2D(3, 2, kernel_regularizer="l2", recurrent_constraint="non_neg")
    layer(_seq((2, 3, 4, 4, 2)))
    torch.testing.assert_close(layer.cell.bias, torch.tensor([0.0] * 3 + [1.0] * 3 + [0.0] * 6))
    assert tuple(layer.cell.kernel.shape) == (2, 2, 2, 12)
    assert tuple(layer.cell.recurrent_kernel.shape) == (2, 2, 3, 12)
    (penalty,) = layer.losses
    torch.testing.assert_close(penalty, 0.01 * layer.cell.kernel.square().sum())
    assert set(layer.cell._weight_constraints) == {"recurrent_kernel"}
    no_forget = ConvLSTM2D(3, 2, unit_forget_bias=False)
    no_forget(_seq((2, 3, 4, 4, 2)))
    assert float(no_forget.cell.bias.abs().sum()) == 0.0


def test_properties_mirror_the_cell():
    layer = ConvLSTM2D(3, (2, 3), strides=(1, 2), padding="SAME", recurrent_activation="relu")
    assert (layer.filters, layer.kernel_size, layer.strides, layer.padding) == (
        3, (2, 3), (1, 2), "same"
    )
    assert layer.data_format == "channels_last" and layer.dilation_rate == (1, 1)
    assert layer.recurrent_activation is tk.activations.relu and layer.unit_forget_bias
    assert layer.cell.name == "conv_lstm_cell"


# ---- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: ConvLSTM2D(0, 3), r"`filters` must be a positive int, got filters=0"),
        (lambda: ConvLSTM2D(2.5, 3), r"`filters` must be a positive int"),
        (lambda: ConvLSTM2D(2, (3, 3, 3)), r"`kernel_size` must be .* 2 positive ints"),
        (lambda: ConvLSTM1D(2, 3, padding="causal"), r"`padding` must be one of .*causal"),
        (lambda: ConvLSTM2D(2, 3, strides=2, dilation_rate=2), r"`dilation_rate` > 1 cannot"),
        (lambda: ConvLSTM3D(2, 3, data_format="NCHW"), r"`data_format` must be one of"),
        (lambda: ConvLSTM2D(2, 3, strides=0), r"`strides` must be a positive int"),
    ],
)
def test_argument_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_shape_errors_name_layer_and_shapes():
    layer = ConvLSTM2D(2, 3, name="video")
    with pytest.raises(ValueError, match=r"'video'.*expected ndim=5.*found ndim=4"):
        layer(torch.zeros(2, 4, 5, 1))
    layer(torch.zeros(2, 4, 5, 5, 1))
    with pytest.raises(ValueError, match=r"'video'.*built for steps of spatial shape \(5, 5\)"):
        layer(torch.zeros(2, 4, 6, 5, 1))
    with pytest.raises(ValueError, match=r"spatial shape .* with 1 channels"):
        layer(torch.zeros(2, 4, 5, 5, 3))
    with pytest.raises(ValueError, match=r"static spatial shapes.*\(None, None, 5, 1\)"):
        ConvLSTM2D(2, 3)(KerasTensor((None, 4, None, 5, 1)))


# ---- training and files -----------------------------------------------------------------------
def _video_classifier():
    return tk.Sequential(
        [
            tk.Input((4, 6, 6, 1)),
            ConvLSTM2D(4, 3, padding="same", return_sequences=True),
            ConvLSTM2D(2, 3, strides=2, padding="same", dropout=0.1, recurrent_dropout=0.1),
            Flatten(),
            Dense(1, activation="sigmoid"),
        ]
    )


def _video_data(samples=64):
    """Noise clips; label 1 brightens the top half of every frame."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=(samples, 1)).astype("float32")
    x = rng.random((samples, 4, 6, 6, 1), dtype=np.float32)
    x[:, :, :3] += 0.5 * y[:, :, None, None, None]
    return x, y


def test_stacked_conv_lstm_classifier_trains():
    tk.utils.set_random_seed(0)
    model = _video_classifier()
    assert model.output.shape == (None, 1)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    x, y = _video_data()
    history = model.fit(x, y, batch_size=16, epochs=8, verbose=0)
    losses = history.history["loss"]
    assert np.all(np.isfinite(losses)) and losses[-1] < losses[0] - 0.02


@pytest.mark.parametrize("cls, shape", [(ConvLSTM1D, (3, 6, 2)), (ConvLSTM2D, (3, 5, 5, 2)),
                                        (ConvLSTM3D, (3, 4, 4, 4, 1))])
def test_keras_file_round_trip(tmp_path, cls, shape):
    model = tk.Sequential([tk.Input(shape), cls(2, 2, padding="same", return_sequences=True)])
    x = _seq((2, *shape))
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = tk.saving.load_model(path)
    assert type(loaded.layers[0]) is cls
    torch.testing.assert_close(loaded(x), model(x), rtol=0, atol=0)


@needs_keras
def test_keras_saved_file_loads_with_the_same_predictions(tmp_path):
    keras.utils.set_random_seed(0)
    reference = keras.Sequential(
        [keras.Input((3, 5, 5, 2)), keras.layers.ConvLSTM2D(3, 3, padding="same",
                                                            data_format="channels_last")]
    )
    path = tmp_path / "keras_model.keras"
    reference.save(path)
    loaded = tk.saving.load_model(path)
    x = _seq((2, 3, 5, 5, 2))
    expected = keras.ops.convert_to_numpy(reference(x.numpy()))
    torch.testing.assert_close(loaded(x), torch.from_numpy(expected), rtol=1e-6, atol=1e-6)
    assert loaded.layers[0].get_config() == reference.layers[0].get_config() | {
        "name": loaded.layers[0].name
    }


@needs_keras
def test_torchkeras_file_loads_in_keras_with_the_same_predictions(tmp_path):
    model = tk.Sequential(
        [tk.Input((3, 2, 5, 5)), ConvLSTM2D(2, 3, data_format="channels_first", strides=2,
                                            return_sequences=True)]
    )
    path = tmp_path / "ours.keras"
    model.save(path)
    reference = keras.saving.load_model(path)
    x = _seq((2, 3, 2, 5, 5))
    expected = keras.ops.convert_to_numpy(reference(x.numpy()))
    torch.testing.assert_close(model(x), torch.from_numpy(expected), rtol=1e-6, atol=1e-6)


@needs_keras
@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
@pytest.mark.parametrize("kwargs", [{}, {"data_format": "channels_first", "padding": "same"},
                                    {"unroll": True}])
def test_mixed_policy_dtypes_and_values_match_keras(policy, kwargs):
    """States in the compute dtype and the bias cast to it, as Keras' autocast variables."""
    x = _seq((2, 3, 5, 5, 2))
    reference = keras.layers.ConvLSTM2D(2, 3, dtype=policy, return_state=True, **kwargs)
    ours = ConvLSTM2D(2, 3, dtype=policy, return_state=True, **kwargs)
    reference(x.numpy()), ours(x)
    ours.set_weights([np.asarray(w) for w in reference.get_weights()])
    expected = [keras.ops.convert_to_numpy(keras.ops.cast(t, "float32"))
                for t in reference(x.numpy())]
    result = ours(x)
    assert {t.dtype for t in result} == {getattr(torch, policy.split("_")[1])}
    for got, want in zip(result, expected):
        # half precision keeps 8-11 bits; here the two libraries even agree bit for bit
        torch.testing.assert_close(got.float(), torch.from_numpy(want), rtol=1e-2, atol=1e-2)
    symbolic = ConvLSTM2D(2, 3, dtype=policy)(tk.Input((3, 5, 5, 2)))
    assert symbolic.dtype == policy.split("_")[1]


# ---- the cell and wrappers --------------------------------------------------------------------
def test_cell_step_config_round_trip_and_one_step_layer():
    cell = ConvLSTMCell(2, 3, 3, padding="same", data_format="channels_first", seed=5)
    step = _seq((2, 1, 4, 4))
    states = [_seq((2, 3, 4, 4), seed=s) for s in (1, 2)]
    h, (h_again, c) = cell(step, states)
    assert h is h_again and tuple(c.shape) == (2, 3, 4, 4)
    clone = ConvLSTMCell.from_config(cell.get_config())
    assert clone.get_config() == cell.get_config() and "units" not in cell.get_config()
    layer = ConvLSTM2D(3, 3, padding="same", data_format="channels_first")
    layer(step[:, None])
    layer.set_weights(cell.get_weights())
    torch.testing.assert_close(layer(step[:, None], initial_state=states), h)


def test_bidirectional_conv_lstm_concatenates_channels():
    layer = Bidirectional(ConvLSTM2D(2, 3, return_sequences=True))
    out = layer(_seq((2, 3, 5, 5, 1)))
    assert tuple(out.shape) == (2, 3, 3, 3, 4)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu():
    x = _seq((2, 4, 6, 6, 2))
    cpu = ConvLSTM2D(3, 3, padding="same", return_sequences=True, return_state=True)
    cuda = ConvLSTM2D(3, 3, padding="same", return_sequences=True, return_state=True)
    cpu(x), cuda(x.cuda())
    cuda.set_weights(cpu.get_weights())
    for a, b in zip(cpu(x), cuda(x.cuda())):
        torch.testing.assert_close(a, b.cpu(), rtol=1e-4, atol=1e-5)
    out = cuda(x.cuda(), training=True)[0].sum()
    grads = torch.autograd.grad(out, cuda.weights)
    assert all(g.shape == w.shape for g, w in zip(grads, cuda.weights))
