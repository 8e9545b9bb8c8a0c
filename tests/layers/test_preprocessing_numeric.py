"""Numeric preprocessing layers: `Normalization.adapt` against Keras' (arrays, tensors, batches,
DataLoaders), argument and shape errors, and Rescaling's dtype and config behaviour."""

import importlib
import os
import types

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from torchkeras import config
from torchkeras.layers.core import Dense
from torchkeras.layers.core.input_layer import Input
from torchkeras.layers.preprocessing.numeric import Normalization, Rescaling
from torchkeras.models import Sequential

os.environ.setdefault("KERAS_BACKEND", "torch")
try:
    import keras
except ImportError:  # the reference comparisons are skipped without real Keras
    keras = None

needs_keras = pytest.mark.skipif(keras is None, reason="real keras is not installed")


def keras_numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


# ---- Normalization.adapt ------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def keras_adapt_without_tensorflow(monkeypatch):
    """Keras' adapt tests `isinstance(data, tf.data.Dataset)` before its iterable path, which
    imports TensorFlow; a stand-in Dataset class lets Keras' own loop run without it."""
    if keras is not None:
        module = importlib.import_module("keras.src.layers.preprocessing.normalization")
        stand_in = types.SimpleNamespace(data=types.SimpleNamespace(Dataset=type("Dataset", (), {})))
        monkeypatch.setattr(module, "tf", stand_in)


def keras_adapted(kwargs, data):
    layer = keras.layers.Normalization(**kwargs)
    layer.adapt(data)
    return [keras_numpy(w) for w in layer.weights]


@needs_keras
@pytest.mark.parametrize("kwargs", [{}, {"axis": None}, {"axis": (1, 2)}, {"axis": 1}])
@pytest.mark.parametrize("kind", ["numpy", "tensor", "batches"])
def test_adapt_equals_keras(kwargs, kind):
    data = np.random.default_rng(3).normal(2.0, 3.0, size=(12, 3, 4)).astype("float32")
    if kind == "tensor":
        ours_data, keras_data = torch.as_tensor(data), torch.as_tensor(data)
    elif kind == "batches":
        ours_data = keras_data = [data[:5], data[5:9], data[9:]]
    else:
        ours_data = keras_data = data
    layer = Normalization(**kwargs)
    layer.adapt(ours_data)
    for ours, expected in zip(layer.get_weights(), keras_adapted(kwargs, keras_data)):
        np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-7)
    x = torch.as_tensor(data[:2])
    expected = keras.layers.Normalization(**kwargs)
    expected.adapt(keras_data)
    np.testing.assert_allclose(layer(x).numpy(), keras_numpy(expected(data[:2])), rtol=1e-6)


@needs_keras
def test_adapt_from_a_dataloader_of_x_y_batches_equals_keras_on_the_same_batches():
    x = np.random.default_rng(4).uniform(-1, 5, size=(10, 3)).astype("float32")
    loader = DataLoader(TensorDataset(torch.as_tensor(x), torch.zeros(10)), batch_size=4)
    layer = Normalization()
    layer.adapt(loader)  # batches are [x, y] lists: x is used
    expected = keras_adapted({}, [x[:4], x[4:8], x[8:]])
    for ours, want in zip(layer.get_weights(), expected):
        np.testing.assert_allclose(ours, want, rtol=1e-6)
    np.testing.assert_allclose(layer.mean.numpy(), x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(layer.variance.numpy(), x.var(0), rtol=1e-4)


def test_adapt_then_call_normalizes_and_invert_restores():
    data = np.random.default_rng(5).normal(4.0, 2.0, size=(64, 3)).astype("float32")
    layer = Normalization()
    layer.adapt(data)
    out = layer(torch.as_tensor(data))
    torch.testing.assert_close(out.mean(0), torch.zeros(3), atol=1e-5, rtol=0)
    torch.testing.assert_close(out.std(0, unbiased=False), torch.ones(3), atol=1e-4, rtol=0)
    inverse = Normalization(mean=layer.mean.numpy(), variance=layer.variance.numpy(), invert=True)
    torch.testing.assert_close(inverse(out), torch.as_tensor(data), atol=1e-4, rtol=1e-5)
    assert set(layer.state_dict()) == {"mean", "variance", "count"}
    assert not layer.trainable_weights


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: Normalization(mean=1.0, name="n"), r"Normalization 'n'.*together"),
        (lambda: Normalization(mean=[1.0], variance=[1.0, 2.0], name="n"), r"same shape"),
        (lambda: Normalization(axis=None, mean=[1.0], variance=[1.0], name="n"), r"at most"),
    ],
)
def test_normalization_argument_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_normalization_adapt_errors_name_layer_and_shapes():
    layer = Normalization(name="norm")
    layer.adapt(np.zeros((4, 3), "float32"))
    with pytest.raises(ValueError, match=r"'norm'.*\(4, 3\).*\(4, 5\)"):
        layer.adapt(np.zeros((4, 5), "float32"))
    with pytest.raises(ValueError, match=r"'fixed'.*cannot be adapted"):
        given = Normalization(mean=0.0, variance=1.0, name="fixed")
        given(torch.zeros(2, 3))
        given.adapt(np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match=r"'n2'.*empty"):
        Normalization(name="n2").adapt([])
    with pytest.raises(ValueError, match=r"'n3'.*axis"):
        Normalization(axis=3, name="n3")(torch.zeros(2, 3))


def test_rescaling_casts_uint8_and_keeps_device_buffers_out_of_state():
    layer = Rescaling(1.0 / 255)
    out = layer(torch.full((2, 2, 2, 3), 255, dtype=torch.uint8))
    assert out.dtype == torch.float32
    torch.testing.assert_close(out, torch.ones(2, 2, 2, 3))
    assert layer.state_dict() == {} and layer.get_weights() == []


@needs_keras
def test_rescaling_numpy_scale_config_matches_keras():
    scale = np.array([1.0, 2.0])
    expected = keras.layers.Rescaling(scale).get_config()["scale"]
    layer = Rescaling(scale)
    assert layer.get_config()["scale"] == expected
    clone = Rescaling.from_config(layer.get_config())
    np.testing.assert_array_equal(clone.scale, scale)


def test_adapted_normalization_stays_fixed_while_a_model_trains_with_fit():
    x = np.random.default_rng(6).normal(50.0, 10.0, size=(64, 3)).astype("float32")
    y = (x.sum(axis=1) > 150.0).astype("float32")[:, None]
    norm = Normalization()
    norm.adapt(x)
    before = [w.copy() for w in norm.get_weights()]
    model = Sequential([Input((3,)), norm, Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    for after, expected in zip(norm.get_weights(), before):
        np.testing.assert_array_equal(after, expected)


@needs_keras
def test_per_channel_scale_follows_the_global_channels_first_format_as_keras():
    x = np.random.default_rng(8).uniform(0, 255, size=(2, 3, 4, 3)).astype("float32")
    kwargs = {"scale": [0.5, 1.0, 2.0], "offset": [1.0, 2.0, 3.0]}
    try:
        config.set_image_data_format("channels_first")
        keras.config.set_image_data_format("channels_first")
        ours = Rescaling(**kwargs)(torch.as_tensor(x)).numpy()
        expected = keras_numpy(keras.layers.Rescaling(**kwargs)(x))
    finally:
        config.set_image_data_format("channels_last")
        keras.config.set_image_data_format("channels_last")
    np.testing.assert_allclose(ours, expected, rtol=1e-6)
    np.testing.assert_allclose(ours[:, 1], x[:, 1] * 1.0 + np.array([1.0, 2.0, 3.0]), rtol=1e-6)
