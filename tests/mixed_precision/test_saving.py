"""`.keras` files keep per-layer dtype policies and the loss-scale state, both ways with Keras."""

import numpy as np
import pytest
import torch
from live_keras import keras, needs_keras

import torchkeras
from torchkeras import mixed_precision
from torchkeras.optimizers import LossScaleOptimizer

X = np.random.default_rng(0).normal(size=(16, 5)).astype("float32")
Y = np.random.default_rng(1).normal(size=(16, 3)).astype("float32")


def _build(lib, policy):
    inputs = lib.Input((5,))
    hidden = lib.layers.Dense(4, activation="relu", dtype=policy)(inputs)
    logits = lib.layers.Dense(3)(hidden)
    outputs = lib.layers.Activation("softmax", dtype="float32")(logits)
    return lib.Model(inputs, outputs)


def _policies(model):
    return [layer.dtype_policy.name for layer in model.layers[1:]] + [model.dtype_policy.name]


def test_round_trip_keeps_policies_and_loss_scale(tmp_path):
    mixed_precision.set_global_policy("mixed_float16")
    model = _build(torchkeras, "mixed_bfloat16")
    model.compile("adam", "mse")
    model.fit(X, Y, epochs=2, batch_size=8, verbose=0)
    path = tmp_path / "mixed.keras"
    model.save(path)
    mixed_precision.set_global_policy("float32")
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer 'adam'"):
        loaded = torchkeras.saving.load_model(path)
    # Layers keep the policies of the file; the model takes the global one (as in Keras), so
    # the optimizer is not wrapped and the loss-scale state is skipped, with Keras' warning.
    assert _policies(loaded) == ["mixed_bfloat16", "mixed_float16", "float32", "float32"]
    assert not isinstance(loaded.optimizer, LossScaleOptimizer)
    mixed_precision.set_global_policy("mixed_float16")
    loaded = torchkeras.saving.load_model(path)
    assert _policies(loaded) == ["mixed_bfloat16", "mixed_float16", "float32", "mixed_float16"]
    assert isinstance(loaded.optimizer, LossScaleOptimizer)
    for mine, saved in zip(loaded.optimizer.variables, model.optimizer.variables):
        torch.testing.assert_close(mine, saved)
    out = loaded(torch.as_tensor(X))
    assert out.dtype == torch.float32
    torch.testing.assert_close(out, model(torch.as_tensor(X)))


@needs_keras
def test_loads_a_keras_written_mixed_model(tmp_path):
    keras.config.set_dtype_policy("mixed_float16")
    theirs = _build(keras, "mixed_bfloat16")
    theirs.compile("adam", "mse")
    theirs.fit(X, Y, epochs=2, batch_size=8, verbose=0)
    path = tmp_path / "keras_mixed.keras"
    theirs.save(path)
    mixed_precision.set_global_policy("mixed_float16")
    ours = torchkeras.saving.load_model(path)
    assert _policies(ours) == _policies(theirs)
    assert [layer.get_config()["dtype"] for layer in ours.layers[1:]] == [
        layer.get_config()["dtype"] for layer in theirs.layers[1:]
    ]
    assert isinstance(ours.optimizer, LossScaleOptimizer)
    expected = [keras.ops.convert_to_numpy(v) for v in theirs.optimizer.variables]
    got = [v.detach().numpy() for v in ours.optimizer.variables]
    assert len(got) == len(expected)
    for mine, reference in zip(got, expected):
        np.testing.assert_allclose(mine, reference, rtol=1e-6)
    reference = keras.ops.convert_to_numpy(theirs(X))
    # bfloat16 keeps 8 significant bits (2**-8 = 0.004 relative): the libraries round the
    # first layer's bias add at different points, so outputs agree to about 1e-2.
    np.testing.assert_allclose(ours(torch.as_tensor(X)).detach().numpy(), reference, atol=1e-2)


@needs_keras
def test_keras_loads_our_mixed_model(tmp_path):
    mixed_precision.set_global_policy("mixed_float16")
    ours = _build(torchkeras, "mixed_bfloat16")
    ours.compile("adam", "mse")
    ours.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    path = tmp_path / "ours.keras"
    ours.save(path)
    keras.config.set_dtype_policy("mixed_float16")
    theirs = keras.saving.load_model(path)
    assert _policies(theirs) == _policies(ours)
    assert isinstance(theirs.optimizer, keras.mixed_precision.LossScaleOptimizer)
    for mine, reference in zip(ours.optimizer.variables, theirs.optimizer.variables):
        np.testing.assert_allclose(mine.detach().numpy(), keras.ops.convert_to_numpy(reference))
