"""Activations: names, signatures, get/serialize rules (values: compat/test_activations.py)."""

import importlib
import inspect
import json
import os
import pathlib

import numpy as np
import pytest
import torch

from torchkeras import activations

ROOT = pathlib.Path(__file__).resolve().parents[1]
with np.load(ROOT / "compat" / "references" / "bottom.npz") as _data:
    REFS = dict(_data)
CASES = json.loads(str(REFS["cases"]))
KERAS_NAMES = CASES["names"]["activations"]


def _run(key, refs):
    name, kwargs, input_key = CASES["activations"][key]
    return getattr(activations, name)(torch.from_numpy(refs[f"inputs/{input_key}"]), **kwargs)


@pytest.mark.parametrize("name", KERAS_NAMES)
def test_keras_names_resolve_to_module_functions(name):
    fn = activations.get(name)
    assert fn is getattr(activations, name)
    assert activations.deserialize(activations.serialize(fn)) is fn


@pytest.mark.parametrize(
    "alias, canonical", [("swish", activations.silu), ("hard_swish", activations.hard_silu)]
)
def test_aliases_serialize_to_the_canonical_name(alias, canonical):
    assert activations.get(alias) is canonical
    assert activations.serialize(getattr(activations, alias)) == canonical.__name__


def test_none_is_linear_and_callables_pass_through():
    assert activations.get(None) is activations.linear
    custom = lambda x: x * 2  # noqa: E731
    assert activations.get(custom) is custom
    assert activations.get(torch.nn.ReLU) is torch.nn.ReLU


@pytest.mark.parametrize(
    "config",
    [
        "relu",
        {"module": "builtins", "class_name": "function", "config": "relu",
         "registered_name": "function"},
        {"module": "keras.activations", "class_name": "function", "config": "relu"},
    ],
)
def test_get_accepts_keras_config_forms(config):
    assert activations.get(config) is activations.relu


def test_custom_objects_resolve_in_deserialize():
    def my_act(x):
        return x + 1

    assert activations.deserialize("my_act", custom_objects={"my_act": my_act}) is my_act
    config = {"class_name": "function", "config": "my_act", "registered_name": "pkg>my_act"}
    assert activations.deserialize(config, custom_objects={"pkg>my_act": my_act}) is my_act


def test_unknown_name_suggests_the_closest():
    with pytest.raises(ValueError, match="Did you mean") as info:
        activations.get("rellu")
    assert "'relu'" in str(info.value)


@pytest.mark.parametrize("bad", [3, 1.5, ["relu"]])
def test_uninterpretable_identifier_raises(bad):
    with pytest.raises(ValueError, match="activation"):
        activations.get(bad)


def test_inputs_other_than_float_tensors():
    assert activations.relu([-1.0, 2.0]).dtype == torch.float32
    assert activations.sigmoid(np.zeros(3)).dtype == torch.float64
    assert activations.gelu(torch.tensor([1, 2])).dtype == torch.float32
    x = torch.randn(4, 5, dtype=torch.float64)
    assert activations.softmax(x).dtype == torch.float64


def test_softmax_float16_on_cpu_and_axis_none():
    x = torch.randn(3, 4)
    half = activations.softmax(x.half())
    assert half.dtype == torch.float16
    torch.testing.assert_close(half.float(), torch.softmax(x, -1), atol=1e-3, rtol=1e-3)
    total = activations.softmax(x, axis=None)
    torch.testing.assert_close(total.sum(), torch.tensor(1.0))


def test_sparsemax_is_a_sparse_distribution():
    out = activations.sparsemax(torch.tensor([[3.0, 1.0, 0.2], [0.1, 0.2, 0.3]]))
    torch.testing.assert_close(out.sum(-1), torch.ones(2))
    assert out[0].tolist() == [1.0, 0.0, 0.0]


def test_gradients_flow():
    x = torch.randn(5, requires_grad=True)
    activations.gelu(x).sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()


# Live comparison with real Keras, when it is installed.


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("real Keras is not on its torch backend")
    return keras


def test_live_keras_lists_the_same_activations(keras):
    names = importlib.import_module("keras.src.activations").ALL_OBJECTS_DICT
    assert sorted(names) == KERAS_NAMES
    public = {n for n in dir(keras.activations) if not n.startswith("_")}
    assert public <= set(activations.__all__)


@pytest.mark.parametrize("name", KERAS_NAMES)
def test_live_signatures_match_keras(keras, name):
    ours = inspect.signature(getattr(activations, name)).parameters
    theirs = inspect.signature(getattr(keras.activations, name)).parameters
    assert [(p.name, p.default) for p in ours.values()] == [
        (p.name, p.default) for p in theirs.values()
    ]


