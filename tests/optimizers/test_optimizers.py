"""torchkeras optimizers: configs (as Keras' when it imports), `get`, learning rate, iterations.

Their numbers against real Keras 3.15.1 (every case of `optimizer_cases.CASES` and every schedule)
are compared in `compat/test_optimizers.py`.
"""

import os
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))  # optimizer_cases

import optimizer_cases  # noqa: E402  (needs the path above)

from torchkeras import optimizers  # noqa: E402
from torchkeras.optimizers import schedules  # noqa: E402


# ---- configs ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(optimizer_cases.CASES))
def test_config_round_trip(name):
    class_name, kwargs = optimizer_cases.CASES[name]
    optimizer = optimizer_cases.build_optimizer(optimizers, class_name, kwargs)
    config = optimizer.get_config()
    again = type(optimizer).from_config(config)
    assert again.get_config() == config
    restored = optimizers.deserialize(optimizers.serialize(optimizer))
    assert type(restored) is type(optimizer)
    assert restored.get_config() == config


@pytest.mark.parametrize("class_name", sorted(optimizer_cases.VARIANTS))
def test_default_config_equals_keras(class_name):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    theirs = getattr(keras.optimizers, class_name)().get_config()
    ours = getattr(optimizers, class_name)().get_config()
    theirs.pop("name"), ours.pop("name")
    assert ours == theirs


@pytest.mark.parametrize(
    "name", ["Adam/schedule", "SGD/nesterov", "Ftrl/regularized", "Muon/plain", "Lion/ema"]
)
def test_configs_cross_load_with_keras(name):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    class_name, kwargs = optimizer_cases.CASES[name]
    ours = optimizer_cases.build_optimizer(optimizers, class_name, kwargs)
    theirs = keras.optimizers.deserialize(optimizers.serialize(ours))
    assert type(theirs).__name__ == class_name
    assert theirs.get_config() == ours.get_config()
    back = optimizers.deserialize(keras.optimizers.serialize(theirs))
    assert back.get_config() == ours.get_config()


def test_serialize_uses_keras_module_and_schedule_configs():
    schedule = schedules.ExponentialDecay(0.1, 10, 0.9)
    config = optimizers.serialize(optimizers.SGD(learning_rate=schedule))
    assert config["module"] == "keras.optimizers" and config["class_name"] == "SGD"
    assert config["config"]["learning_rate"] == {
        "module": "keras.optimizers.schedules",
        "class_name": "ExponentialDecay",
        "config": schedule.get_config(),
        "registered_name": None,
    }
    restored = optimizers.deserialize(config)
    assert isinstance(restored._learning_rate, schedules.ExponentialDecay)


def test_default_names_follow_keras():
    assert [optimizers.Adam().name, optimizers.Adam().name] == ["adam", "adam_1"]
    assert optimizers.RMSprop().name == "rm_sprop" and optimizers.AdamW().name == "adam_w"


# ---- get ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["adam", "Adam", "ADAM", "rmsprop", "RMSprop", "sgd", "adamw"])
def test_get_ignores_case(name):
    optimizer = optimizers.get(name)
    assert type(optimizer).__name__.lower() == name.lower()


def test_get_passes_instances_and_configs():
    adam = optimizers.Adam()
    assert optimizers.get(adam) is adam
    torch_optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=0.1)
    assert optimizers.get(torch_optimizer) is torch_optimizer
    assert optimizers.get(None) is None
    built = optimizers.get({"class_name": "rmsprop", "config": {"rho": 0.5}})
    assert isinstance(built, optimizers.RMSprop) and built.rho == 0.5


def test_get_unknown_name_suggests():
    with pytest.raises(ValueError, match="Did you mean 'adam'"):
        optimizers.get("adamm")
    with pytest.raises(ValueError, match="Could not interpret"):
        optimizers.get(3)


# ---- learning rate and iterations --------------------------------------------------------------
def test_learning_rate_set_as_float_in_place():
    optimizer = optimizers.Adam(learning_rate=0.01)
    tensor = optimizer.learning_rate
    assert tensor.dtype == torch.float32 and float(tensor) == pytest.approx(0.01)
    optimizer.learning_rate = 0.5
    assert optimizer.learning_rate is tensor and float(tensor) == 0.5
    assert optimizer.variables[1] is tensor
    assert optimizer.get_config()["learning_rate"] == 0.5


def test_learning_rate_set_as_schedule():
    optimizer = optimizers.SGD(learning_rate=0.1)
    variable = torch.nn.Parameter(torch.ones(3))
    optimizer.learning_rate = schedules.PiecewiseConstantDecay([1], [1.0, 0.5])
    assert len(optimizer.variables) == 1  # only iterations: no learning-rate tensor any more
    for expected in (1.0, 1.0, 0.5):
        assert float(optimizer.learning_rate) == expected
        optimizer.apply([torch.ones(3)], [variable])
    np.testing.assert_allclose(variable.detach().numpy(), 1 - (1.0 + 1.0 + 0.5), rtol=1e-6)


def test_learning_rate_of_a_schedule_is_not_settable_to_a_float():
    optimizer = optimizers.Adam(learning_rate=schedules.CosineDecay(0.1, 10))
    with pytest.raises(TypeError, match="not settable"):
        optimizer.learning_rate = 0.1


def test_learning_rate_rejects_strings():
    with pytest.raises(ValueError, match="should be float"):
        optimizers.Adam(learning_rate="fast")


def test_iterations_count_updates():
    optimizer = optimizers.Adam()
    variable = torch.nn.Parameter(torch.ones(2))
    assert optimizer.iterations.dtype == torch.int64 and int(optimizer.iterations) == 0
    counter = None
    for step in range(3):
        optimizer.apply([torch.ones(2)], [variable])
        counter = counter if counter is not None else optimizer.iterations
        assert optimizer.iterations is counter and int(counter) == step + 1


def test_iterations_with_accumulation_count_real_updates():
    optimizer = optimizers.SGD(gradient_accumulation_steps=3)
    variable = torch.nn.Parameter(torch.ones(2))
    for _ in range(7):
        optimizer.apply([torch.ones(2)], [variable])
    assert int(optimizer.iterations) == 2 and int(optimizer._iterations) == 7
