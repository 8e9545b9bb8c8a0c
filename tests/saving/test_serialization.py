"""Configs: to_json / model_from_json, custom objects, compile configs, clone_model, safety."""

import importlib
import json
import os

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers


def news_model(module):
    module.backend.clear_session()
    title = module.Input(shape=(10,), name="title")
    tags = module.Input(shape=(3,), name="tags")
    shared = module.layers.Dense(4, name="shared")
    features = module.layers.Concatenate()([shared(title), tags])
    features = module.layers.Dense(
        6, activation="relu", kernel_regularizer=module.regularizers.L2(0.01)
    )(features)
    features = module.layers.Dropout(0.2)(features)
    priority = module.layers.Dense(1, activation="sigmoid", name="priority")(features)
    department = module.layers.Dense(5, activation="softmax", name="department")(features)
    return module.Model(inputs=[title, tags], outputs=[priority, department])


def inputs(batch=3):
    rng = np.random.default_rng(0)
    return [rng.random((batch, 10), dtype=np.float32), rng.random((batch, 3), dtype=np.float32)]


def test_functional_json_round_trip_keeps_structure_and_outputs():
    model = news_model(keras)
    clone = keras.models.model_from_json(model.to_json())
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    assert clone.get_config() == model.get_config()
    clone.set_weights(model.get_weights())
    for got, want in zip(clone(inputs()), model(inputs())):
        torch.testing.assert_close(got, want)


def test_sequential_json_round_trip():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2, activation="relu"), layers.Dense(1)])
    clone = keras.models.model_from_json(model.to_json())
    assert clone.built and clone.count_params() == model.count_params()
    assert json.loads(clone.to_json()) == json.loads(model.to_json())


def test_custom_layer_config_from_constructor_and_registration():
    @keras.saving.register_keras_serializable(package="tests")
    class Scale(keras.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

    x = keras.Input(shape=(3,))
    model = keras.Model(x, Scale(factor=3.0)(x))
    assert Scale(factor=3.0).get_config()["factor"] == 3.0
    assert keras.saving.get_registered_name(Scale) == "tests>Scale"
    clone = keras.models.model_from_json(model.to_json())
    torch.testing.assert_close(clone(np.ones((1, 3))), torch.full((1, 3), 3.0))


def test_unregistered_custom_layer_needs_custom_objects():
    class Shift(keras.layers.Layer):
        def __init__(self, amount=1.0, **kwargs):
            super().__init__(**kwargs)
            self.amount = amount

        def call(self, x):
            return x + self.amount

    x = keras.Input(shape=(2,))
    text = keras.Model(x, Shift(amount=0.5)(x)).to_json()
    with pytest.raises(ValueError, match="Could not locate class 'Shift'"):
        keras.models.model_from_json(text)
    clone = keras.models.model_from_json(text, custom_objects={"Shift": Shift})
    torch.testing.assert_close(clone(np.zeros((1, 2))), torch.full((1, 2), 0.5))
    with keras.saving.CustomObjectScope({"Shift": Shift}):
        assert keras.models.model_from_json(text).layers[1].amount == 0.5


def test_loading_never_imports_what_a_config_names():
    evil = {"module": "os", "class_name": "system", "config": {"command": "echo hacked"}}
    with pytest.raises(ValueError, match="Could not locate class 'system'"):
        keras.saving.deserialize_keras_object(evil)
    function = {"module": "os", "class_name": "function", "config": "system"}
    with pytest.raises(ValueError, match="Could not locate function 'system'"):
        keras.saving.deserialize_keras_object(function)


def test_lambda_loads_only_with_the_function_given():
    def double(x):
        return 2 * x

    x = keras.Input(shape=(2,))
    text = keras.Model(x, layers.Lambda(double)(x)).to_json()
    with pytest.raises(ValueError):
        keras.models.model_from_json(text)
    clone = keras.models.model_from_json(text, custom_objects={"double": double})
    torch.testing.assert_close(clone(np.ones((1, 2))), torch.full((1, 2), 2.0))


def test_compile_config_round_trip():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.01),
        loss=keras.losses.MeanSquaredError(),
        metrics=["mae", keras.metrics.BinaryAccuracy()],
    )
    config = model.get_compile_config()
    assert config["metrics"][0] == "mae" and config["loss"]["class_name"] == "MeanSquaredError"
    clone = keras.models.clone_model(model)
    clone.compile_from_config(json.loads(json.dumps(config)))
    assert isinstance(clone.optimizer, keras.optimizers.Adam)
    assert float(clone.optimizer.learning_rate) == pytest.approx(0.01)
    history = clone.fit(np.ones((8, 3)), np.ones((8, 1)), verbose=0)
    assert sorted(history.history) == ["binary_accuracy", "loss", "mae"]


def test_clone_model_has_new_weights_and_same_config():
    model = news_model(keras)
    clone = keras.models.clone_model(model)
    assert clone.get_config() == model.get_config()
    assert not torch.equal(clone.layers[1].kernel, model.layers[1].kernel)
    sequential = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    copied = keras.models.clone_model(
        sequential, clone_function=lambda layer: layers.Dense.from_config(layer.get_config())
    )
    assert copied.count_params() == 8


def _real_keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        return importlib.import_module("keras")
    except ImportError:
        pytest.skip("real Keras is not installed")


def test_json_moves_between_keras_and_torchkeras():
    real = _real_keras()
    theirs, ours = news_model(real), news_model(keras)
    in_keras = real.models.model_from_json(ours.to_json())
    in_keras.set_weights(ours.get_weights())
    in_ours = keras.models.model_from_json(theirs.to_json())
    in_ours.set_weights(theirs.get_weights())
    x = inputs()
    for got, want in zip(in_keras.predict(x, verbose=0), ours.predict(x, verbose=0)):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    for got, want in zip(in_ours.predict(x, verbose=0), theirs.predict(x, verbose=0)):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
