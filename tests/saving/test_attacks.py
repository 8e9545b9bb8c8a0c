"""Hostile `.keras` (and legacy `.h5`) files: one test per attack class of KERAS_NOTES §3.

Every attack starts from a valid archive written by torchkeras and edits it. Each must raise a
`ValueError` that says what was refused, run no code (no sentinel file, no `marshal`/`pickle`/
process/socket audit event), write nothing anywhere and keep memory bounded. This file covers
code and data reached through configs; `test_attacks_archives.py` covers the containers
(ZIP paths, links and bombs; HDF5 links, external data and shape bombs; truncation).
"""

import io
import json
import os
import pickle
import zipfile

import h5py
import numpy as np
import pytest
import torch

import torchkeras as keras
from tests.saving.attack_helpers import (
    b64,
    bytecode_payload,
    dense_entry,
    edit_weights,
    load,
    no_side_effects,
    pickle_payload,
    refused,
    rewrite,
    run_like_keras,
    save_valid,
    small_model,
    torch_save_payload,
)
from torchkeras.saving import legacy_h5
from torchkeras.saving.keras_file import load_keras_file


def _lambda_model(function):
    inputs = keras.Input((3,))
    outputs = keras.layers.Lambda(function, name="times_two")(inputs)
    return keras.Model(inputs, outputs)


def double(x):
    return x * 2


# ---- the payloads used below really run code when decoded the way Keras does ----------------
def test_payloads_are_live(tmp_path):
    for name, trigger in [
        ("bytecode", lambda path: run_like_keras(bytecode_payload(path))),
        ("pickle", lambda path: pickle.loads(pickle_payload(path))),
        ("torch", lambda path: torch.load(
            io.BytesIO(torch_save_payload(path)), weights_only=False)),
    ]:
        path = tmp_path / name
        trigger(path)
        assert path.exists(), name


def test_valid_archive_loads_without_side_effects(tmp_path, good):
    with no_side_effects(tmp_path):
        model = load(good)
    assert [layer.name for layer in model.layers] == ["dense", "dense_1"]


# ---- CVE-2024-3660: Lambda bytecode ----------------------------------------------------------
@pytest.mark.parametrize("field", ["function", "output_shape", "mask"])
@pytest.mark.parametrize("safe_mode", [True, False])
def test_lambda_bytecode_is_never_decoded(tmp_path, sentinel, field, safe_mode):
    good = save_valid(tmp_path / "lambda.keras", _lambda_model(double))

    def inject(config):
        layer = config["config"]["layers"][1]["config"]
        layer[field] = bytecode_payload(sentinel)

    bad = rewrite(good, tmp_path / "bad.keras", config=inject)
    custom = {} if field == "function" else {"double": double}
    error = refused(tmp_path, bad, "never loads code", custom_objects=custom,
                     safe_mode=safe_mode)
    assert "custom_objects" in str(error)


def test_bytecode_outside_a_lambda_isrefused(tmp_path, good, sentinel):
    def inject(config):
        dense_entry(config)["config"]["activation"] = bytecode_payload(sentinel)
        dense_entry(config, 2)["config"]["kernel_initializer"] = bytecode_payload(sentinel)

    bad = rewrite(good, tmp_path / "bad.keras", config=inject)
    refused(tmp_path, bad, "__lambda__|Unknown|Could not")


# ---- CVE-2025-1550: module + class_name naming arbitrary callables ---------------------------
CALLABLES = [
    {"module": "os", "class_name": "system", "config": {"command": "touch {s}"}},
    {"module": "subprocess", "class_name": "Popen", "config": {"args": ["touch", "{s}"]}},
    {"module": "builtins", "class_name": "eval", "config": {"source": "open('{s}', 'w')"}},
    {"module": "builtins", "class_name": "exec", "config": "open('{s}', 'w')"},
    {"module": "os", "class_name": "system", "registered_name": "os>system", "config": {}},
    {"module": "builtins", "class_name": "function", "config": "eval"},
    {"module": "os", "class_name": "function", "config": "system", "registered_name": "function"},
    {"module": "keras.src.models.functional", "class_name": "__import__", "config": {}},
]


def _fill(entry, sentinel):
    return json.loads(json.dumps(entry).replace("{s}", os.fspath(sentinel)))


@pytest.mark.parametrize("where", ["layer", "activation", "initializer", "loss", "optimizer"])
@pytest.mark.parametrize("entry", CALLABLES, ids=lambda e: f"{e['module']}.{e['config']}"[:40])
def test_module_and_class_name_never_import(tmp_path, good, sentinel, where, entry):
    payload = _fill(entry, sentinel)

    def inject(config):
        if where == "layer":
            config["config"]["layers"][1] = payload
        elif where == "activation":
            dense_entry(config)["config"]["activation"] = payload
        elif where == "initializer":
            dense_entry(config)["config"]["kernel_initializer"] = payload
        else:
            config["compile_config"][where] = payload

    bad = rewrite(good, tmp_path / "bad.keras", config=inject)
    refused(tmp_path, bad, "Could not locate|Unknown|not a class|must name|Could not interpret")


def test_class_names_of_registered_functions_are_not_classes(tmp_path, good):
    def inject(config):
        config["config"]["layers"][1]["class_name"] = "mse"  # a loss function, not a class

    bad = rewrite(good, tmp_path / "bad.keras", config=inject)
    refused(tmp_path, bad, "not a class with `from_config`")


# ---- CVE-2025-8747: gadget functions (a file downloader used as a Lambda) --------------------
@pytest.mark.parametrize("registered", ["function", "keras.utils>get_file", None])
def test_get_file_gadget_isrefused(tmp_path, sentinel, registered):
    good = save_valid(tmp_path / "lambda.keras", _lambda_model(double))

    def inject(config):
        layer = config["config"]["layers"][1]["config"]
        layer["function"] = {"module": "keras.utils", "class_name": "function",
                             "config": "get_file", "registered_name": registered}
        layer["arguments"] = {"fname": os.fspath(sentinel), "origin": "http://127.0.0.1:9/p",
                              "cache_dir": os.fspath(tmp_path)}

    bad = rewrite(good, tmp_path / "bad.keras", config=inject)
    refused(tmp_path, bad, "only the name 'get_file'", safe_mode=False)


def test_get_file_as_an_activation_isrefused(tmp_path, good):
    def inject(config):
        dense_entry(config)["config"]["activation"] = {
            "module": "keras.utils", "class_name": "function", "config": "get_file"
        }

    bad = rewrite(good, tmp_path / "bad.keras", config=inject)
    refused(tmp_path, bad, "function|get_file")


# ---- CVE-2025-9906: a file switching safe mode off ---------------------------------------------
UNSAFE_KEYS = {"safe_mode": False, "unsafe_deserialization": True,
               "enable_unsafe_deserialization": True}


def test_safe_mode_keys_in_the_file_have_no_effect(tmp_path, sentinel):
    good = save_valid(tmp_path / "lambda.keras", _lambda_model(double))

    def inject(config):
        config.update(UNSAFE_KEYS)
        config["config"].update(UNSAFE_KEYS)
        layer = config["config"]["layers"][1]["config"]
        layer["function"] = bytecode_payload(sentinel)

    metadata = json.dumps({"keras_version": "3.15.1", **UNSAFE_KEYS}).encode()
    bad = rewrite(good, tmp_path / "bad.keras", config=inject,
                  replace={"metadata.json": metadata})
    refused(tmp_path, bad, "never loads code")
    refused(tmp_path, bad, "never loads code", safe_mode=True)


def test_safe_mode_keys_on_a_valid_model_are_ignored(tmp_path, good):
    bad = rewrite(good, tmp_path / "keys.keras", config=lambda config: config.update(UNSAFE_KEYS))
    with no_side_effects(tmp_path):
        load(bad)


def test_a_lambda_enabling_unsafe_mode_first_isrefused(tmp_path, sentinel):
    """The CVE-2025-9906 chain: layer 1 calls `enable_unsafe_deserialization`, layer 2 is code."""
    inputs = keras.Input((3,))
    hidden = keras.layers.Lambda(double, name="enable")(inputs)
    model = keras.Model(inputs, keras.layers.Lambda(double, name="payload")(hidden))
    good = save_valid(tmp_path / "chain.keras", model)

    def inject(config):
        layers = config["config"]["layers"]
        layers[1]["config"]["function"] = {
            "module": "keras.config", "class_name": "function",
            "config": "enable_unsafe_deserialization", "registered_name": "function"}
        layers[2]["config"]["function"] = bytecode_payload(sentinel)

    bad = rewrite(good, tmp_path / "bad.keras", config=inject)
    refused(tmp_path, bad, "enable_unsafe_deserialization")
    # Even with the gadget supplied by name, the bytecode layer stays refused.
    refused(tmp_path, bad, "Python bytecode", custom_objects={"enable": double})


# ---- CVE-2025-9905: legacy .h5 ignoring safe mode --------------------------------------------
@pytest.mark.parametrize("safe_mode", [True, False])
def test_legacy_h5_lambda_bytecode_isrefused(tmp_path, sentinel, safe_mode):
    path = tmp_path / "m.h5"
    legacy_h5.save_legacy_h5(_lambda_model(double), path)
    with h5py.File(path, "r+") as h5:
        config = json.loads(h5.attrs["model_config"])
        config["config"]["layers"][1]["config"]["function"] = bytecode_payload(sentinel)
        h5.attrs["model_config"] = json.dumps(config)
    with no_side_effects(tmp_path, [sentinel]):
        with pytest.raises(ValueError, match="never loads code"):
            load(path, safe_mode=safe_mode)


def test_legacy_h5_unknown_module_class_isrefused(tmp_path, sentinel):
    path = tmp_path / "m.h5"
    legacy_h5.save_legacy_h5(small_model(), path)
    with h5py.File(path, "r+") as h5:
        config = json.loads(h5.attrs["model_config"])
        config["config"]["layers"][1] = _fill(CALLABLES[0], sentinel)
        h5.attrs["model_config"] = json.dumps(config)
    with no_side_effects(tmp_path):
        with pytest.raises(ValueError, match="Could not locate"):
            load(path)


# ---- CVE-2025-49655: pickled modules and payloads --------------------------------------------
@pytest.mark.parametrize("encode", [torch_save_payload, pickle_payload])
def test_pickled_torch_module_in_config_is_never_unpickled(tmp_path, sentinel, encode):
    model = keras.Sequential([keras.Input((4,)), keras.layers.TorchModuleWrapper(
        torch.nn.Linear(4, 2), name="wrapped")])
    good = save_valid(tmp_path / "wrapped.keras", model)

    def inject(config):
        config["config"]["layers"][1]["config"]["module"] = b64(encode(sentinel))

    bad = rewrite(good, tmp_path / "bad.keras", config=inject)
    refused(tmp_path, bad, "never unpickles", safe_mode=False)


def test_pickle_members_are_never_read(tmp_path, good, sentinel):
    payload = pickle_payload(sentinel)
    unexpected = rewrite(good, tmp_path / "a.keras", extra=[("model.pkl", payload)])
    refused(tmp_path, unexpected, "unexpected member 'model.pkl'")
    as_weights = rewrite(good, tmp_path / "b.keras", replace={"model.weights.h5": payload})
    refused(tmp_path, as_weights, "not a readable HDF5 file")
    as_config = rewrite(good, tmp_path / "c.keras", replace={"config.json": payload})
    refused(tmp_path, as_config, "not valid JSON")
    in_assets = rewrite(good, tmp_path / "d.keras", extra=[("assets/model.pkl", payload)])
    with no_side_effects(tmp_path):  # assets are never read: the model loads, nothing runs
        load(in_assets)


def test_pickled_dataset_in_weights_isrefused(tmp_path, good, sentinel):
    def opaque(group):
        group.create_dataset("0", data=np.void(pickle_payload(sentinel)))

    bad = edit_weights(good, tmp_path / "bad.keras", opaque)
    refused(tmp_path, bad, "only numeric arrays are read")


# ---- CVE-2025-12058: paths and URLs read at load time ----------------------------------------
@pytest.mark.parametrize("layer", ["StringLookup", "TextVectorization", "IntegerLookup"])
def test_vocabulary_path_is_never_opened(tmp_path, good, layer):
    secret = tmp_path / "secret.txt"
    secret.write_text("password\n")

    def inject(config):
        config["config"]["layers"][1] = {
            "module": "keras.layers", "class_name": layer, "registered_name": None,
            "config": {"name": "lookup", "vocabulary": os.fspath(secret)}}
        dense_entry(config, 2)["config"]["vocabulary"] = "https://example.com/vocab.txt"

    bad = rewrite(good, tmp_path / "bad.keras", config=inject)
    refused(tmp_path, bad, "vocabulary file outside of the model archive", forbidden=[secret])


def test_path_in_a_known_layer_config_isrefused(tmp_path, good):
    secret = tmp_path / "secret.txt"
    secret.write_text("password\n")
    bad = rewrite(good, tmp_path / "bad.keras", config=lambda config: dense_entry(config)[
        "config"].update(vocabulary=os.fspath(secret), weights="http://127.0.0.1:9/w.h5"))
    # Keras raises ValueError here; torchkeras' Layer raises TypeError (reported, not ours).
    with no_side_effects(tmp_path, [secret]):
        with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
            load(bad)


# ---- Lambda loads only with the caller's function ---------------------------------------------
def test_lambda_model_loads_only_with_the_callers_function(tmp_path):
    model = _lambda_model(double)
    path = save_valid(tmp_path / "lambda.keras", model)
    error = refused(tmp_path, path, "only the name 'double'")
    assert "custom_objects={'double': my_function}" in str(error)
    with no_side_effects(tmp_path):
        loaded = load(path, custom_objects={"double": double})
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_keras_lambda_bytecode_loads_with_the_callers_function_instead(tmp_path, sentinel):
    """A Keras-written lambda (bytecode) loads when the caller passes a function under the
    layer's name; the bytecode is never decoded."""
    path = save_valid(tmp_path / "lambda.keras", _lambda_model(double))

    def inject(config):
        config["config"]["layers"][1]["config"]["function"] = bytecode_payload(sentinel)

    bad = rewrite(path, tmp_path / "keras.keras", config=inject)
    with no_side_effects(tmp_path, [sentinel]):
        loaded = load_keras_file(bad, custom_objects={"times_two": lambda x: x + 1})
    x = np.ones((1, 3), "float32")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), x + 1)


def test_a_config_declaring_a_huge_layer_fails_before_allocating(tmp_path):
    """A config whose layers declare far more weights than the file holds is refused early."""
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    path = tmp_path / "small.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    config["config"]["layers"][1]["config"]["units"] = 10**9
    members["config.json"] = json.dumps(config).encode()
    bomb = tmp_path / "huge.keras"
    with zipfile.ZipFile(bomb, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(ValueError, match="more weights than the file"):
        keras.models.load_model(bomb)
