"""SpectralNormalization, Pipeline, STFTSpectrogram, MelSpectrogram and ReversibleEmbedding:
what the case table (misc_cases.py) cannot express — training-mode updates, errors, masks,
named windows, nested configs and `.keras` files exchanged with real Keras."""

import io
import json
import os
import zipfile

import numpy as np
import pytest
import torch
from misc_cases import CASES, HANN_8, OURS

import torchkeras
from torchkeras.layers.core import (
    Activation,
    Dense,
    Embedding,
    Pipeline,
    ReversibleEmbedding,
)
from torchkeras.layers.normalization import SpectralNormalization
from torchkeras.layers.preprocessing.audio import MelSpectrogram, STFTSpectrogram
from torchkeras.layers.regularization import Dropout

os.environ.setdefault("KERAS_BACKEND", "torch")
try:
    import keras
except ImportError:  # the comparisons with real Keras are skipped without it
    keras = None

needs_keras = pytest.mark.skipif(keras is None, reason="real keras is not installed")


def _numpy(x):
    return keras.ops.convert_to_numpy(x) if keras is not None else np.asarray(x)


def _without_names(value):
    if isinstance(value, dict):
        return {k: _without_names(v) for k, v in value.items() if k != "name"}
    if isinstance(value, list):
        return [_without_names(v) for v in value]
    return value


# ---- SpectralNormalization ----------------------------------------------------------------------
SN_LAYERS = [
    ("Dense", {"units": 4}, (2, 3), "float32"),
    ("Conv2D", {"filters": 3, "kernel_size": 2}, (2, 5, 5, 2), "float32"),
    ("Embedding", {"input_dim": 6, "output_dim": 3}, (2, 4), "int32"),
]


@needs_keras
@pytest.mark.parametrize("power_iterations", [1, 3])
@pytest.mark.parametrize("name, kwargs, shape, dtype", SN_LAYERS, ids=[n for n, *_ in SN_LAYERS])
def test_spectral_normalization_training_updates_match_keras(
    name, kwargs, shape, dtype, power_iterations
):
    rng = np.random.default_rng(0)
    draw = lambda: (
        rng.integers(0, 6, shape).astype(dtype) if dtype == "int32"
        else rng.standard_normal(shape).astype(dtype)
    )
    theirs = keras.layers.SpectralNormalization(getattr(keras.layers, name)(**kwargs),
                                                power_iterations=power_iterations)
    ours = SpectralNormalization(getattr(torchkeras.layers, name)(**kwargs),
                                 power_iterations=power_iterations)
    x = draw()
    theirs(x), ours(torch.as_tensor(x))
    ours.set_weights(theirs.get_weights())
    for _ in range(4):  # each training call divides the kernel by sigma and updates vector_u
        x = draw()
        expected = _numpy(theirs(x, training=True))
        got = ours(torch.as_tensor(x), training=True).detach().numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)
        for mine, reference in zip(ours.get_weights(), theirs.get_weights()):
            np.testing.assert_allclose(mine, reference, rtol=1e-6, atol=1e-7)


@needs_keras
def test_spectral_normalization_training_gradients_match_keras():
    x = np.random.default_rng(1).standard_normal((3, 4)).astype("float32")
    theirs = keras.layers.SpectralNormalization(keras.layers.Dense(2))
    ours = SpectralNormalization(Dense(2))
    theirs(x), ours(torch.as_tensor(x))
    ours.set_weights(theirs.get_weights())
    grads = []
    for layer, weights in ((theirs, [w.value for w in theirs.weights]), (ours, ours.weights)):
        inputs = torch.tensor(x, requires_grad=True)
        output = layer(inputs, training=True)
        sources = [inputs, weights[0], weights[2]]  # input, kernel, bias
        grads.append(torch.autograd.grad(output.square().sum(), sources))
    for mine, reference in zip(grads[1], grads[0]):
        torch.testing.assert_close(mine, reference, rtol=1e-6, atol=1e-7)


@needs_keras
def test_spectral_normalization_fit_matches_keras():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 3)).astype("float32")
    y = rng.standard_normal((16, 2)).astype("float32")
    models = []
    for lib, layers in ((keras, keras.layers), (torchkeras, OURS)):
        model = lib.Sequential([
            lib.Input((3,)),
            layers.SpectralNormalization(layers.Dense(4, activation="tanh")),
            layers.Dense(2),
        ])
        model.compile(lib.optimizers.SGD(0.1), "mse")
        models.append(model)
    theirs, ours = models
    ours.set_weights(theirs.get_weights())
    fit = {"batch_size": 4, "epochs": 2, "shuffle": False, "verbose": 0}
    expected = theirs.fit(x, y, **fit).history["loss"]
    np.testing.assert_allclose(ours.fit(x, y, **fit).history["loss"], expected, rtol=1e-6)
    for mine, reference in zip(ours.get_weights(), theirs.get_weights()):  # 8 steps of updates
        np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=1e-6)


def test_spectral_normalization_weights_order_state_and_inference():
    layer = SpectralNormalization(Dense(3))
    x = torch.randn(2, 4)
    out = layer(x)
    kernel, vector_u, bias = layer.get_weights()  # Keras' order: [kernel, vector_u, bias]
    assert kernel.shape == (4, 3) and vector_u.shape == (1, 3) and bias.shape == (3,)
    assert layer.kernel is layer.layer.kernel
    assert [w.shape for w in layer.trainable_weights] == [(4, 3), (3,)]
    assert set(layer.state_dict()) == {"kernel", "vector_u", "layer.kernel", "layer.bias"}
    torch.testing.assert_close(out, layer.layer(x))  # inference: the wrapped layer unchanged
    np.testing.assert_array_equal(layer.get_weights()[0], kernel)
    layer.train()
    layer(x)
    assert not np.array_equal(layer.get_weights()[0], kernel)


def test_spectral_normalization_gives_unit_spectral_norm_and_leaves_zero_kernels():
    torchkeras.utils.set_random_seed(0)
    layer = SpectralNormalization(Dense(5), power_iterations=30)
    layer(torch.randn(2, 6), training=True)
    sigma = torch.linalg.matrix_norm(layer.kernel.detach(), ord=2)
    torch.testing.assert_close(sigma, torch.tensor(1.0), rtol=1e-4, atol=1e-4)
    zero = SpectralNormalization(Dense(2, kernel_initializer="zeros"))
    zero(torch.ones(1, 3))
    vector_u = zero.vector_u.clone()
    zero(torch.ones(1, 3), training=True)  # no division by sigma = 0: both kept
    assert torch.equal(zero.kernel, torch.zeros(3, 2)) and torch.equal(zero.vector_u, vector_u)


@pytest.mark.cuda
def test_spectral_normalization_training_call_never_syncs_with_the_host():
    if not torch.cuda.is_available():
        pytest.skip("needs CUDA")
    layer = SpectralNormalization(Dense(4))
    x = torch.randn(2, 3, device="cuda")
    layer(x)
    torch.cuda.set_sync_debug_mode("error")
    try:
        layer(x, training=True)
    finally:
        torch.cuda.set_sync_debug_mode("default")


def test_spectral_normalization_errors_name_layer_and_argument():
    with pytest.raises(ValueError, match=r"SpectralNormalization 'sn'.*power_iterations=0"):
        SpectralNormalization(Dense(2), power_iterations=0, name="sn")
    with pytest.raises(ValueError, match=r"'sn2'.*`kernel` or `embeddings`.*Activation"):
        SpectralNormalization(Activation("relu"), name="sn2")(torch.zeros(2, 3))
    layer = SpectralNormalization(Dense(2), name="sn3")
    layer(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="sn3"):
        layer(torch.zeros(2, 4))


# ---- nested configs and .keras files -------------------------------------------------------------
@needs_keras
@pytest.mark.parametrize("case", [c for c in CASES if c.config_skip], ids=lambda c: c.id)
def test_nested_config_matches_keras(case):
    ours = case.cls(**case.make_kwargs())
    reference = getattr(keras.layers, case.cls.__name__)(**case.make_kwargs(keras.layers))
    plain = json.loads(json.dumps(ours.get_config()))
    expected = json.loads(json.dumps(reference.get_config()))
    assert _without_names(plain) == _without_names(expected)


def _models(lib):
    layers = lib.layers if lib is keras else OURS  # the lead exports ours in torchkeras.layers
    return lib.Sequential([
        lib.Input((3,)),
        layers.Pipeline([layers.Dense(4), layers.LayerNormalization()]),
        layers.SpectralNormalization(layers.Dense(2), power_iterations=2),
    ])


def _h5_layout(path):
    """`{dataset path: shape}` of a `.keras` archive's weights, e.g.
    `layers/spectral_normalization/vars/1` (vector_u) and `.../layer/vars/0` (the kernel)."""
    h5py = pytest.importorskip("h5py")
    with zipfile.ZipFile(path) as archive, archive.open("model.weights.h5") as member:
        found = {}
        with h5py.File(io.BytesIO(member.read()), "r") as weights:
            weights.visititems(
                lambda name, obj: found.update({name: obj.shape})
                if isinstance(obj, h5py.Dataset) else None
            )
    return found


@needs_keras
def test_keras_files_exchange_with_keras_both_ways(tmp_path):
    x = np.random.default_rng(2).standard_normal((4, 3)).astype("float32")
    theirs = _models(keras)
    theirs(x, training=True)  # a normalized kernel and an updated vector_u
    theirs.save(tmp_path / "keras.keras")
    ours = torchkeras.models.load_model(tmp_path / "keras.keras")
    for mine, reference in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(mine, reference)
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    ours = _models(torchkeras)
    ours(torch.as_tensor(x), training=True)
    ours.save(tmp_path / "ours.keras")
    loaded = keras.saving.load_model(tmp_path / "ours.keras")
    assert _h5_layout(tmp_path / "ours.keras") == _h5_layout(tmp_path / "keras.keras")
    for mine, reference in zip(ours.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(mine, reference)


# ---- Pipeline -------------------------------------------------------------------------------------
def test_pipeline_passes_training_and_masks_on():
    torchkeras.utils.set_random_seed(0)
    pipeline = Pipeline([Dense(8, kernel_initializer="ones"), Dropout(0.5)])
    x = torch.ones(4, 3)
    assert (pipeline(x) == 3.0).all()  # inference: Dropout is the identity
    assert (pipeline(x, training=True) == 0).any()
    pipeline.train()
    assert (pipeline(x) == 0).any()
    masked = Pipeline([Embedding(5, 2, mask_zero=True), Dense(3)])
    ids = torch.tensor([[1, 0, 2]])
    out = masked(ids)
    assert torch.equal(out._keras_mask, ids != 0)
    assert [type(layer) for layer in masked.layers] == [Embedding, Dense]


def test_pipeline_config_round_trip_and_errors():
    pipeline = Pipeline([Dense(2), Activation("relu")], name="pre")
    config = pipeline.get_config()
    assert set(config) == {"layers", "name"}  # Keras' Pipeline config has no dtype / trainable
    clone = Pipeline.from_config(config)
    assert clone.name == "pre" and [type(x) for x in clone.layers] == [Dense, Activation]
    with pytest.raises(ValueError, match=r"Pipeline 'p'.*list of Keras layers"):
        Pipeline([torch.nn.Linear(2, 2)], name="p")
    with pytest.raises(ValueError, match=r"Pipeline.*`layers`"):
        Pipeline.from_config({"name": "p"})


# ---- STFTSpectrogram ------------------------------------------------------------------------------
@pytest.mark.parametrize("periodic", [False, True])
def test_stft_named_window_equals_its_array(periodic):
    window = np.hanning(9)[:-1] if periodic else np.hanning(8)
    x = torch.randn(2, 32, 1)
    named = STFTSpectrogram(frame_length=8, window="hann", periodic=periodic)
    array = STFTSpectrogram(frame_length=8, window=window.tolist())
    torch.testing.assert_close(named(x), array(x), rtol=1e-6, atol=1e-6)


def test_stft_errors_name_layer_and_argument():
    for kwargs, match in [
        ({"mode": "power"}, "mode='power'"),
        ({"frame_step": 0}, "frame_step=0"),
        ({"fft_length": 4, "frame_length": 8}, "fft_length=4"),
        ({"scaling": "unit"}, "scaling='unit'"),
        ({"padding": "causal"}, "padding='causal'"),
        ({"window": "tukeyy"}, "window"),
    ]:
        with pytest.raises(ValueError, match=match):
            STFTSpectrogram(**kwargs)
    with pytest.raises(TypeError, match=r"STFTSpectrogram 's'.*float16, float32 or float64"):
        STFTSpectrogram(frame_length=8, window=HANN_8, name="s")(torch.zeros(1, 16, 1, dtype=int))
    with pytest.warns(UserWarning, match="power of two"):
        STFTSpectrogram(frame_length=8, fft_length=12)


def test_stft_symbolic_and_float64_inputs():
    layer = STFTSpectrogram(mode="stft", frame_length=8, padding="same", window=HANN_8)
    symbolic = layer(torchkeras.Input((31, 2)))
    assert symbolic.shape == (None, 8, 20)
    out = layer(torch.randn(1, 31, 2, dtype=torch.float64))
    assert out.dtype == torch.float64 and out.shape == (1, 8, 20)


# ---- MelSpectrogram -------------------------------------------------------------------------------
@needs_keras
def test_mel_spectrogram_of_one_signal_matches_keras():
    x = np.random.default_rng(3).standard_normal(50).astype("float32")
    kwargs = {"fft_length": 16, "sequence_stride": 5, "num_mel_bins": 4, "sampling_rate": 4000}
    expected = _numpy(keras.layers.MelSpectrogram(**kwargs)(x))
    got = MelSpectrogram(**kwargs)(torch.as_tensor(x)).numpy()
    assert got.shape == expected.shape == (4, 11)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-5)


def test_mel_spectrogram_top_db_floor_spans_the_batch_as_in_keras():
    layer = MelSpectrogram(fft_length=16, sequence_stride=4, num_mel_bins=4, sampling_rate=4000,
                           top_db=10.0)
    loud, quiet = torch.randn(1, 40) * 100.0, torch.randn(1, 40) * 1e-3
    together = layer(torch.cat([loud, quiet]))
    floor = together.max() - 10.0
    assert torch.all(together[1] == floor)  # the quiet signal is floored at the loud one's max
    assert not torch.all(layer(quiet) == layer(quiet).max() - 10.0)


def test_mel_spectrogram_has_no_weights_and_a_true_symbolic_shape():
    layer = MelSpectrogram(fft_length=16, sequence_stride=4, num_mel_bins=4, sampling_rate=4000)
    assert layer(torch.randn(2, 40)).shape == (2, 4, 11)
    # 1 + 15 // 4 = 4 frames; Keras' compute_output_shape says (15 + 4 + 1) // 4 = 5 (its bug)
    assert layer(torchkeras.Input((15,))).shape == (None, 4, 4)
    assert layer(torch.randn(2, 15)).shape == (2, 4, 4)
    assert layer.get_weights() == [] and dict(layer.state_dict()) == {}
    assert layer.mel_matrix.shape == (9, 4) and torch.all(layer.mel_matrix[0] == 0)
    with pytest.raises(ValueError, match=r"MelSpectrogram 'm'.*fft_length=16.*sequence_length=32"):
        MelSpectrogram(fft_length=16, sequence_length=32, name="m")


# ---- ReversibleEmbedding --------------------------------------------------------------------------
def test_reversible_embedding_tied_projection_and_masks():
    layer = ReversibleEmbedding(6, 3, mask_zero=True)
    ids = torch.tensor([[0, 2, 5]])
    vectors = layer(ids)
    assert torch.equal(vectors._keras_mask, ids != 0)
    logits = layer(vectors, reverse=True)
    assert getattr(logits, "_keras_mask", None) is None and logits.shape == (1, 3, 6)
    torch.testing.assert_close(logits, vectors @ layer.embeddings.T)
    assert layer.get_weights()[0].shape == (6, 3) and len(layer.get_weights()) == 1
    symbolic = layer(torchkeras.Input((4, 3)), reverse=True)
    assert symbolic.shape == (None, 4, 6)
    assert layer.compute_output_shape((None, 4, 3), reverse=True) == (None, 4, 6)


def test_reversible_embedding_untied_soft_cap_and_training():
    layer = ReversibleEmbedding(5, 2, tie_weights=False, logit_soft_cap=0.01)
    vectors = layer(torch.tensor([[1, 4]]))
    logits = layer(vectors, reverse=True)
    assert logits.abs().max() <= 0.01
    assert [w.shape for w in layer.get_weights()] == [(5, 2), (2, 5)]
    logits.sum().backward()
    assert layer.reverse_embeddings.grad is not None and layer.embeddings.grad is not None
