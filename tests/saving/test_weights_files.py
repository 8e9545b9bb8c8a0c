"""`.weights.h5` (Keras layout) and `.safetensors` weight files: round trips and mismatches.

Hostile files and interrupted writes: `test_weights_safety.py`; real Keras and the committed
Keras-written files: `test_weights_keras.py`.
"""

import h5py
import numpy as np
import pytest
from safetensors import safe_open

import torchkeras
from torchkeras.saving import (
    load_weights_h5,
    load_weights_safetensors,
    save_weights_h5,
    save_weights_safetensors,
)
from weights_cases import CASES, predict, randomize

CASE_IDS = [case.name for case in CASES]


def _built(case, seed=0):
    torchkeras.utils.clear_session()
    model = case.build(torchkeras)
    randomize(model, np.random.default_rng(seed))
    return model


def _assert_same_weights(a, b):
    for x, y in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(x, y)


def _small_sequential(units=3):
    return torchkeras.Sequential([torchkeras.Input((4,)), torchkeras.layers.Dense(units)])


# ---- round trips within torchkeras -----------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("fmt", ["h5", "safetensors"])
def test_round_trip_gives_identical_predictions(case, fmt, tmp_path):
    saver, loader = {
        "h5": (save_weights_h5, load_weights_h5),
        "safetensors": (save_weights_safetensors, load_weights_safetensors),
    }[fmt]
    source, target = _built(case, seed=1), _built(case, seed=2)
    path = tmp_path / f"model.{'weights.h5' if fmt == 'h5' else 'safetensors'}"
    saver(source, path)
    loader(target, path)
    _assert_same_weights(source, target)
    inputs = case.inputs(np.random.default_rng(3))
    for a, b in zip(predict(source, inputs), predict(target, inputs), strict=True):
        np.testing.assert_array_equal(a, b)


def test_safetensors_keys_are_state_dict_names(tmp_path):
    model = _built(CASES[0])
    save_weights_safetensors(model, tmp_path / "m.safetensors")
    with safe_open(str(tmp_path / "m.safetensors"), framework="pt") as file:
        assert sorted(file.keys()) == sorted(model.state_dict())
    assert "layers.0.kernel" in model.state_dict()


def test_h5_layout_of_a_sequential_model(tmp_path):
    model = _built(CASES[0])
    save_weights_h5(model, tmp_path / "m.weights.h5")
    with h5py.File(tmp_path / "m.weights.h5", "r") as h5:
        assert dict(h5.attrs) == {}
        assert h5["vars"].attrs["name"] == model.name
        assert h5["layers/dense_1/vars"].attrs["name"] == model.layers[2].name
        assert h5["layers/dropout/vars"].keys() == set()
        kernel = model.layers[0].get_weights()[0]
        np.testing.assert_array_equal(h5["layers/dense/vars/0"][()], kernel)


def test_optimizer_state_round_trip(tmp_path):
    x, y = np.ones((4, 4), "float32"), np.zeros((4, 3), "float32")
    source = _small_sequential()
    source.compile(optimizer="adam", loss="mse")
    source.fit(x, y, epochs=2, verbose=0)
    save_weights_h5(source, tmp_path / "m.weights.h5")
    with h5py.File(tmp_path / "m.weights.h5", "r") as h5:
        assert sorted(h5["optimizer/vars"], key=int) == [str(i) for i in range(6)]
    target = _small_sequential()
    target.compile(optimizer="adam", loss="mse")
    target.optimizer.build(target.trainable_weights)
    load_weights_h5(target, tmp_path / "m.weights.h5")
    for a, b in zip(source.optimizer.variables, target.optimizer.variables, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    _assert_same_weights(source, target)


def test_optimizer_state_with_another_variable_count_is_skipped_with_a_warning(tmp_path):
    source = _small_sequential()
    source.compile(optimizer="adam", loss="mse")
    source.fit(np.ones((4, 4), "float32"), np.zeros((4, 3), "float32"), verbose=0)
    save_weights_h5(source, tmp_path / "m.weights.h5")
    target = _small_sequential()
    target.compile(optimizer="adam", loss="mse")  # not built: 2 variables, the file has 6
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer"):
        load_weights_h5(target, tmp_path / "m.weights.h5")
    _assert_same_weights(source, target)


# ---- mismatches ----------------------------------------------------------------------------
def test_h5_mismatch_lists_every_weight_and_leaves_the_model_unchanged(tmp_path):
    save_weights_h5(_small_sequential(3), tmp_path / "m.weights.h5")
    target = torchkeras.Sequential(
        [torchkeras.Input((4,)), torchkeras.layers.Dense(5), torchkeras.layers.Dense(2)]
    )
    before = target.get_weights()
    with pytest.raises(ValueError) as info:
        load_weights_h5(target, tmp_path / "m.weights.h5")
    message = str(info.value)
    assert "layers/dense/vars/0" in message and "(4, 5)" in message and "(4, 3)" in message
    assert "layers/dense/vars/1" in message
    assert "layers/dense_1/vars/0" in message and "missing from the file" in message
    for a, b in zip(before, target.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_h5_weights_in_the_file_but_not_in_the_model_are_reported(tmp_path):
    two = torchkeras.Sequential(
        [torchkeras.Input((4,)), torchkeras.layers.Dense(3), torchkeras.layers.Dense(2)]
    )
    save_weights_h5(two, tmp_path / "m.weights.h5")
    with pytest.raises(ValueError, match="layers/dense_1/vars/0: in the file"):
        load_weights_h5(_small_sequential(3), tmp_path / "m.weights.h5")


def test_h5_skip_mismatch_warns_and_loads_the_rest(tmp_path):
    source = torchkeras.Sequential(
        [torchkeras.Input((4,)), torchkeras.layers.Dense(3), torchkeras.layers.Dense(2)]
    )
    save_weights_h5(source, tmp_path / "m.weights.h5")
    torchkeras.utils.clear_session()
    target = torchkeras.Sequential(
        [torchkeras.Input((4,)), torchkeras.layers.Dense(3), torchkeras.layers.Dense(7)]
    )
    kept = target.layers[1].get_weights()
    with pytest.warns(UserWarning, match="layers/dense_1/vars/0"):
        load_weights_h5(target, tmp_path / "m.weights.h5", skip_mismatch=True)
    _assert_same_weights(source.layers[0], target.layers[0])
    for a, b in zip(kept, target.layers[1].get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_h5_unbuilt_model_is_refused(tmp_path):
    save_weights_h5(_small_sequential(), tmp_path / "m.weights.h5")
    unbuilt = torchkeras.Sequential([torchkeras.layers.Dense(3)])
    with pytest.raises(ValueError, match="not yet been built"):
        load_weights_h5(unbuilt, tmp_path / "m.weights.h5")


def test_safetensors_mismatch_lists_missing_unexpected_and_shapes(tmp_path):
    source = torchkeras.Sequential(
        [torchkeras.Input((4,)), torchkeras.layers.Dense(3), torchkeras.layers.Dense(2)]
    )
    save_weights_safetensors(source, tmp_path / "m.safetensors")
    target = torchkeras.Sequential(
        [torchkeras.Input((4,)), torchkeras.layers.Dense(5, use_bias=False)]
    )
    with pytest.raises(ValueError) as info:
        load_weights_safetensors(target, tmp_path / "m.safetensors")
    message = str(info.value)
    assert "shape mismatch for layers.0.kernel: model expects (4, 5), file has (4, 3)" in message
    assert "in the file but not in the model: layers.0.bias" in message
    assert "in the file but not in the model: layers.1.kernel" in message
    source_only = torchkeras.Sequential([torchkeras.Input((4,)), torchkeras.layers.Dense(3)])
    save_weights_safetensors(source_only, tmp_path / "one.safetensors")
    with pytest.raises(ValueError, match="missing from the file: layers.1.kernel"):
        load_weights_safetensors(source, tmp_path / "one.safetensors")


def test_safetensors_skip_mismatch_loads_the_matching_keys(tmp_path):
    source = torchkeras.Sequential(
        [torchkeras.Input((4,)), torchkeras.layers.Dense(3), torchkeras.layers.Dense(2)]
    )
    save_weights_safetensors(source, tmp_path / "m.safetensors")
    target = torchkeras.Sequential(
        [torchkeras.Input((4,)), torchkeras.layers.Dense(3), torchkeras.layers.Dense(6)]
    )
    with pytest.warns(UserWarning, match="layers.1.kernel"):
        load_weights_safetensors(target, tmp_path / "m.safetensors", skip_mismatch=True)
    _assert_same_weights(source.layers[0], target.layers[0])
