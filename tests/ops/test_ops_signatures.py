"""Every `torchkeras.ops` function has real Keras' name, parameter names, order and defaults."""

import inspect
import os

import pytest

from torchkeras import ops

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

OURS = sorted(
    name
    for name in dir(ops)
    if not name.startswith("_")
    and callable(getattr(ops, name))
    and not inspect.ismodule(getattr(ops, name))
    and hasattr(keras.ops, name)
)


def _parameters(function):
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


def test_enough_ops_are_implemented():
    assert len(OURS) >= 250, f"only {len(OURS)} keras.ops names"


@pytest.mark.parametrize("name", OURS)
def test_signature_matches_keras(name):
    assert _parameters(getattr(ops, name)) == _parameters(getattr(keras.ops, name))


@pytest.mark.parametrize("module", ["numpy", "nn", "linalg"])
def test_submodules_hold_keras_names(module):
    ours, theirs = getattr(ops, module), getattr(keras.ops, module)
    names = {n for n in dir(ours) if not n.startswith("_") and inspect.isfunction(getattr(ours, n))}
    assert names <= set(dir(theirs)), sorted(names - set(dir(theirs)))
