"""The `.keras` archive: a ZIP of `config.json`, `metadata.json` and `model.weights.h5`.

Written so that real Keras 3 loads it, and read from files real Keras wrote. Reading checks
every ZIP member (known names only, bounded sizes, no links) and never runs code: classes
come from torchkeras' registries or the caller's `custom_objects`.
"""

import datetime
import io
import json
import stat
import zipfile

import h5py

from torchkeras.saving.serialization import deserialize_keras_object, serialize_keras_object
from torchkeras.saving.weights_h5 import read_model_weights, write_model_weights
from torchkeras.utils.atomic_io import atomic_write

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"
KERAS_FORMAT_VERSION = "3.15.1"  # the Keras release whose layout these files follow
_MAX_JSON_BYTES = 64 * 2**20
_MAX_WEIGHTS_BYTES = 64 * 2**30
_MAX_RATIO = 200  # uncompressed / compressed size beyond which a member is a zip bomb


def save_keras_file(model, filepath, include_optimizer=True):
    """Writes `model` (config, weights and, if compiled, optimizer state) to a `.keras` file."""
    config = serialize_keras_object(model)
    metadata = {
        "keras_version": KERAS_FORMAT_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
    }
    weights = io.BytesIO()
    with h5py.File(weights, "w") as h5:
        write_model_weights(h5, model, include_optimizer=include_optimizer)
    with atomic_write(filepath, "w+b") as file:
        with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(METADATA, json.dumps(metadata))
            archive.writestr(CONFIG, json.dumps(config))
            archive.writestr(WEIGHTS, weights.getvalue())


def load_keras_file(filepath, custom_objects=None, compile=True):
    """Rebuilds the model saved in a `.keras` file (by torchkeras or by Keras 3)."""
    with zipfile.ZipFile(filepath, "r") as archive:
        members = _checked_members(archive, filepath)
        config = json.loads(_read(archive, members[CONFIG], _MAX_JSON_BYTES))
        if not compile:
            config = {key: value for key, value in config.items() if key != "compile_config"}
        model = deserialize_keras_object(config, custom_objects=custom_objects)
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "build") and model.built:
            optimizer.build(model.trainable_weights)
        if WEIGHTS in members:
            weights = io.BytesIO(_read(archive, members[WEIGHTS], _MAX_WEIGHTS_BYTES))
            with h5py.File(weights, "r") as h5:
                read_model_weights(h5, model, source=str(filepath))
    return model


def load_keras_weights(model, filepath, skip_mismatch=False):
    """Loads the weights (and optimizer state) of a `.keras` archive into a built `model`."""
    with zipfile.ZipFile(filepath, "r") as archive:
        members = _checked_members(archive, filepath)
        if WEIGHTS not in members:
            raise ValueError(f"'{filepath}' holds no {WEIGHTS}.")
        weights = io.BytesIO(_read(archive, members[WEIGHTS], _MAX_WEIGHTS_BYTES))
        with h5py.File(weights, "r") as h5:
            read_model_weights(h5, model, skip_mismatch=skip_mismatch, source=str(filepath))


def _checked_members(archive, filepath):
    members = {}
    for info in archive.infolist():
        name = info.filename
        if name.endswith("/") and name.strip("/") in ("assets", "variables"):
            continue
        if name not in (CONFIG, METADATA, WEIGHTS) and not name.startswith("assets/"):
            raise ValueError(f"'{filepath}' holds an unexpected member {name!r}; refusing to load.")
        if ".." in name.split("/") or name.startswith("/") or "\\" in name:
            raise ValueError(f"'{filepath}' holds a member with an unsafe path {name!r}.")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ValueError(f"'{filepath}' holds a symbolic link {name!r}; refusing to load.")
        if info.compress_size and info.file_size / info.compress_size > _MAX_RATIO:
            raise ValueError(f"'{filepath}' member {name!r} looks like a zip bomb.")
        members[name] = info
    if CONFIG not in members:
        raise ValueError(f"'{filepath}' is not a Keras archive: it has no {CONFIG}.")
    return members


def _read(archive, info, limit):
    if info.file_size > limit:
        raise ValueError(f"Member {info.filename!r} is {info.file_size} bytes, over {limit}.")
    with archive.open(info) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"Member {info.filename!r} is larger than its header says.")
    return data
