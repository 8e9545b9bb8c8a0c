"""`.weights.h5` files move between real Keras 3.15.1 and torchkeras, both ways.

Live tests need Keras (torch backend) and skip without it; the Keras-written reference files
in `compat/references/weights/` (from `compat/make_weights_references.py`) are checked always.
"""

import json
import os
from pathlib import Path

import h5py
import numpy as np
import pytest

import torchkeras
from torchkeras.saving import load_weights_h5, save_weights_h5
from torchkeras.saving.h5_safety import index_datasets
from weights_cases import CASES, predict, randomize

REFERENCES = Path(__file__).resolve().parents[2] / "compat" / "references" / "weights"
CASE_IDS = [case.name for case in CASES]
TOLERANCE = dict(rtol=1e-6, atol=1e-6)  # different kernels: outputs agree to ~1 ulp, not bits


def _real_keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip(f"real Keras runs with backend {keras.backend.backend()!r}, not torch")
    return keras


def _build(case, lib, seed):
    lib.utils.clear_session()
    model = case.build(lib)
    randomize(model, np.random.default_rng(seed))
    return model


def _layout(path):
    """`({dataset: shape}, {group paths})` of an HDF5 file."""
    groups = set()
    with h5py.File(path, "r") as h5:
        h5.visititems(lambda name, obj: groups.add(name) if isinstance(obj, h5py.Group) else None)
        return index_datasets(h5), groups


def _assert_same_weights(a, b):
    for x, y in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(x, y)


def _assert_close(outputs, expected):
    for a, b in zip(outputs, expected, strict=True):
        np.testing.assert_allclose(a, b, **TOLERANCE)


# ---- committed references (no Keras needed) ------------------------------------------------
def _reference(case):
    record = json.loads((REFERENCES / "outputs.json").read_text())["cases"][case.name]
    inputs = [np.asarray(x["values"], dtype=x["dtype"]) for x in record["inputs"]]
    outputs = [np.asarray(o, dtype="float32") for o in record["outputs"]]
    return (inputs if record["input_is_list"] else inputs[0]), outputs


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_keras_reference_file_loads_with_keras_outputs(case, tmp_path):
    model = _build(case, torchkeras, seed=99)
    load_weights_h5(model, REFERENCES / f"{case.name}.weights.h5")
    inputs, expected = _reference(case)
    _assert_close(predict(model, inputs), expected)
    save_weights_h5(model, tmp_path / "ours.weights.h5")  # same layout as Keras wrote
    assert _layout(tmp_path / "ours.weights.h5") == _layout(REFERENCES / f"{case.name}.weights.h5")
    with h5py.File(tmp_path / "ours.weights.h5") as ours:
        with h5py.File(REFERENCES / f"{case.name}.weights.h5") as theirs:
            for name in index_datasets(theirs):
                np.testing.assert_array_equal(ours[name][()], theirs[name][()])


# ---- live, with real Keras -----------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_keras_saves_torchkeras_loads(case, tmp_path):
    keras = _real_keras()
    theirs = _build(case, keras, seed=1)
    theirs.save_weights(str(tmp_path / "k.weights.h5"))
    ours = _build(case, torchkeras, seed=2)
    load_weights_h5(ours, tmp_path / "k.weights.h5")
    _assert_same_weights(theirs, ours)
    inputs = case.inputs(np.random.default_rng(3))
    _assert_close(predict(ours, inputs), predict(theirs, inputs))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_torchkeras_saves_keras_loads(case, tmp_path):
    keras = _real_keras()
    ours = _build(case, torchkeras, seed=1)
    save_weights_h5(ours, tmp_path / "t.weights.h5")
    theirs = _build(case, keras, seed=2)
    theirs.save_weights(str(tmp_path / "k.weights.h5"))
    assert _layout(tmp_path / "t.weights.h5") == _layout(tmp_path / "k.weights.h5")
    theirs.load_weights(str(tmp_path / "t.weights.h5"))
    _assert_same_weights(ours, theirs)
    inputs = case.inputs(np.random.default_rng(3))
    _assert_close(predict(theirs, inputs), predict(ours, inputs))


def _trained(lib):
    lib.utils.clear_session()
    model = lib.Sequential([lib.Input((4,)), lib.layers.Dense(3), lib.layers.Dense(2)])
    randomize(model, np.random.default_rng(0))
    model.compile(optimizer=lib.optimizers.Adam(learning_rate=0.01), loss="mse")
    return model


def test_optimizer_state_moves_both_ways(tmp_path):
    keras = _real_keras()
    x = np.random.default_rng(1).standard_normal((8, 4)).astype("float32")
    y = np.random.default_rng(2).standard_normal((8, 2)).astype("float32")
    theirs = _trained(keras)
    theirs.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    theirs.save_weights(str(tmp_path / "k.weights.h5"))
    ours = _trained(torchkeras)
    ours.optimizer.build(ours.trainable_weights)
    load_weights_h5(ours, tmp_path / "k.weights.h5")
    expected = [np.asarray(v.numpy()) for v in theirs.optimizer.variables]
    got = [v.numpy() for v in ours.optimizer.variables]
    assert [tuple(e.shape) for e in expected] == [tuple(g.shape) for g in got]
    for e, g in zip(expected, got):
        np.testing.assert_array_equal(e, g)
    ours.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    save_weights_h5(ours, tmp_path / "t.weights.h5")
    again = _trained(keras)
    again.optimizer.build(again.trainable_variables)
    again.load_weights(str(tmp_path / "t.weights.h5"))
    assert int(again.optimizer.iterations.numpy()) == 6
    for a, b in zip(again.optimizer.variables, ours.optimizer.variables, strict=True):
        np.testing.assert_array_equal(np.asarray(a.numpy()), b.numpy())
