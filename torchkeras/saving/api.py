"""`save_model` / `load_model` / `save_weights` / `load_weights`: the file format follows the name."""

import contextlib
import os
import warnings
import zipfile

from torchkeras import distribution
from torchkeras.saving import keras_file, legacy_h5
from torchkeras.saving.safetensors_io import load_weights_safetensors, save_weights_safetensors
from torchkeras.saving.weights_h5 import load_weights_h5, save_weights_h5


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Saves a whole model: `.keras` (Keras 3's archive) or legacy `.h5`/`.hdf5`."""
    path = os.fspath(filepath)
    _check_overwrite(path, overwrite)
    include_optimizer = kwargs.pop("include_optimizer", True)
    if kwargs:
        raise ValueError(f"Unrecognized arguments for `save_model`: {sorted(kwargs)}.")
    with _writer(model) as writes:
        if writes:
            _save_model_file(model, path, zipped, include_optimizer)


def _save_model_file(model, path, zipped, include_optimizer):
    if path.endswith((".h5", ".hdf5")):
        warnings.warn(
            "You are saving your model as an HDF5 file via `model.save()`. This file format is "
            "considered legacy; prefer the native `.keras` format.",
            stacklevel=2,
        )
        legacy_h5.save_legacy_h5(model, path, include_optimizer=include_optimizer)
        return
    if not path.endswith(".keras") or zipped is False:
        raise ValueError(
            "Invalid filepath extension for saving. Please add either a `.keras` extension for "
            "the native Keras format (recommended) or a `.h5` extension. Use "
            f"`model.export(filepath)` to export other formats. Received: filepath={path}"
        )
    keras_file.save_keras_file(model, path, include_optimizer=include_optimizer)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a model saved as `.keras` (by torchkeras or Keras 3) or legacy `.h5`.

    Loading never runs code from the file whatever `safe_mode` says: classes come from
    torchkeras' registries, `register_keras_serializable` and `custom_objects` only.
    """
    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise ValueError(f"File not found: filepath={path}. Please ensure the file exists.")
    if path.endswith((".h5", ".hdf5")):
        return legacy_h5.load_legacy_h5(path, custom_objects=custom_objects, compile=compile)
    if path.endswith(".keras") or zipfile.is_zipfile(path):
        return keras_file.load_keras_file(path, custom_objects=custom_objects, compile=compile)
    raise ValueError(
        f"File format not supported: filepath={path}. torchkeras loads `.keras` archives and "
        "legacy `.h5` files."
    )


def save_weights(model, filepath, overwrite=True):
    """Saves weights only: `.weights.h5` (Keras layout) or `.safetensors` (state_dict names)."""
    path = os.fspath(filepath)
    _check_overwrite(path, overwrite)
    if not path.endswith((".safetensors", ".weights.h5")):
        raise ValueError(
            "The filename must end in `.weights.h5` (Keras) or `.safetensors` (torch). "
            f"Received: filepath={path}"
        )
    with _writer(model) as writes:
        if writes and path.endswith(".safetensors"):
            save_weights_safetensors(model, path)
        elif writes:
            save_weights_h5(model, path)


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """Loads weights from `.weights.h5`, `.safetensors`, a `.keras` archive or a legacy `.h5`."""
    path = os.fspath(filepath)
    if kwargs:
        raise ValueError(f"Unrecognized arguments for `load_weights`: {sorted(kwargs)}.")
    if path.endswith(".safetensors"):
        load_weights_safetensors(model, path, skip_mismatch=skip_mismatch)
    elif path.endswith(".weights.h5"):
        load_weights_h5(model, path, skip_mismatch=skip_mismatch)
    elif path.endswith(".keras"):
        keras_file.load_keras_weights(model, path, skip_mismatch=skip_mismatch)
    elif path.endswith((".h5", ".hdf5")):
        legacy_h5.load_legacy_weights(model, path, skip_mismatch=skip_mismatch)
    else:
        raise ValueError(
            "File format not supported: the filename must end in `.weights.h5`, "
            f"`.safetensors`, `.keras` or `.h5`. Received: filepath={path}"
        )


@contextlib.contextmanager
def _writer(model):
    """Gathers a sharded (ModelParallel) model's weights and optimizer state whole, on every
    rank (all must save together); yields whether this rank writes: rank 0 when sharded."""
    optimizer = getattr(model, "optimizer", None)
    tensors = list(model.weights) + list(getattr(optimizer, "variables", None) or [])
    with distribution.gathered(tensors) as sharded:
        yield distribution.is_chief() or not sharded


def _check_overwrite(path, overwrite):
    if not overwrite and os.path.exists(path):
        raise FileExistsError(
            f"'{path}' already exists and overwrite=False; pass overwrite=True to replace it."
        )
