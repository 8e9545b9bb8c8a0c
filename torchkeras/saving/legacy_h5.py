"""Legacy HDF5 model files: `model.save("m.h5")` as Keras 3 writes it; tf.keras 2 files read.

Layout, checked against files written by Keras 3.15.1:

- Root attributes `backend`, `keras_version`, `model_config` (JSON `{"class_name", "config"}`;
  the model's layers are `{"class_name", "config"}` entries, plus `name` and `inbound_nodes` in
  functional models) and, when the optimizer is included, `training_config` (JSON: compile's
  arguments, the optimizer as `optimizer_config`).
- Group `model_weights` (attributes `backend`, `keras_version`, `layer_names`): one group per
  entry of `model.layers`, whose `weight_names` attribute lists dataset paths relative to the
  group (`"sequential/dense/kernel"`; a nested model's weights are listed flat in its group) in
  `trainable_weights + non_trainable_weights` order; then `top_level_model_weights`.
- Group `optimizer_weights` (attribute `weight_names`: `"adam/iteration"`, ...): the values of
  `optimizer.variables`, in order.

String lists are variable-length string attributes (an empty one is an empty float64 array),
split into `name0`, `name1`... when too long for an HDF5 object header. Reading never runs
code: every HDF5 object is checked first (`h5_safety`: no links, external or virtual datasets,
only numeric arrays, each read at the shape of the weight it fills), classes come from
torchkeras' registries or `custom_objects`, and weights are matched by layer name.
"""

import json
import math
import warnings

import h5py
import numpy as np
import torch

from torchkeras.layers import call_context
from torchkeras.layers.layer import Layer
from torchkeras.saving import h5_safety, legacy_h5_config
from torchkeras.saving.serialization import deserialize_keras_object, serialize_keras_object
from torchkeras.utils.atomic_io import atomic_write

KERAS_FORMAT_VERSION = "3.15.1"  # the Keras release whose layout these files follow
BACKEND = "torch"
_WEIGHTS = "model_weights"
_OPTIMIZER = "optimizer_weights"
_TOP_LEVEL = "top_level_model_weights"
_MAX_TEXT_CHARS = 64 * 2**20
_NAMES_PER_ATTRIBUTE = 2000  # variable-length refs: keeps an attribute under 64 KiB


# ---- writing ----------------------------------------------------------------------------
def save_legacy_h5(model, filepath, include_optimizer=True):
    """Writes `model` as the legacy HDF5 file Keras 3 writes for `model.save("m.h5")`.

    The file is written to a temporary file beside `filepath` and renamed into place.

    Args:
        model: A built model whose config serializes (Sequential or functional).
        filepath: Destination, conventionally ending in `.h5`.
        include_optimizer: Whether to write `training_config` and the optimizer's state
            (only written for a compiled model, as Keras does).
    """
    model_config = _legacy_entry(serialize_keras_object(model))
    optimizer = getattr(model, "optimizer", None)
    compiled = bool(include_optimizer and optimizer is not None and getattr(model, "compiled", 0))
    training_config = _training_config(model) if compiled else None
    with atomic_write(filepath, "w+b") as file:
        with h5py.File(file, "w") as h5:
            h5.attrs["backend"] = BACKEND
            h5.attrs["keras_version"] = KERAS_FORMAT_VERSION
            h5.attrs["model_config"] = json.dumps(model_config)
            if compiled:
                h5.attrs["training_config"] = json.dumps(training_config)
            write_legacy_weights(h5.create_group(_WEIGHTS), model)
            if compiled:
                _write_optimizer(h5.create_group(_OPTIMIZER), optimizer)


def _legacy_entry(entry):
    """Keras' legacy form of a config: `{"class_name", "config"}`, sublayers likewise."""
    legacy = {"class_name": entry.get("registered_name") or entry["class_name"]}
    config = entry.get("config")
    if isinstance(config, dict) and isinstance(config.get("layers"), list):
        config = {**config, "layers": [_legacy_entry(layer) for layer in config["layers"]]}
    legacy["config"] = config
    legacy.update({key: entry[key] for key in ("name", "inbound_nodes") if key in entry})
    return legacy


def _training_config(model):
    """`get_compile_config()` in the legacy layout: the optimizer as `optimizer_config`."""
    compile_config = dict(model.get_compile_config())
    compile_config.pop("optimizer", None)
    optimizer = serialize_keras_object(model.optimizer)
    compile_config["optimizer_config"] = {
        "class_name": optimizer.get("registered_name") or optimizer["class_name"],
        "config": optimizer["config"],
    }
    return compile_config


def write_legacy_weights(group, model):
    """Writes `layer_names`, one group per layer and `top_level_model_weights` into `group`."""
    layers = list(model.layers)
    group.attrs["backend"] = BACKEND
    group.attrs["keras_version"] = KERAS_FORMAT_VERSION
    _write_names(group, "layer_names", [layer.name for layer in layers])
    prefix = f"{model.name}/" if _scopes_sublayers(model) else ""
    for layer in layers:
        weights = _legacy_weights(layer)
        _write_weights(group.create_group(layer.name), weights, _weight_names(layer, prefix))
    own = _top_level_weights(model, layers)
    _write_weights(group.create_group(_TOP_LEVEL), own, _weight_names(model, ""))


def _write_weights(group, weights, paths):
    names = _unique([paths.get(id(w), f"variable_{i}") for i, w in enumerate(weights)])
    _write_names(group, "weight_names", names)
    for name, weight in zip(names, weights):
        group.create_dataset(name, data=_to_numpy(weight))


def _write_optimizer(group, optimizer):
    variables = list(optimizer.variables)
    learning_rate = getattr(optimizer, "learning_rate", None)
    names = ["iteration"]
    if len(variables) > 1 and variables[1] is learning_rate:
        names.append("learning_rate")
    names += [f"slot_{i}" for i in range(len(variables) - len(names))]
    prefix = getattr(optimizer, "name", None) or "optimizer"
    names = [f"{prefix}/{name}" for name in names]
    _write_names(group, "weight_names", names)
    for name, variable in zip(names, variables):
        group.create_dataset(name, data=_to_numpy(variable))


def _write_names(group, name, values):
    if not values:
        group.attrs[name] = np.asarray([], dtype=np.float64)  # what Keras writes for none
        return
    array = np.array(values, dtype=h5py.string_dtype("utf-8"))
    if len(array) <= _NAMES_PER_ATTRIBUTE:
        group.attrs[name] = array
        return
    for index, start in enumerate(range(0, len(array), _NAMES_PER_ATTRIBUTE)):
        group.attrs[f"{name}{index}"] = array[start : start + _NAMES_PER_ATTRIBUTE]


def _weight_names(layer, prefix):
    """`{id(tensor): "scope/layer/kernel"}`: Keras' variable paths for a layer's weights.

    A Sequential model scopes its sublayers under its name; a functional model does not.
    """
    scope, paths = f"{prefix}{layer.name}", {}
    _collect_paths(layer, scope, prefix if _is_functional(layer) else scope + "/", paths)
    return paths


def _collect_paths(module, scope, prefix, paths):
    """Records the paths of `module`'s tensors (`scope/key`) and its sublayers' (`prefix...`)."""
    own = [*module.named_parameters(recurse=False), *module.named_buffers(recurse=False)]
    for key, tensor in own:
        paths.setdefault(id(tensor), f"{scope}/{key}")
    for attribute, child in module.named_children():
        if isinstance(child, Layer):
            child_scope = f"{prefix}{child.name}"
            child_prefix = prefix if _is_functional(child) else child_scope + "/"
            _collect_paths(child, child_scope, child_prefix, paths)
        elif isinstance(child, (torch.nn.ModuleList, torch.nn.ModuleDict)):
            _collect_paths(child, scope, prefix, paths)
        else:
            _collect_paths(child, f"{scope}/{attribute}", f"{scope}/{attribute}/", paths)


def _is_functional(layer):
    return getattr(layer, "_graph", None) is not None


def _scopes_sublayers(model):
    return any(cls.__name__ == "Sequential" for cls in type(model).__mro__)


def _unique(names):
    seen, unique = set(), []
    for name in names:
        candidate, count = name, 0
        while candidate in seen:
            count += 1
            candidate = f"{name}_{count}"
        seen.add(candidate)
        unique.append(candidate)
    return unique


def _legacy_weights(layer):
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _top_level_weights(model, layers):
    """The model's weights that belong to none of its layers (Keras' top-level weights)."""
    in_layers = {id(w) for layer in layers for w in _legacy_weights(layer)}
    return [w for w in _legacy_weights(model) if id(w) not in in_layers]


def _to_numpy(tensor):
    tensor = tensor.detach()
    if tensor.dtype == torch.bfloat16:  # numpy has no bfloat16; float32 holds it exactly
        tensor = tensor.float()
    return tensor.cpu().contiguous().numpy()


# ---- reading ----------------------------------------------------------------------------
def load_legacy_h5(filepath, custom_objects=None, compile=True):
    """Rebuilds a model from a legacy `.h5` file written by Keras 3, torchkeras or tf.keras 2.

    tf.keras 2 configs are first translated into Keras 3's form (`legacy_h5_config`); their
    optimizer state is not restored (tf.keras 2 orders it differently), the model is compiled.

    Args:
        filepath: The `.h5` file.
        custom_objects: `{name: class or function}` for objects that are not built in (a
            `Lambda`'s function must be passed here; bytecode in the file is never run).
        compile: Whether to compile the model from the file's `training_config`, if any.
    """
    with h5py.File(filepath, "r") as h5:
        shapes = h5_safety.index_datasets(h5)
        config = _read_json(h5.attrs, "model_config")
        if config is None:
            raise ValueError(f"No model config found in the file at {filepath}.")
        keras2 = not (_read_text(h5.attrs, "keras_version") or "").startswith("3.")
        if keras2:
            config = legacy_h5_config.convert_model_config(config)
        held = sum(math.prod(shape) for name, shape in shapes.items() if name.startswith(_WEIGHTS))
        with call_context.WeightBudget(held + 2**20):  # the config cannot outgrow its weights
            model = deserialize_keras_object(config, custom_objects=custom_objects)
        if _WEIGHTS in h5:
            read_legacy_weights(h5, h5[_WEIGHTS], shapes, model, source=str(filepath))
        training_config = _read_json(h5.attrs, "training_config") if compile else None
        if training_config and _compile(model, training_config, keras2) and _OPTIMIZER in h5:
            if not keras2:
                _read_optimizer(h5, shapes, model)
            else:
                warnings.warn(f"'{filepath}' holds tf.keras 2 optimizer state, which is not "
                              "restored; the optimizer starts from scratch.", stacklevel=2)
    return model


def load_legacy_weights(model, filepath, skip_mismatch=False):
    """Loads the layer weights of a legacy `.h5` model or weights file, matched by layer name.

    Args:
        model: A built model whose layers carry the names used in the file.
        filepath: A `.h5` file from `model.save` (Keras 3, tf.keras 2) or tf.keras 2's
            `save_weights`.
        skip_mismatch: Warn about mismatched layers or weights and load the others.
    """
    with h5py.File(filepath, "r") as h5:
        shapes = h5_safety.index_datasets(h5)
        group = h5.get(_WEIGHTS, h5)
        if "layer_names" not in group.attrs and "layer_names0" not in group.attrs:
            raise ValueError(f"'{filepath}' is not a Keras HDF5 model or weights file.")
        read_legacy_weights(h5, group, shapes, model, skip_mismatch, source=str(filepath))


def read_legacy_weights(h5, group, shapes, model, skip_mismatch=False, source="the file"):
    """Checks every layer's weights against `group`, then copies them into `model`."""
    prefix = group.name.strip("/") + "/" if group.name.strip("/") else ""
    in_file = {name: _layer_weight_names(group, name) for name in _read_names(group, "layer_names")}
    layers = list(model.layers)
    entries = [(layer.name, _legacy_weights(layer)) for layer in layers]
    entries.append((_TOP_LEVEL, _top_level_weights(model, layers)))
    in_file.setdefault(_TOP_LEVEL, _layer_weight_names(group, _TOP_LEVEL))
    pending, problems = [], []
    for name, weights in entries:
        names = in_file.pop(name, None) or []
        if len(names) != len(weights):
            problems.append(f"layer '{name}': the model has {len(weights)} weight(s), the file "
                            f"{len(names)}")
            continue
        for weight_name, weight in zip(names, weights):
            path = f"{prefix}{name}/{weight_name}"
            if shapes.get(path) != tuple(weight.shape):
                problems.append(f"{path}: expected shape {tuple(weight.shape)}, file has "
                                f"{shapes.get(path, 'no such dataset')}")
            else:
                pending.append((path, weight))
    problems += [f"layer '{n}' ({len(w)} weight(s)) is in the file but not in the model"
                 for n, w in in_file.items() if w]
    _report(problems, model, source, skip_mismatch)
    values = [(weight, h5_safety.read_array(h5[path], weight.shape)) for path, weight in pending]
    with torch.no_grad():
        for weight, value in values:
            weight.copy_(torch.from_numpy(value))


def _layer_weight_names(group, name):
    layer_group = group.get(name) if name else None
    return _read_names(layer_group, "weight_names") if isinstance(layer_group, h5py.Group) else []


def _compile(model, training_config, keras2):
    """Compiles `model` from a `training_config`; returns whether it is compiled."""
    if not keras2:
        config = {k: v for k, v in training_config.items() if k != "optimizer_config"}
        model.compile_from_config({"optimizer": training_config["optimizer_config"], **config})
        return True
    outputs = getattr(model, "outputs", None) or [None]
    config = legacy_h5_config.convert_training_config(training_config, len(outputs) == 1)
    try:
        model.compile_from_config(config)
    except (ValueError, TypeError) as error:
        warnings.warn(
            f"The tf.keras 2 training configuration could not be used ({error}); the model is "
            "returned uncompiled. Call `model.compile(...)` before training it.",
            stacklevel=3,
        )
        return False
    return True


def _read_optimizer(h5, shapes, model):
    """Restores `optimizer.variables` from `optimizer_weights` (Keras' count rule: warn, skip)."""
    names = _read_names(h5[_OPTIMIZER], "weight_names")
    optimizer = model.optimizer
    if len(names) != len(optimizer.variables) and not getattr(optimizer, "built", True):
        optimizer.build(model.trainable_weights)
    variables = optimizer.variables
    if len(names) != len(variables):
        warnings.warn(
            f"Skipping variable loading for optimizer '{optimizer.name}', because it has "
            f"{len(variables)} variables whereas the saved optimizer has {len(names)} variables.",
            stacklevel=3,
        )
        return
    store = {}
    for index, (name, variable) in enumerate(zip(names, variables)):
        path = f"{_OPTIMIZER}/{name}"
        if shapes.get(path) != tuple(variable.shape):
            raise ValueError(
                f"Optimizer variable {index} ('{name}') has shape {tuple(variable.shape)}, the "
                f"file has {shapes.get(path, 'no such dataset')}."
            )
        store[str(index)] = h5_safety.read_array(h5[path], variable.shape)
    if getattr(optimizer, "built", True):
        optimizer.load_own_variables(store)
        return
    with torch.no_grad():  # unbuilt: only iterations and learning rate exist
        for index, variable in enumerate(variables):
            variable.copy_(torch.as_tensor(store[str(index)]))


def _report(problems, model, source, skip_mismatch):
    if not problems:
        return
    message = (
        f"Cannot load the weights of {source} into '{model.name}': {len(problems)} "
        "mismatch(es):\n  " + "\n  ".join(problems)
    )
    if not skip_mismatch:
        raise ValueError(message + "\nPass `skip_mismatch=True` to load the others anyway.")
    warnings.warn(message + "\nThese weights were skipped.", stacklevel=4)


# ---- attributes -------------------------------------------------------------------------
def _read_names(group, name):
    """A string-list attribute (or its `name0`, `name1`... chunks) as a list of str."""
    if name in group.attrs:
        chunks = [group.attrs[name]]
    else:
        chunks, index = [], 0
        while f"{name}{index}" in group.attrs:
            chunks.append(group.attrs[f"{name}{index}"])
            index += 1
    names = []
    for chunk in chunks:
        array = np.atleast_1d(np.asarray(chunk))
        if array.size and array.dtype.kind not in "OSU":
            raise ValueError(f"HDF5 attribute '{group.name}/{name}' is not a list of names.")
        names.extend(_text(item, name) for item in array.tolist())
    return names


def _read_text(attrs, name):
    if name not in attrs:
        return None
    value = attrs[name]
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    return _text(value, name)


def _text(value, name):
    if isinstance(value, (bytes, np.bytes_)):
        value = bytes(value).decode("utf-8")
    if not isinstance(value, str):
        raise ValueError(f"HDF5 attribute '{name}' holds {type(value).__name__}, not text.")
    if len(value) > _MAX_TEXT_CHARS:
        raise ValueError(f"HDF5 attribute '{name}' is longer than {_MAX_TEXT_CHARS} characters.")
    return value


def _read_json(attrs, name):
    text = _read_text(attrs, name)
    return None if text is None else json.loads(text)
