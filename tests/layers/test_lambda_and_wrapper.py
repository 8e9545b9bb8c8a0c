"""Lambda and TorchModuleWrapper: wrapping user functions and torch modules, and loading them safely."""

import json

import pytest
import torch
from torch import nn

from cases import double
from torchkeras.layers.core import Lambda, TorchModuleWrapper


def test_torch_module_wrapper_trains_and_round_trips_state_dict():
    layer = TorchModuleWrapper(nn.Linear(3, 4))
    x = torch.randn(5, 3)
    out = layer(x)
    module = layer.module
    assert [id(w) for w in layer.trainable_weights] == [id(module.weight), id(module.bias)]
    out.sum().backward()
    assert module.weight.grad is not None and module.bias.grad is not None
    other = TorchModuleWrapper(nn.Linear(3, 4))
    other.load_state_dict(layer.state_dict())
    torch.testing.assert_close(other(x), layer(x))
    layer.trainable = False
    assert layer.trainable_weights == [] and not module.weight.requires_grad


def test_torch_module_wrapper_materializes_lazy_modules_on_build():
    layer = TorchModuleWrapper(nn.LazyLinear(4))
    layer.build((None, 3))
    assert tuple(layer.module.weight.shape) == (4, 3)
    assert layer(torch.zeros(2, 3)).shape == (2, 4)
    assert layer.count_params() == 16


def test_torch_module_wrapper_follows_training_flag():
    layer = TorchModuleWrapper(nn.Dropout(0.5))
    x = torch.ones(100)
    assert torch.equal(layer(x, training=False), x)
    assert (layer(x, training=True) == 0).any()


def test_torch_module_wrapper_from_config_needs_the_module():
    layer_config = TorchModuleWrapper(nn.Linear(3, 4)).get_config()
    assert layer_config["module"] == "Linear"
    with pytest.raises(ValueError, match="never unpickles"):
        TorchModuleWrapper.from_config(layer_config)
    with pytest.raises(ValueError, match="never unpickles"):
        TorchModuleWrapper.from_config({**layer_config, "module": "UEsDBAAACAgAAAA" * 50})


def test_lambda_from_config_refuses_without_custom_objects():
    layer_config = Lambda(double).get_config()
    assert layer_config["function"]["config"] == "double"
    with pytest.raises(ValueError, match="never loads code"):
        Lambda.from_config(layer_config)
    rebuilt = Lambda.from_config(layer_config, custom_objects={"double": double})
    assert rebuilt.function is double


def test_lambda_anonymous_function_and_keras_bytecode_are_refused():
    layer = Lambda(lambda x: x + 1, name="plus_one")
    layer_config = layer.get_config()
    assert "code" not in json.dumps(layer_config)
    with pytest.raises(ValueError, match="never loads code"):
        Lambda.from_config(layer_config)
    bytecode = {"class_name": "__lambda__", "config": {"code": "4wEA"}}
    keras_style = {**layer_config, "function": bytecode}
    with pytest.raises(ValueError, match="bytecode"):
        Lambda.from_config(keras_style)
    rebuilt = Lambda.from_config(keras_style, custom_objects={"plus_one": lambda x: x + 1})
    assert rebuilt(torch.ones(1)).item() == 2.0


def test_lambda_passes_training_when_asked():
    layer = Lambda(lambda x, training=None: x * (2.0 if training else 1.0))
    x = torch.ones(2)
    assert layer(x, training=True).tolist() == [2.0, 2.0]
    assert layer(x).tolist() == [1.0, 1.0]


# ---- merging -------------------------------------------------------------------------------
