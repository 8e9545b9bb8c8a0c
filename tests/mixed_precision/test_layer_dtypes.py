"""Output dtypes (eager and symbolic) of layers under mixed policies equal Keras'; values close."""

import numpy as np
import pytest
import torch
from live_keras import keras, needs_keras

import torchkeras
import torchkeras.layers as tk_layers
from torchkeras import mixed_precision

RNG = np.random.default_rng(0)
IMAGE = RNG.normal(size=(2, 6, 6, 3)).astype("float32")
TABLE = RNG.normal(size=(4, 5)).astype("float32")
SEQUENCE = RNG.normal(size=(2, 4, 5)).astype("float32")
TOKENS = np.array([[1, 2, 3], [0, 4, 2]], dtype="int64")
# (layer name, constructor arguments, input); built identically in both libraries.
LAYERS = [
    ("Dense", {"units": 3, "activation": "relu"}, TABLE),
    ("Dense", {"units": 3, "dtype": "float32"}, TABLE),
    ("Conv2D", {"filters": 2, "kernel_size": 3}, IMAGE),
    ("BatchNormalization", {}, IMAGE),
    ("LayerNormalization", {}, TABLE),
    ("Embedding", {"input_dim": 5, "output_dim": 3}, TOKENS),
    ("Softmax", {}, TABLE),
    ("Softmax", {"dtype": "float32"}, TABLE),
    ("Activation", {"activation": "softmax", "dtype": "float32"}, TABLE),
    ("Dropout", {"rate": 0.5}, TABLE),
    ("MaxPooling2D", {}, IMAGE),
    ("GlobalAveragePooling2D", {}, IMAGE),
    ("Flatten", {}, IMAGE),
    ("LSTM", {"units": 3}, SEQUENCE),
    ("LSTM", {"units": 3, "unroll": True}, SEQUENCE),  # the step loop, not the fused kernel
    ("GRU", {"units": 3, "unroll": True, "return_sequences": True}, SEQUENCE),
    ("SimpleRNN", {"units": 3, "unroll": True}, SEQUENCE),
    ("MultiHeadAttention", {"num_heads": 2, "key_dim": 2}, SEQUENCE),
]


def _call(layer, x):
    return layer(x, x) if "Attention" in type(layer).__name__ else layer(x)


def _pair(name, kwargs):
    return getattr(tk_layers, name)(**kwargs), getattr(keras.layers, name)(**kwargs)


def _copy_weights(ours, theirs):
    theirs.set_weights([w.detach().numpy() for w in ours.weights])


@needs_keras
@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
@pytest.mark.parametrize(("name", "kwargs", "x"), LAYERS, ids=[f"{n}-{i}" for i, (n, *_) in
                                                                enumerate(LAYERS)])
def test_eager_output_dtype_and_values_match_keras(policy, name, kwargs, x):
    if name == "LSTM" and policy == "mixed_float16" and not kwargs.get("unroll"):
        pytest.skip("torch's CPU (oneDNN) LSTM kernel has no float16 version; CUDA has one")
    mixed_precision.set_global_policy(policy)
    keras.config.set_dtype_policy(policy)
    ours, theirs = _pair(name, kwargs)
    out = _call(ours, torch.as_tensor(x))
    expected = _call(theirs, keras.ops.convert_to_tensor(x))
    assert str(out.dtype).replace("torch.", "") == keras.backend.standardize_dtype(expected.dtype)
    assert {w.dtype for w in ours.weights} <= {torch.float32}
    _copy_weights(ours, theirs)
    expected = keras.ops.convert_to_numpy(
        keras.ops.cast(_call(theirs, keras.ops.convert_to_tensor(x)), "float32")
    )
    # float16 keeps 11 significant bits, bfloat16 8: the two libraries round intermediate
    # results at different points (torch adds a float32 bias before the cast, Keras after).
    atol = 2e-2 if policy == "mixed_bfloat16" else 3e-3
    np.testing.assert_allclose(out.float().detach().numpy(), expected, atol=atol, rtol=atol)


@needs_keras
@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_functional_model_dtypes_match_keras(policy):
    specs = []
    for lib in (torchkeras, keras):
        lib.config.set_dtype_policy(policy) if lib is keras else (
            mixed_precision.set_global_policy(policy))
        inputs = lib.Input((5,))
        hidden = lib.layers.Dense(4, activation="relu")(inputs)
        logits = lib.layers.Dense(3)(hidden)
        probs = lib.layers.Activation("softmax", dtype="float32")(logits)
        model = lib.Model(inputs, [hidden, probs])
        eager = model(np.asarray(TABLE))
        specs.append((
            [t.dtype for t in (inputs, hidden, logits, probs)],
            [str(keras.backend.standardize_dtype(t.dtype)) for t in eager],
            model.dtype_policy.name,
        ))
    assert specs[0] == specs[1]


class _Probe(tk_layers.Layer):
    """Records whether autocast is on and the input dtype inside its own call."""

    def call(self, inputs):
        self.seen = (torch.is_autocast_enabled("cpu"), inputs.dtype)
        return inputs * 2


def test_float32_layer_inside_mixed_model_runs_without_autocast():
    mixed_precision.set_global_policy("mixed_bfloat16")
    inner, mixed = _Probe(dtype="float32"), _Probe()
    model = torchkeras.Sequential([tk_layers.Dense(4), mixed, inner, tk_layers.Dense(3)])
    out = model(torch.ones(2, 5))
    assert out.dtype == torch.bfloat16
    assert mixed.seen == (True, torch.bfloat16)
    assert inner.seen == (False, torch.float32)
    # Called alone (no mixed layer around it) a float32 layer skips the input cast Keras does.
    assert model.layers[2](torch.ones(1, 4, dtype=torch.bfloat16)).dtype == torch.bfloat16


def test_default_policy_path_is_untouched():
    layer = tk_layers.Dense(2)
    assert layer._autocast_dtype is None
    assert layer(torch.ones(1, 3)).dtype == torch.float32
