"""The `.keras` archive: a ZIP of `config.json`, `metadata.json`, `model.weights.h5` and the
`assets/<layer path>/` files of layers with Keras' `save_assets` (adapted vocabularies).

Written so that real Keras 3 loads it, and read from files real Keras wrote. Reading checks
every ZIP member (known names only, bounded sizes, no links) and never runs code: classes
come from torchkeras' registries or the caller's `custom_objects`. A layer's asset files are
handed to its `load_assets` in a private temporary folder, deleted right after.
"""

import contextlib
import datetime
import io
import json
import math
import os
import stat
import tempfile
import zipfile
import zlib

import h5py

from torchkeras.layers import call_context
from torchkeras.layers.layer import Layer
from torchkeras.saving import h5_safety
from torchkeras.saving.object_paths import saveable_paths
from torchkeras.saving.serialization import deserialize_keras_object, serialize_keras_object
from torchkeras.saving.weights_h5 import read_model_weights, write_model_weights
from torchkeras.utils.atomic_io import atomic_write

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"
KERAS_FORMAT_VERSION = "3.15.1"  # the Keras release whose layout these files follow
_MAX_JSON_BYTES = 64 * 2**20
_MAX_WEIGHTS_BYTES = 64 * 2**30
_MAX_ASSET_BYTES = 2**30
_MAX_RATIO = 200
_BUDGET_SLACK = 2**20  # weights a model may create beyond those its file holds
_CONFIG_ONLY_BUDGET = 2**26  # uncompressed / compressed size beyond which a member is a zip bomb
_CHUNK_BYTES = 2**20
_UNSUPPORTED_FLAGS = 0x1 | 0x20 | 0x40  # encrypted, compressed patched data, strong encryption
# Errors from layer code fed values of the wrong type or size; TypeError and KeyError pass
# through unchanged, as in Keras.
_MALFORMED_CONFIG_ERRORS = (AttributeError, IndexError, ArithmeticError, RuntimeError)
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError)


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
            for name, data in _asset_members(model):
                archive.writestr(name, data)


def _asset_prefix(path):
    return f"assets/{path}/" if path else "assets/"


def _asset_members(model):
    """`(member name, bytes)` of every file the model's layers write with `save_assets`."""
    found = []
    for path, obj in saveable_paths(model):
        if not (isinstance(obj, Layer) and hasattr(obj, "save_assets")):
            continue
        with tempfile.TemporaryDirectory() as folder:
            obj.save_assets(folder)
            for name in sorted(os.listdir(folder)):
                with open(os.path.join(folder, name), "rb") as file:
                    found.append((_asset_prefix(path) + name, file.read()))
    return found


def _load_assets(model, archive, members, filepath):
    """Gives each layer with `load_assets` its archive files, in a private temporary folder."""
    for path, obj in saveable_paths(model):
        prefix = _asset_prefix(path)
        names = [n for n in members if n.startswith(prefix) and "/" not in n[len(prefix):]
                 and n != prefix]
        if not names or not hasattr(obj, "load_assets"):
            continue
        with tempfile.TemporaryDirectory() as folder:
            for name in names:
                data = _read(archive, members[name], _MAX_ASSET_BYTES, filepath)
                with open(os.path.join(folder, name[len(prefix):]), "wb") as file:
                    file.write(data.getvalue())
            obj.load_assets(folder)


def load_keras_file(filepath, custom_objects=None, compile=True):
    """Rebuilds the model saved in a `.keras` file (by torchkeras or by Keras 3).

    A damaged or hostile archive (truncated, corrupted, bombs, links, unknown members or
    classes) raises `ValueError`; nothing from the file is ever run, and only layers' asset
    files are written, to a private temporary folder.
    """
    with _open_archive(filepath) as archive:
        members = _checked_members(archive, filepath)
        raw_config = _read(archive, members[CONFIG], _MAX_JSON_BYTES, filepath).getvalue()
        config = _parse_config(raw_config, filepath)
        if not compile:
            config = {key: value for key, value in config.items() if key != "compile_config"}
        weights = None
        if WEIGHTS in members:
            weights = _read(archive, members[WEIGHTS], _MAX_WEIGHTS_BYTES, filepath)
        with call_context.WeightBudget(_weight_scalars(weights, filepath) + _BUDGET_SLACK):
            model = _deserialize_model(config, custom_objects, filepath)
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "build") and model.built:
            optimizer.build(model.trainable_weights)
        if weights is not None:
            with _open_h5(weights, filepath) as h5:
                read_model_weights(h5, model, source=str(filepath))
        _load_assets(model, archive, members, filepath)
    return model


def _weight_scalars(weights, filepath):
    """How many layer-weight scalars the archive's weights file holds (the load's budget)."""
    if weights is None:
        return _CONFIG_ONLY_BUDGET
    with _open_h5(weights, filepath) as h5:
        shapes = h5_safety.index_datasets(h5)
    weights.seek(0)
    return sum(math.prod(shape) for name, shape in shapes.items() if not name.startswith("optimizer/"))


def load_keras_weights(model, filepath, skip_mismatch=False):
    """Loads the weights (and optimizer state) of a `.keras` archive into a built `model`."""
    with _open_archive(filepath) as archive:
        members = _checked_members(archive, filepath)
        if WEIGHTS not in members:
            raise ValueError(f"'{filepath}' holds no {WEIGHTS}.")
        weights = _read(archive, members[WEIGHTS], _MAX_WEIGHTS_BYTES, filepath)
        with _open_h5(weights, filepath) as h5:
            read_model_weights(h5, model, skip_mismatch=skip_mismatch, source=str(filepath))


@contextlib.contextmanager
def _open_archive(filepath):
    """Opens the ZIP; a truncated or corrupted one raises `ValueError`."""
    try:
        archive = zipfile.ZipFile(filepath, "r")
    except _ZIP_ERRORS as exc:
        raise _corrupted(filepath, exc) from exc
    with archive:
        yield archive


def _corrupted(filepath, exc):
    return ValueError(f"'{filepath}' is not a valid .keras archive (truncated or corrupted): {exc}")


@contextlib.contextmanager
def _open_h5(weights, filepath):
    """Opens the in-memory weights member; a damaged HDF5 file raises `ValueError`."""
    try:
        h5 = h5py.File(weights, "r")
    except (OSError, OverflowError) as exc:
        raise ValueError(f"'{filepath}': {WEIGHTS} is not a readable HDF5 file: {exc}") from exc
    with h5:
        try:
            yield h5
        except (OSError, KeyError, RuntimeError, OverflowError) as exc:  # damaged internals
            raise ValueError(f"'{filepath}': {WEIGHTS} is damaged: {exc!r}") from exc


def _parse_config(data, filepath):
    try:
        config = json.loads(data)
    except RecursionError as exc:
        raise ValueError(f"'{filepath}': {CONFIG} is nested too deeply.") from exc
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise ValueError(f"'{filepath}': {CONFIG} is not valid JSON: {exc}") from exc
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise ValueError(
            f"'{filepath}': {CONFIG} must hold a model config (a dict with a 'class_name'), "
            f"got {type(config).__name__}."
        )
    return config


def _deserialize_model(config, custom_objects, filepath):
    try:
        model = deserialize_keras_object(config, custom_objects=custom_objects)
    except RecursionError as exc:
        raise ValueError(f"'{filepath}': {CONFIG} is nested too deeply.") from exc
    except _MALFORMED_CONFIG_ERRORS as exc:  # a value of the wrong type or size reached a layer
        raise ValueError(f"'{filepath}': {CONFIG} holds a malformed config: {exc!r}") from exc
    if not isinstance(model, Layer):
        raise ValueError(
            f"'{filepath}': {CONFIG} describes a {type(model).__name__}, not a model or layer."
        )
    return model


def _checked_members(archive, filepath):
    """`{name: ZipInfo}` of an archive whose every member passed the checks below.

    Refused: unknown names, unsafe paths, duplicates, links and other non-regular files,
    encrypted members, compressions other than stored/deflate, sizes past the end of the
    archive, overlapping members, and uncompressed/compressed ratios above `_MAX_RATIO`.
    """
    members, size = {}, _archive_size(archive)
    for info in archive.infolist():
        name = info.filename
        if name.endswith("/") and name.strip("/") in ("assets", "variables"):
            continue
        if name not in (CONFIG, METADATA, WEIGHTS) and not name.startswith("assets/"):
            raise ValueError(f"'{filepath}' holds an unexpected member {name!r}; refusing to load.")
        if ".." in name.split("/") or name.startswith("/") or "\\" in name or "\0" in name:
            raise ValueError(f"'{filepath}' holds a member with an unsafe path {name!r}.")
        if name in members:
            raise ValueError(f"'{filepath}' holds member {name!r} twice; refusing to load.")
        _check_member(info, filepath, size)
        members[name] = info
    _check_no_overlap(members.values(), filepath)
    if CONFIG not in members:
        raise ValueError(f"'{filepath}' is not a Keras archive: it has no {CONFIG}.")
    return members


def _check_member(info, filepath, archive_size):
    name, mode = info.filename, info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise ValueError(f"'{filepath}' holds a symbolic link {name!r}; refusing to load.")
    if mode and stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise ValueError(f"'{filepath}' member {name!r} is not a regular file (mode {mode:o}).")
    if info.flag_bits & _UNSUPPORTED_FLAGS:
        raise ValueError(
            f"'{filepath}' member {name!r} is encrypted or patched (flags {info.flag_bits:#x})."
        )
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ValueError(
            f"'{filepath}' member {name!r} uses compression method {info.compress_type}; only "
            "stored and deflate members are read."
        )
    if info.header_offset < 0 or info.header_offset + info.compress_size > archive_size:
        raise ValueError(
            f"'{filepath}' member {name!r} declares {info.compress_size} bytes past the end of "
            "the archive (truncated, or a zip bomb)."
        )
    if info.file_size > _MAX_RATIO * max(info.compress_size, 1):
        raise ValueError(f"'{filepath}' member {name!r} looks like a zip bomb.")


def _check_no_overlap(infos, filepath):
    """Members sharing bytes (one data record under several names) make a zip bomb."""
    spans = sorted((info.header_offset, info.compress_size, info.filename) for info in infos)
    for (start, length, name), (next_start, _, other) in zip(spans, spans[1:]):
        if start + length > next_start:
            raise ValueError(f"'{filepath}' members {name!r} and {other!r} overlap (a zip bomb).")


def _archive_size(archive):
    here = archive.fp.tell()
    size = archive.fp.seek(0, io.SEEK_END)
    archive.fp.seek(here)
    return size


def _read(archive, info, limit, filepath):
    """The member's bytes as a `BytesIO`, read in chunks so memory follows its declared size."""
    if info.file_size > limit:
        raise ValueError(f"Member {info.filename!r} is {info.file_size} bytes, over {limit}.")
    data, total = io.BytesIO(), 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK_BYTES):  # bounds each inflate step (no bomb spike)
                total += len(chunk)
                if total > min(info.file_size, limit):
                    raise ValueError(f"Member {info.filename!r} is larger than its header says.")
                data.write(chunk)
    except _ZIP_ERRORS as exc:
        raise _corrupted(filepath, exc) from exc
    data.seek(0)
    return data
