"""Legacy `.h5` model files: round trips, Keras 3 both ways, tf.keras 2 files, and safety."""

import importlib
import json
import os
import pathlib

import h5py
import numpy as np
import pytest

import torchkeras as keras
from compat import make_legacy_references as refs
from compat.keras_file_cases import CASES
from torchkeras.saving import h5_safety, legacy_h5
from torchkeras.saving.legacy_h5 import load_legacy_h5, load_legacy_weights, save_legacy_h5

REFERENCES = pathlib.Path(__file__).resolve().parents[2] / "compat" / "references" / "legacy"


def nested(module):
    """A Sequential and a functional sub-model inside a functional model."""
    module.backend.clear_session()
    block = module.Sequential(
        [module.Input((6,)), module.layers.Dense(5, activation="relu"), module.layers.Dense(4)],
        name="block",
    )
    sub_in = module.Input((4,), name="sub_in")
    sub = module.Model(sub_in, module.layers.Dense(3, name="sub_dense")(sub_in), name="sub")
    inputs = module.Input((6,), name="features")
    outputs = module.layers.Dense(2, name="head")(sub(block(inputs)))
    model = module.Model(inputs, outputs)
    model.compile(optimizer=module.optimizers.SGD(0.05, momentum=0.9), loss="mse")
    return model


def nested_data(seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((16, 6), dtype=np.float32), rng.random((16, 2), dtype=np.float32)


ALL_CASES = {**CASES, "nested": (nested, nested_data)}


def trained(name):
    build, data = ALL_CASES[name]
    model = build(keras)
    x, y = data()
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    return model, x, y


def as_list(outputs):
    return outputs if isinstance(outputs, list) else [outputs]


def predictions(model, x):
    return as_list(model.predict(x, verbose=0))


def real_keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        return importlib.import_module("keras")
    except ImportError:
        pytest.skip("real Keras is not installed")


@pytest.mark.parametrize("name", sorted(ALL_CASES))
def test_round_trip_predicts_and_resumes_training_identically(tmp_path, name):
    model, x, y = trained(name)
    save_legacy_h5(model, tmp_path / "model.h5")
    loaded = load_legacy_h5(tmp_path / "model.h5")
    for got, want in zip(predictions(loaded, x), predictions(model, x)):
        np.testing.assert_array_equal(got, want)
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations)
    for got, want in zip(loaded.optimizer.variables, model.optimizer.variables):
        np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
    keras.utils.set_random_seed(7)  # the same Dropout masks for both
    resumed = loaded.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0).history
    keras.utils.set_random_seed(7)
    original = model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0).history
    assert resumed == original
    for got, want in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_seed_script_pattern(tmp_path):
    model, x, _ = trained("sequential")
    expected = model.predict(x, verbose=0)
    filename = str(tmp_path / "my_model.h5")
    save_legacy_h5(model, filename)
    del model
    model = load_legacy_h5(filename)
    np.testing.assert_array_equal(model.predict(x, verbose=0), expected)


def test_layout_matches_keras(tmp_path):
    model, _, _ = trained("sequential")
    save_legacy_h5(model, tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "r") as h5:
        assert set(h5.attrs) == {"backend", "keras_version", "model_config", "training_config"}
        assert sorted(h5) == ["model_weights", "optimizer_weights"]
        config = json.loads(h5.attrs["model_config"])
        assert sorted(config) == ["class_name", "config"] and config["class_name"] == "Sequential"
        entries = [sorted(layer) for layer in config["config"]["layers"]]
        assert entries == [["class_name", "config"]] * 4
        training = json.loads(h5.attrs["training_config"])
        assert training["optimizer_config"]["class_name"] == "RMSprop"
        assert training["loss"] == "sparse_categorical_crossentropy"
        weights = h5["model_weights"]
        assert list(weights.attrs["layer_names"]) == ["dense", "dropout", "dense_1"]
        assert list(weights["dense"].attrs["weight_names"]) == [
            "sequential/dense/kernel", "sequential/dense/bias",
        ]
        assert weights["dense/sequential/dense/kernel"].shape == (8, 16)
        assert weights["dropout"].attrs["weight_names"].shape == (0,)
        assert weights["top_level_model_weights"].attrs["weight_names"].shape == (0,)
        names = list(h5["optimizer_weights"].attrs["weight_names"])
        assert names[:2] == ["rm_sprop/iteration", "rm_sprop/learning_rate"] and len(names) == 6


def test_without_optimizer_and_without_compiling(tmp_path):
    model, x, _ = trained("news")
    save_legacy_h5(model, tmp_path / "plain.h5", include_optimizer=False)
    with h5py.File(tmp_path / "plain.h5", "r") as h5:
        assert "training_config" not in h5.attrs and "optimizer_weights" not in h5
    assert not load_legacy_h5(tmp_path / "plain.h5").compiled
    save_legacy_h5(model, tmp_path / "full.h5")
    plain = load_legacy_h5(tmp_path / "full.h5", compile=False)
    assert not plain.compiled
    for got, want in zip(plain.predict(x, verbose=0), model.predict(x, verbose=0)):
        np.testing.assert_array_equal(got, want)


def test_untrained_compiled_model_round_trips(tmp_path):
    model = CASES["sequential"][0](keras)
    model.build((None, 8))
    save_legacy_h5(model, tmp_path / "m.h5")
    loaded = load_legacy_h5(tmp_path / "m.h5")
    assert loaded.compiled and int(loaded.optimizer.iterations) == 0


def test_load_weights_by_layer_name_and_mismatches(tmp_path):
    model, x, _ = trained("news")
    save_legacy_h5(model, tmp_path / "m.h5")
    fresh = keras.models.clone_model(model)
    load_legacy_weights(fresh, tmp_path / "m.h5")
    for got, want in zip(fresh.predict(x, verbose=0), model.predict(x, verbose=0)):
        np.testing.assert_array_equal(got, want)
    other = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, name="dense"),
                              keras.layers.Dense(4, name="dense_1")])
    save_legacy_h5(other, tmp_path / "other.h5")
    target, _, _ = trained("sequential")
    with pytest.raises(ValueError, match=r"dense_1/kernel: expected shape \(16, 3\)"):
        load_legacy_weights(target, tmp_path / "other.h5")
    before = [w.copy() for w in target.get_weights()]  # get_weights() shares memory
    with pytest.warns(UserWarning, match="skipped"):
        load_legacy_weights(target, tmp_path / "other.h5", skip_mismatch=True)
    after = target.get_weights()
    assert not np.array_equal(after[0], before[0])  # dense loaded
    np.testing.assert_array_equal(after[2], before[2])  # dense_1 kept


def test_a_failed_save_keeps_the_previous_file(tmp_path, monkeypatch):
    model, _, _ = trained("sequential")
    path = tmp_path / "m.h5"
    save_legacy_h5(model, path)
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(legacy_h5, "_to_numpy", broken)
    with pytest.raises(RuntimeError):
        save_legacy_h5(model, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.h5"]


# ---- real Keras 3 ----------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(ALL_CASES))
def test_files_written_by_keras_load(tmp_path, name):
    real = real_keras()
    build, data = ALL_CASES[name]
    theirs = build(real)
    x, y = data()
    theirs.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    theirs.save(tmp_path / "theirs.h5")
    ours = load_legacy_h5(tmp_path / "theirs.h5")
    for got, want in zip(predictions(ours, x), predictions(theirs, x)):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    assert ours.compiled and int(ours.optimizer.iterations) == int(theirs.optimizer.iterations)
    for got, want in zip(ours.optimizer.variables, theirs.optimizer.variables):
        np.testing.assert_allclose(got.detach().numpy(), np.asarray(want), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", sorted(ALL_CASES))
def test_keras_loads_torchkeras_files(tmp_path, name):
    real = real_keras()
    model, x, _ = trained(name)
    save_legacy_h5(model, tmp_path / "ours.h5")
    # Keras 3.15.1 cannot compile its own legacy files whose loss is "mse" (looked up as
    # `keras.metrics.mse`, "not a KerasSaveable subclass"); they load with compile=False only.
    compiles = name == "sequential"
    theirs = real.models.load_model(tmp_path / "ours.h5", compile=compiles)
    for got, want in zip(predictions(theirs, x), predictions(model, x)):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    if compiles:
        assert int(theirs.optimizer.iterations) == int(model.optimizer.iterations)


# ---- tf.keras 2 files ------------------------------------------------------------------
def _tf2_inputs(data):
    return data["x"] if "x" in data else [data["x0"], data["x1"], data["x2"]]


@pytest.mark.filterwarnings("ignore:.*tf.keras 2 optimizer state")
@pytest.mark.parametrize("name", ["tf2_sequential", "tf2_functional"])
def test_committed_tf2_files_load(name):
    model = load_legacy_h5(REFERENCES / f"{name}.h5")
    data = np.load(REFERENCES / f"{name}.npz")
    for index, got in enumerate(as_list(model.predict(_tf2_inputs(data), verbose=0))):
        np.testing.assert_allclose(got, data[f"prediction_{index}"], rtol=1e-6, atol=1e-6)
    assert model.compiled


def test_tf2_sequential_conventions(tmp_path):
    x, expected = refs.write_tf2_sequential(tmp_path / "seq.h5")
    with pytest.warns(UserWarning, match="tf.keras 2 optimizer state"):
        model = load_legacy_h5(tmp_path / "seq.h5")
    assert [layer.name for layer in model.layers] == ["dense", "dropout", "dense_1"]
    assert model.inputs[0].shape == (None, 8)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-6, atol=1e-6)
    assert type(model.optimizer).__name__ == "RMSprop" and int(model.optimizer.iterations) == 0
    y = np.arange(len(x)) % 3
    history = model.fit(x, y, epochs=1, verbose=0).history
    assert set(history) == {"loss", "accuracy"}


def test_tf2_functional_conventions(tmp_path):
    x, expected = refs.write_tf2_functional(tmp_path / "func.h5")
    model = load_legacy_h5(tmp_path / "func.h5")
    shared = model.get_layer("shared")
    assert len(shared._inbound_nodes) == 2  # one layer called on two inputs
    for got, want in zip(model.predict(x, verbose=0), expected):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    assert float(model.optimizer.learning_rate) == pytest.approx(5e-4)
    y = [np.zeros((5, 1), np.float32), np.eye(5, dtype=np.float32)]
    assert "priority_mae" in model.fit(x, y, epochs=1, verbose=0).history


def test_tf2_weights_only_file_with_chunked_names(tmp_path):
    model, x, _ = trained("sequential")
    path = tmp_path / "weights.h5"
    with h5py.File(path, "w") as h5:  # tf.keras 2 save_weights: layer groups at the root
        h5.attrs["layer_names0"] = refs._names(["dense", "dropout"])
        h5.attrs["layer_names1"] = refs._names(["dense_1"])
        for layer in model.layers:
            group = h5.create_group(layer.name)
            names = [f"{layer.name}/{k}:0" for k in ("kernel", "bias")][: len(layer.weights)]
            group.attrs["weight_names"] = refs._names(names)
            for name, value in zip(names, layer.get_weights()):
                group.create_dataset(name, data=value)
    fresh = keras.models.clone_model(model)
    load_legacy_weights(fresh, path)
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), model.predict(x, verbose=0))


# ---- safety ------------------------------------------------------------------------------
@pytest.mark.parametrize("keras3", [False, True])
def test_lambda_bytecode_is_refused_without_running(tmp_path, keras3):
    sentinel = tmp_path / "pwned"
    refs.write_lambda_model(tmp_path / "lambda.h5", sentinel, keras3=keras3)
    with pytest.raises(ValueError, match="bytecode"):
        load_legacy_h5(tmp_path / "lambda.h5")
    assert not sentinel.exists()
    model = load_legacy_h5(tmp_path / "lambda.h5", custom_objects={"lambda": lambda t: t * 2})
    assert not sentinel.exists()
    x = np.ones((2, 4), np.float32)
    dense = model.get_layer("dense")
    np.testing.assert_allclose(model.predict(x, verbose=0), 2 * dense(x).detach().numpy(),
                               rtol=1e-6)


@pytest.mark.parametrize("kind", ["soft", "external"])
def test_links_are_refused(tmp_path, kind):
    model, _, _ = trained("sequential")
    path = tmp_path / "m.h5"
    save_legacy_h5(model, path)
    (tmp_path / "other.h5").write_bytes(path.read_bytes())
    with h5py.File(path, "a") as h5:
        group = h5["model_weights/dense/sequential/dense"]
        del group["kernel"]
        if kind == "soft":
            group["kernel"] = h5py.SoftLink("/model_weights/dense_1/sequential/dense_1/kernel")
        else:
            group["kernel"] = h5py.ExternalLink(str(tmp_path / "other.h5"),
                                                "/model_weights/dense/sequential/dense/kernel")
    with pytest.raises(h5_safety.UnsafeH5Error, match="Link"):
        load_legacy_h5(path)


def test_oversized_dataset_is_refused_before_reading(tmp_path):
    model, _, _ = trained("sequential")
    path = tmp_path / "m.h5"
    save_legacy_h5(model, path)
    with h5py.File(path, "a") as h5:
        group = h5["model_weights/dense/sequential/dense"]
        del group["kernel"]
        group.create_dataset("kernel", shape=(50_000, 50_000), dtype="f4")  # 10 GB, unwritten
    with pytest.raises(ValueError, match=r"expected shape \(8, 16\)"):
        load_legacy_h5(path)


def test_unknown_class_and_missing_config(tmp_path):
    path = tmp_path / "bad.h5"
    with h5py.File(path, "w") as h5:
        h5.attrs["keras_version"] = "3.15.1"
        h5.attrs["model_config"] = json.dumps(
            {"class_name": "Sequential", "config": {"name": "s", "layers": [
                {"module": "os", "class_name": "system", "config": {"command": "touch x"}}]}}
        )
    with pytest.raises(ValueError, match="Could not locate class 'system'"):
        load_legacy_h5(path)
    with h5py.File(path, "w") as h5:
        h5.create_group("model_weights")
    with pytest.raises(ValueError, match="No model config"):
        load_legacy_h5(path)
