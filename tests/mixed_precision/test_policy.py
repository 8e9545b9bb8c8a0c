"""DTypePolicy, the global policy and the layers' dtype attributes and configs, against Keras."""

import pytest
import torch
from live_keras import keras, needs_keras

import torchkeras
import torchkeras.layers as tk_layers
from torchkeras import mixed_precision
from torchkeras.mixed_precision import DTypePolicy
NAMES = ["float32", "float16", "bfloat16", "float64", "mixed_float16", "mixed_bfloat16", "int32"]


@pytest.mark.parametrize("name", NAMES)
def test_policy_dtypes(name):
    policy = DTypePolicy(name)
    expected = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}.get(name, name)
    assert policy.name == name
    assert policy.compute_dtype == expected
    assert policy.variable_dtype == ("float32" if name.startswith("mixed") else name)
    assert policy.get_config() == {"name": name}
    assert DTypePolicy.from_config(policy.get_config()) == policy
    assert repr(policy) == f'<DTypePolicy "{name}">'


@needs_keras
@pytest.mark.parametrize("name", NAMES)
def test_policy_matches_keras(name):
    ours, theirs = DTypePolicy(name), keras.DTypePolicy(name)
    assert (ours.name, ours.compute_dtype, ours.variable_dtype) == (
        theirs.name, theirs.compute_dtype, theirs.variable_dtype,
    )
    assert mixed_precision.serialize(ours) == keras.dtype_policies.serialize(theirs)
    assert repr(ours) == repr(theirs)


def test_invalid_policies():
    with pytest.raises(ValueError, match="Cannot convert 'mixed_float8'"):
        DTypePolicy("mixed_float8")
    with pytest.raises(TypeError, match="'name' must be a string"):
        DTypePolicy(3)
    with pytest.raises(ValueError, match="Invalid `policy` argument"):
        mixed_precision.set_dtype_policy(3)


def test_global_policy_and_legacy_names():
    assert mixed_precision.global_policy() == DTypePolicy("float32")
    mixed_precision.set_global_policy("mixed_bfloat16")
    assert mixed_precision.dtype_policy().name == "mixed_bfloat16"
    assert DTypePolicy().name == "mixed_bfloat16"  # None takes the global name
    assert mixed_precision.Policy is DTypePolicy
    mixed_precision.set_dtype_policy(DTypePolicy("float16"))
    assert mixed_precision.global_policy().compute_dtype == "float16"


def test_get_accepts_keras_identifiers():
    assert mixed_precision.get(None) == DTypePolicy("float32")
    assert mixed_precision.get(torch.bfloat16) == DTypePolicy("bfloat16")
    assert mixed_precision.get("mixed_float16").compute_dtype == "float16"
    old_file = {"module": "keras", "class_name": "FloatDTypePolicy",
                "config": {"name": "mixed_bfloat16"}, "registered_name": None}
    assert mixed_precision.get(old_file) == DTypePolicy("mixed_bfloat16")


def _dense_attributes(layer):
    return (layer.dtype, layer.compute_dtype, layer.variable_dtype, layer.input_dtype,
            repr(layer.dtype_policy))


@needs_keras
@pytest.mark.parametrize("global_name", ["float32", "mixed_float16", "mixed_bfloat16"])
@pytest.mark.parametrize("dtype", [None, "float32", "mixed_bfloat16", "bfloat16"])
def test_layer_attributes_and_config_match_keras(global_name, dtype):
    mixed_precision.set_global_policy(global_name)
    keras.config.set_dtype_policy(global_name)
    ours, theirs = tk_layers.Dense(3, dtype=dtype), keras.layers.Dense(3, dtype=dtype)
    assert _dense_attributes(ours) == _dense_attributes(theirs)
    assert ours.get_config()["dtype"] == theirs.get_config()["dtype"]
    ours(torch.zeros(2, 4))
    assert str(ours.kernel.dtype).replace("torch.", "") == theirs.variable_dtype


def test_variables_stay_float32_under_mixed_policies():
    mixed_precision.set_global_policy("mixed_float16")
    model = tk_layers.Conv2D(4, 3)
    model(torch.zeros(1, 6, 6, 2))
    assert {w.dtype for w in model.weights} == {torch.float32}
    norm = tk_layers.BatchNormalization()
    norm(torch.zeros(2, 3))
    assert {w.dtype for w in norm.weights} == {torch.float32}


def test_dtype_policy_setter():
    layer = tk_layers.Dense(2)
    layer.dtype_policy = "mixed_bfloat16"
    assert layer.compute_dtype == "bfloat16" and layer.dtype == "float32"
    assert layer(torch.zeros(1, 3)).dtype == torch.bfloat16
    layer.dtype_policy = DTypePolicy("float32")
    assert layer(torch.zeros(1, 3)).dtype == torch.float32


def test_clear_session_resets_the_global_policy_as_keras_does():
    torchkeras.mixed_precision.set_global_policy("mixed_bfloat16")
    torchkeras.backend.clear_session(free_memory=False)
    assert torchkeras.mixed_precision.global_policy().name == "float32"
    if keras is not None:
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
        keras.backend.clear_session(free_memory=False)
        assert keras.mixed_precision.global_policy().name == "float32"
