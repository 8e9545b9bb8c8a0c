"""`keras.layers.InputSpec` (checked before every call), `keras.layers.Wrapper` and
`keras.layers.serialize`/`deserialize`, against real Keras 3 where it is installed."""

import os

import numpy as np
import pytest
import torch

import torchkeras
from torchkeras import layers
from torchkeras.layers.input_spec import assert_input_compatibility

os.environ.setdefault("KERAS_BACKEND", "torch")
try:
    import keras
    from keras.src.layers.input_spec import assert_input_compatibility as keras_assert
except ImportError:  # the comparisons with real Keras are skipped without it
    keras = None

needs_keras = pytest.mark.skipif(keras is None, reason="real keras is not installed")

SPECS = [
    {"ndim": 2}, {"min_ndim": 3}, {"max_ndim": 2}, {"dtype": "int32"}, {"axes": {-1: 4}},
    {"shape": (None, 4)}, {"shape": (None, 3), "allow_last_axis_squeeze": True},
    {"ndim": 3, "axes": {1: 2}},
]  # fmt: skip
INPUTS = [((2, 4), "float32"), ((2, 3), "float32"), ((2, 3, 1), "float32"), ((2,), "float32"),
          ((2, 2, 4), "int32"), ((2, 4), "int32")]  # fmt: skip


def _verdict(check, spec, tensor, name):
    try:
        check(spec, tensor, name)
    except ValueError as error:
        return str(error)
    return None


@needs_keras
@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_accepts_and_refuses_what_keras_does(spec):
    for shape, dtype in INPUTS:
        tensor = torch.zeros(shape, dtype=getattr(torch, dtype))
        ours = _verdict(assert_input_compatibility, layers.InputSpec(**spec), tensor, "probe")
        theirs = keras.ops.zeros(shape, dtype=dtype)
        theirs = _verdict(keras_assert, keras.layers.InputSpec(**spec), theirs, "probe")
        assert (ours is None) == (theirs is None), (shape, dtype, ours, theirs)
        if ours is not None:  # the same reason, after Keras' "with name 'None'" wording
            assert ours.split("layer: ")[1].split(". Full")[0] in theirs


@needs_keras
def test_config_and_repr_match_keras():
    for spec in SPECS:
        ours, theirs = layers.InputSpec(**spec), keras.layers.InputSpec(**spec)
        assert ours.get_config() == theirs.get_config() or spec.get("axes") is None and {
            **ours.get_config(), "axes": {}
        } == theirs.get_config()
        assert repr(ours) == repr(theirs)
        assert layers.InputSpec.from_config(ours.get_config()).get_config() == ours.get_config()


class TwoColumns(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = layers.InputSpec(ndim=2, axes={-1: 2})

    def call(self, inputs):
        return inputs * 2


def test_a_custom_layer_checks_its_input_spec_eagerly_and_symbolically():
    layer = TwoColumns(name="two")
    assert layer(torch.ones(3, 2)).shape == (3, 2)
    with pytest.raises(ValueError, match="layer 'two' is incompatible .* expected axis -1 "):
        layer(torch.ones(3, 4))
    with pytest.raises(ValueError, match="expected ndim=2, found ndim=3"):
        layer(torchkeras.Input((2, 2)))
    model = torchkeras.Sequential([torchkeras.Input((2,)), TwoColumns()])
    np.testing.assert_allclose(model.predict(np.ones((4, 2), "float32"), verbose=0), 2.0)


def test_wrapper_builds_carries_and_calls_its_layer():
    wrapper = layers.Wrapper(layers.Dense(3, name="inner"), name="wrap")
    outputs = wrapper(torch.ones(2, 4))
    assert outputs.shape == (2, 3) and wrapper.layer.built
    assert [w.shape for w in wrapper.get_weights()] == [(4, 3), (3,)]
    rebuilt = layers.Wrapper.from_config(wrapper.get_config())
    assert rebuilt.layer.name == "inner" and rebuilt.layer.units == 3
    assert isinstance(layers.TimeDistributed(layers.Dense(2)), layers.Wrapper)
    with pytest.raises(ValueError, match="Wrapper 'bad': `layer` must be a Keras layer instance"):
        layers.Wrapper("dense", name="bad")


@needs_keras
def test_wrapper_config_matches_keras():
    ours = layers.Wrapper(layers.Dense(3, name="inner")).get_config()
    theirs = keras.layers.Wrapper(keras.layers.Dense(3, name="inner")).get_config()
    ours.pop("name"), theirs.pop("name")
    assert ours == theirs


def test_layers_serialize_and_deserialize():
    layer = layers.Dense(3, activation="relu", name="d")
    layer(torch.ones(1, 2))
    config = layers.serialize(layer)
    assert config["class_name"] == "Dense" and config["build_config"] == {"input_shape": [None, 2]}
    rebuilt = layers.deserialize(config)
    assert isinstance(rebuilt, layers.Dense) and rebuilt.built and rebuilt.units == 3
    if keras is not None:
        theirs = keras.layers.Dense(3, activation="relu", name="d")
        theirs(keras.ops.ones((1, 2)))
        theirs = keras.layers.serialize(theirs)
        # Keras records the eager call's batch size in build_config; torchkeras records None
        assert theirs.pop("build_config") == {"input_shape": (1, 2)}
        assert {key: value for key, value in config.items() if key != "build_config"} == theirs
