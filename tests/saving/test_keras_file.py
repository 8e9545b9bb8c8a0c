"""`.keras` archives: round trips, resumed training, files written by real Keras, and safety."""

import importlib
import os
import pathlib
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import torchkeras as keras

from compat.keras_file_cases import CASES
from torchkeras.saving import keras_file, weights_h5

REFERENCES = pathlib.Path(__file__).resolve().parents[2] / "compat" / "references" / "keras_files"


def trained(name):
    build, data = CASES[name]
    model = build(keras)
    x, y = data()
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    return model, x, y


def _as_list(outputs):
    return outputs if isinstance(outputs, list) else [outputs]


@pytest.mark.parametrize("name", sorted(CASES))
def test_round_trip_predicts_and_resumes_training_identically(tmp_path, name):
    model, x, y = trained(name)
    path = tmp_path / "model.keras"
    model.save(path)
    assert sorted(zipfile.ZipFile(path).namelist()) == [
        "config.json", "metadata.json", "model.weights.h5",
    ]
    loaded = keras.models.load_model(path)
    for got, want in zip(_as_list(loaded.predict(x, verbose=0)), _as_list(model.predict(x, verbose=0))):
        np.testing.assert_array_equal(got, want)
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations)
    keras.utils.set_random_seed(1)  # the same dropout masks for both runs
    resumed = loaded.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0).history
    keras.utils.set_random_seed(1)
    original = model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0).history
    assert resumed == original


def test_round_trip_in_a_fresh_process(tmp_path):
    model, x, _ = trained("news")
    path = tmp_path / "news.keras"
    model.save(path)
    np.save(tmp_path / "x0.npy", x[0])
    np.save(tmp_path / "x1.npy", x[1])
    np.save(tmp_path / "expected.npy", model.predict(x, verbose=0)[1])
    script = (
        "import numpy as np, sys, torchkeras as keras\n"
        f"d = r'{tmp_path}'\n"
        "m = keras.models.load_model(d + '/news.keras')\n"
        "x = [np.load(d + '/x0.npy'), np.load(d + '/x1.npy')]\n"
        "assert (m.predict(x, verbose=0)[1] == np.load(d + '/expected.npy')).all()\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


@pytest.mark.parametrize("name", sorted(CASES))
def test_files_written_by_keras_load(name):
    model = keras.models.load_model(REFERENCES / f"{name}.keras")
    expected = np.load(REFERENCES / f"{name}.npz")
    x, _ = CASES[name][1]()
    for index, got in enumerate(_as_list(model.predict(x, verbose=0))):
        np.testing.assert_allclose(got, expected[f"prediction_{index}"], rtol=1e-6, atol=1e-6)


def test_compile_false_and_save_weights_variants(tmp_path):
    model, x, _ = trained("sequential")
    model.save(tmp_path / "m.keras")
    plain = keras.models.load_model(tmp_path / "m.keras", compile=False)
    assert not plain.compiled
    fresh = keras.models.clone_model(model)
    fresh.load_weights(tmp_path / "m.keras")
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), model.predict(x, verbose=0))
    for suffix in (".weights.h5", ".safetensors"):
        model.save_weights(tmp_path / f"w{suffix}")
        other = keras.models.clone_model(model)
        other.load_weights(tmp_path / f"w{suffix}")
        np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))


def test_bad_names_and_overwrite(tmp_path):
    model, _, _ = trained("sequential")
    with pytest.raises(ValueError, match="Invalid filepath extension"):
        model.save(tmp_path / "model.pt")
    with pytest.raises(ValueError, match="must end in"):
        model.save_weights(tmp_path / "weights.bin")
    model.save(tmp_path / "m.keras")
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "m.keras", overwrite=False)


def _rewrite(source, target, extra):
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as archive:
        for info in original.infolist():
            archive.writestr(info, original.read(info))
        for name, data, attr in extra:
            info = zipfile.ZipInfo(name)
            info.external_attr = attr
            archive.writestr(info, data)


@pytest.mark.parametrize(
    "name, attr, message",
    [
        ("../escape.txt", 0, "unexpected member"),
        ("assets/../../escape.txt", 0, "unsafe path"),
        ("assets/link", (0o120777 << 16), "symbolic link"),
    ],
)
def test_malicious_archives_are_refused(tmp_path, name, attr, message):
    model, _, _ = trained("sequential")
    model.save(tmp_path / "good.keras")
    _rewrite(tmp_path / "good.keras", tmp_path / "bad.keras", [(name, b"x", attr)])
    with pytest.raises(ValueError, match=message):
        keras.models.load_model(tmp_path / "bad.keras")


def test_zip_bomb_is_refused(tmp_path):
    model, _, _ = trained("sequential")
    model.save(tmp_path / "good.keras")
    with zipfile.ZipFile(tmp_path / "good.keras") as original:
        members = {info.filename: original.read(info) for info in original.infolist()}
    with zipfile.ZipFile(tmp_path / "bomb.keras", "w", compression=zipfile.ZIP_DEFLATED) as bomb:
        for name, data in members.items():
            bomb.writestr(name, data)
        bomb.writestr("assets/zeros", b"\0" * 10_000_000)
    with pytest.raises(ValueError, match="zip bomb"):
        keras.models.load_model(tmp_path / "bomb.keras")


def test_a_failed_save_keeps_the_previous_file(tmp_path, monkeypatch):
    model, _, _ = trained("sequential")
    path = tmp_path / "m.keras"
    model.save(path)
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(keras_file, "serialize_keras_object", broken)
    with pytest.raises(RuntimeError):
        model.save(path)
    monkeypatch.undo()
    monkeypatch.setattr(weights_h5, "_to_numpy", broken)
    with pytest.raises(RuntimeError):
        model.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.keras"]


def test_keras_loads_torchkeras_archives(tmp_path):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        real = importlib.import_module("keras")
    except ImportError:
        pytest.skip("real Keras is not installed")
    for name in sorted(CASES):
        model, x, y = trained(name)
        model.save(tmp_path / f"{name}.keras")
        theirs = real.models.load_model(tmp_path / f"{name}.keras")
        for got, want in zip(
            _as_list(theirs.predict(x, verbose=0)), _as_list(model.predict(x, verbose=0))
        ):
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
        assert int(theirs.optimizer.iterations) == int(model.optimizer.iterations)
