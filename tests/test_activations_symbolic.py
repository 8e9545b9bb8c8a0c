"""`keras.activations.*` on symbolic tensors record the `keras.ops` operations Keras records, and
the models compute what the activations compute eagerly; Keras files with them load both ways."""

import os

import numpy as np
import pytest
import torch

import torchkeras
from torchkeras import activations

os.environ.setdefault("KERAS_BACKEND", "torch")
try:
    import keras
except ImportError:  # the comparisons with real Keras are skipped without it
    keras = None

X = np.random.default_rng(0).normal(size=(3, 6)).astype("float32")
RECORDED = {
    "relu": "Relu", "leaky_relu": "LeakyRelu", "relu6": "Relu6", "elu": "Elu", "selu": "Selu",
    "celu": "Celu", "gelu": "Gelu", "silu": "Silu", "swish": "Silu", "hard_silu": "HardSilu",
    "softplus": "Softplus", "softsign": "Softsign", "squareplus": "Squareplus",
    "sparse_plus": "SparsePlus", "exponential": "Exp", "softmax": "Softmax",
    "log_softmax": "LogSoftmax", "glu": "Glu", "sigmoid": "Sigmoid", "hard_sigmoid": "HardSigmoid",
    "sparse_sigmoid": "SparseSigmoid", "log_sigmoid": "LogSigmoid", "tanh": "Tanh",
    "hard_tanh": "HardTanh", "tanh_shrink": "TanhShrink", "soft_shrink": "SoftShrink",
    "hard_shrink": "HardShrink",
}  # fmt: skip


def _model(function, **kwargs):
    inputs = torchkeras.Input((6,))
    return torchkeras.Model(inputs, function(inputs, **kwargs))


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_activation_records_keras_operation(name):
    function = getattr(activations, name)
    model = _model(function)
    assert [op.keras_class_name for op in model.operations[1:]] == [RECORDED[name]]
    expected = function(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(model.predict(X, verbose=0), expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(
    "kwargs",
    [{"max_value": 1.0}, {"threshold": 0.5}, {"negative_slope": 0.3, "threshold": 0.4},
     {"negative_slope": 0.1, "max_value": 2.0, "threshold": -0.2}, {"negative_slope": 0.2}],
)  # fmt: skip
def test_relu_with_options_composes_keras_rule(kwargs):
    expected = activations.relu(torch.from_numpy(X), **kwargs).numpy()
    found = _model(activations.relu, **kwargs).predict(X, verbose=0)
    np.testing.assert_allclose(found, expected, rtol=1e-6, atol=1e-7)


def test_linear_passes_the_symbolic_tensor_through():
    inputs = torchkeras.Input((6,))
    assert activations.linear(inputs) is inputs


def test_wrapped_activations_stay_the_registered_ones():
    assert activations.get("relu") is activations.relu
    assert activations.serialize(activations.gelu) == "gelu"
    assert activations.relu.__name__ == "relu"


@pytest.mark.skipif(keras is None, reason="real keras is not installed")
def test_keras_files_with_activations_load_both_ways(tmp_path):
    def build(namespace):
        inputs = namespace.Input((6,))
        acts = namespace.activations
        return namespace.Model(inputs, [
            acts.relu(inputs), acts.gelu(inputs), acts.softmax(inputs, axis=-1),
            acts.relu(inputs, max_value=1.0),
        ])  # fmt: skip

    build(keras).save(tmp_path / "keras.keras")  # Keras records relu as the ReLU activation class
    build(torchkeras).save(tmp_path / "torchkeras.keras")
    expected = build(torchkeras).predict(X, verbose=0)
    for found in (
        torchkeras.models.load_model(tmp_path / "keras.keras").predict(X, verbose=0),
        keras.models.load_model(tmp_path / "torchkeras.keras").predict(X, verbose=0),
    ):
        for got, want in zip(found, expected):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
