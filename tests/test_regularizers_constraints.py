"""Regularizers and constraints: configs, bounds, errors (values vs Keras: compat/test_*.py)."""

import json
import os
import pathlib

import numpy as np
import pytest
import torch

from torchkeras import config, constraints, regularizers

ROOT = pathlib.Path(__file__).resolve().parents[1]
with np.load(ROOT / "compat" / "references" / "bottom.npz") as _data:
    REFS = dict(_data)
CASES = json.loads(str(REFS["cases"]))
MODULES = {"regularizers": regularizers, "constraints": constraints}
FAMILY_CASES = [(family, key) for family in MODULES for key in sorted(CASES[family])]
REGULARIZER_CLASSES = (
    regularizers.L1,
    regularizers.L2,
    regularizers.L1L2,
    regularizers.OrthogonalRegularizer,
)
CONSTRAINT_CLASSES = (
    constraints.MaxNorm,
    constraints.NonNeg,
    constraints.UnitNorm,
    constraints.MinMaxNorm,
)
DEFAULTS = [(regularizers, cls) for cls in REGULARIZER_CLASSES] + [
    (constraints, cls) for cls in CONSTRAINT_CLASSES
]


@pytest.mark.parametrize("family", sorted(MODULES))
def test_every_keras_name_resolves(family):
    module = MODULES[family]
    for name in CASES["names"][family]:
        assert callable(module.get(name)), name


def test_l2_has_no_half_factor():
    x = torch.tensor([[1.0, -2.0], [3.0, 0.0]])
    torch.testing.assert_close(regularizers.L2(0.5)(x), torch.tensor(7.0))
    torch.testing.assert_close(regularizers.L1(0.5)(x), torch.tensor(3.0))
    torch.testing.assert_close(regularizers.L1L2(0.5, 0.5)(x), torch.tensor(10.0))
    assert regularizers.L1L2()(x).item() == 0.0


def test_regularizers_are_differentiable():
    w = torch.randn(4, 3, requires_grad=True)
    penalty = regularizers.L2(0.1)(w) + regularizers.OrthogonalRegularizer()(w)
    penalty.backward()
    assert w.grad is not None and torch.isfinite(w.grad).all()


def test_constraints_enforce_their_bounds():
    w = torch.randn(6, 5) * 3
    assert (constraints.MaxNorm(1.5)(w).norm(dim=0) <= 1.5 + 1e-5).all()
    torch.testing.assert_close(constraints.UnitNorm(axis=1)(w).norm(dim=1), torch.ones(6))
    norms = constraints.MinMaxNorm(0.5, 2.0)(w).norm(dim=0)
    assert ((norms >= 0.5 - 1e-5) & (norms <= 2.0 + 1e-5)).all()
    assert (constraints.NonNeg()(w) >= 0).all()


def test_constraints_use_config_epsilon():
    zero = torch.zeros(3, 2)
    assert torch.equal(constraints.UnitNorm()(zero), zero)
    previous = config.epsilon()
    try:
        config.set_epsilon(1.0)
        torch.testing.assert_close(constraints.UnitNorm()(torch.ones(1, 1)), torch.tensor([[0.5]]))
    finally:
        config.set_epsilon(previous)


@pytest.mark.parametrize("module, cls", DEFAULTS, ids=lambda v: getattr(v, "__name__", ""))
def test_config_round_trip(module, cls):
    obj = cls()
    clone = cls.from_config(obj.get_config())
    assert clone.get_config() == obj.get_config()
    w = torch.randn(5, 4)
    torch.testing.assert_close(clone(w), obj(w))
    cfg = module.serialize(obj)
    assert cfg == {
        "module": f"keras.{module.__name__.rsplit('.', 1)[-1]}",
        "class_name": cls.__name__,
        "config": obj.get_config(),
        "registered_name": None,
    }
    restored = module.deserialize(json.loads(json.dumps(cfg)))
    assert type(restored) is cls and restored.get_config() == obj.get_config()


@pytest.mark.parametrize(
    "module, name, cls",
    [
        (regularizers, "l1", regularizers.L1),
        (regularizers, "l2", regularizers.L2),
        (regularizers, "l1_l2", regularizers.L1L2),
        (regularizers, "l1l2", regularizers.L1L2),
        (regularizers, "orthogonal_regularizer", regularizers.OrthogonalRegularizer),
        (constraints, "max_norm", constraints.MaxNorm),
        (constraints, "non_neg", constraints.NonNeg),
        (constraints, "unit_norm", constraints.UnitNorm),
        (constraints, "min_max_norm", constraints.MinMaxNorm),
    ],
)
def test_aliases(module, name, cls):
    assert type(module.get(name)) is cls
    assert type(module.deserialize(name)) is cls


def test_get_passes_none_instances_and_callables_through():
    for module in (regularizers, constraints):
        assert module.get(None) is None
    reg = regularizers.L2(0.3)
    assert regularizers.get(reg) is reg
    fn = lambda w: w.abs()  # noqa: E731
    assert constraints.get(fn) is fn
    assert isinstance(constraints.get(constraints.NonNeg), constraints.NonNeg)


@pytest.mark.parametrize(
    "module, bad, good",
    [(regularizers, "l22", "'l2'"), (constraints, "max_nrom", "'max_norm'")],
)
def test_unknown_name_suggests_the_closest(module, bad, good):
    with pytest.raises(ValueError, match="Did you mean") as info:
        module.get(bad)
    assert good in str(info.value)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: regularizers.L1(-0.1), "l1"),
        (lambda: regularizers.L2(float("nan")), "l2"),
        (lambda: regularizers.L1L2(l2="0.1"), "l2"),
        (lambda: regularizers.OrthogonalRegularizer(mode="diagonal"), "mode"),
        (lambda: regularizers.OrthogonalRegularizer()(torch.ones(2, 2, 2)), "rank 2"),
    ],
)
def test_invalid_arguments_raise_value_error(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# Live comparison with real Keras, when it is installed.


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("real Keras is not on its torch backend")
    return keras


@pytest.mark.parametrize("module, cls", DEFAULTS, ids=lambda v: getattr(v, "__name__", ""))
def test_live_default_configs_match_keras(keras, module, cls):
    theirs = getattr(keras, module.__name__.rsplit(".", 1)[-1]).get(cls.__name__).get_config()
    ours = cls().get_config()
    assert sorted(ours) == sorted(theirs)
    for key, value in ours.items():
        # Keras' L1 and OrthogonalRegularizer keep their factor as a float32 tensor.
        expected = pytest.approx(theirs[key], rel=1e-6) if isinstance(value, float) else theirs[key]
        assert value == expected, key
