"""`.weights.h5` files in Keras 3's layout, written and read both ways with real Keras.

Layout (see `object_paths` for how paths are found): one group per layer holding a `vars`
group of datasets `0`, `1`, ... (a `name` attribute gives the layer's name), the model's own
weights in the root `vars` group, and, when the model is compiled, `optimizer/vars/<i>` in
`optimizer.variables` order. No attributes on the root. Datasets are contiguous,
uncompressed numpy arrays. A layer with Keras' `save_own_variables(store)` /
`load_own_variables(store)` (the lookup layers' `idf_weights`) keeps those entries in its
`vars` group under the names it chose, as Keras does.
"""

import warnings

import h5py
import numpy as np
import torch

from torchkeras.distribution.sharded_values import assign, full_value
from torchkeras.layers.layer import Layer
from torchkeras.saving import h5_safety
from torchkeras.saving.object_paths import display_name, own_variables, saveable_paths, vars_path
from torchkeras.utils.atomic_io import atomic_write

_OPTIMIZER_VARS = "optimizer/vars"


def save_weights_h5(model, path, include_optimizer=True):
    """Writes the model's weights (and its optimizer's state, if compiled) to `path`.

    The file is written to a temporary file beside `path` and renamed into place.

    Args:
        model: A built model (or layer).
        path: Destination, conventionally ending in `.weights.h5`.
        include_optimizer: Whether to write `optimizer/vars` when `model.optimizer` is set.
    """
    with atomic_write(path, "w+b") as file:
        with h5py.File(file, "w") as h5:
            write_model_weights(h5, model, include_optimizer=include_optimizer)


def write_model_weights(h5, model, include_optimizer=True):
    """Writes every layer's `vars` group (and the optimizer's) into an open HDF5 file/group."""
    for path, obj in saveable_paths(model):
        group = h5.create_group(vars_path(path))
        group.attrs["name"] = display_name(obj)
        for key, tensor in own_variables(obj):
            group.create_dataset(key, data=_to_numpy(tensor))
        for key, value in _saved_store(obj).items():
            group.create_dataset(key, data=np.asarray(value))
    optimizer = getattr(model, "optimizer", None)
    if include_optimizer and optimizer is not None:
        _write_optimizer(h5, _OPTIMIZER_VARS, optimizer)


def _write_optimizer(h5, path, optimizer):
    """`optimizer.variables` under `path`; wrapped optimizers' own too, as Keras writes a
    LossScaleOptimizer's (`optimizer/inner_optimizer/vars`) and a MultiOptimizer's
    (`optimizer/optimizers/<name>/vars`): read by Keras, ignored here."""
    group = h5.create_group(path)
    group.attrs["name"] = display_name(optimizer)
    for index, tensor in enumerate(optimizer.variables):
        group.create_dataset(str(index), data=_to_numpy(tensor))
    inner = getattr(optimizer, "inner_optimizer", None)
    if inner is not None:
        _write_optimizer(h5, path.removesuffix("vars") + "inner_optimizer/vars", inner)
    for each in getattr(optimizer, "optimizers", ()):  # a MultiOptimizer's, as Keras writes them
        _write_optimizer(h5, path.removesuffix("vars") + f"optimizers/{each.name}/vars", each)


def load_weights_h5(model, path, skip_mismatch=False):
    """Loads a `.weights.h5` file written by Keras 3 or torchkeras into a built model.

    Every weight's shape is checked before anything is read or assigned; on any mismatch
    (wrong shape, missing in the file, or present in the file but not in the model) a
    `ValueError` lists them all and the model is left unchanged. The file is refused if it
    holds links, external or virtual datasets, or non-numeric data.

    Args:
        model: A built model with the architecture that wrote the file.
        path: The `.weights.h5` file.
        skip_mismatch: Warn about mismatched weights and load the others instead of raising.
    """
    if not getattr(model, "built", True):
        raise ValueError(
            "You are loading weights into a model that has not yet been built. Try building "
            "the model first by calling it on some data or by using `build()`."
        )
    with h5py.File(path, "r") as h5:
        read_model_weights(h5, model, skip_mismatch=skip_mismatch, source=str(path))


def read_model_weights(h5, model, skip_mismatch=False, source="the file"):
    """Reads an open HDF5 file's weights into `model` (see `load_weights_h5`)."""
    shapes = h5_safety.index_datasets(h5)
    pending, problems, expected, stores = [], [], set(), []
    for path, obj in saveable_paths(model):
        if _has_store(obj):  # its entries are the layer's to check (any shape)
            names = _store_names(shapes, vars_path(path), own_variables(obj))
            expected.update(names)
            stores.append((obj, names))
        for key, target in own_variables(obj):
            name = f"{vars_path(path)}/{key}"
            expected.add(name)
            found = shapes.get(name)
            if found != tuple(target.shape):
                problems.append((name, display_name(obj), tuple(target.shape), found))
            else:
                pending.append((name, target))
    for name in sorted(shapes):
        if name not in expected and not name.startswith("optimizer/"):
            problems.append((name, None, None, shapes[name]))
    _report(problems, model, source, skip_mismatch)
    values = [(target, h5_safety.read_array(h5[name], target.shape)) for name, target in pending]
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and _OPTIMIZER_VARS in h5:
        _load_optimizer(h5, shapes, optimizer, skip_mismatch)
    with torch.no_grad():
        for target, value in values:
            assign(target, torch.from_numpy(value))  # a sharded weight keeps its slice
    for obj, names in stores:
        if names:
            store = {name.rsplit("/", 1)[1]: h5_safety.read_array(h5[name], shapes[name])
                     for name in names}
            obj.load_own_variables(store)


def _has_store(obj):
    """Whether a layer keeps Keras-style extra entries (`save_own_variables`)."""
    return isinstance(obj, Layer) and hasattr(obj, "save_own_variables")


def _saved_store(obj):
    """The entries a layer's `save_own_variables` writes (empty for ordinary layers)."""
    if not _has_store(obj):
        return {}
    store = {}
    obj.save_own_variables(store)
    return store


def _store_names(shapes, group, regular):
    """The datasets directly in `group` that are not the layer's ordinary weights."""
    taken = {f"{group}/{key}" for key, _ in regular}
    prefix = f"{group}/"
    return sorted(
        name for name in shapes
        if name.startswith(prefix) and "/" not in name[len(prefix):] and name not in taken
    )


def _load_optimizer(h5, shapes, optimizer, skip_mismatch):
    """Keras' rule: a different number of variables warns and skips; shapes must match."""
    names = [n for n in shapes if n.startswith(_OPTIMIZER_VARS + "/")]
    variables = optimizer.variables
    if len(names) != len(variables):
        warnings.warn(
            f"Skipping variable loading for optimizer '{display_name(optimizer)}', because it "
            f"has {len(variables)} variables whereas the saved optimizer has {len(names)} "
            "variables.",
            stacklevel=3,
        )
        return
    problems = []
    for index, variable in enumerate(variables):
        name = f"{_OPTIMIZER_VARS}/{index}"
        if shapes.get(name) != tuple(variable.shape):
            problems.append((name, "optimizer", tuple(variable.shape), shapes.get(name)))
    if problems:
        _report(problems, optimizer, "the file's optimizer state", skip_mismatch)
        return  # skip_mismatch: the optimizer keeps its state
    store = {
        str(i): h5_safety.read_array(h5[f"{_OPTIMIZER_VARS}/{i}"], v.shape)
        for i, v in enumerate(variables)
    }
    if getattr(optimizer, "built", True):
        optimizer.load_own_variables(store)
        return
    with torch.no_grad():  # unbuilt: only iterations and learning rate exist
        for index, variable in enumerate(variables):
            variable.copy_(torch.as_tensor(store[str(index)]))


def _report(problems, owner, source, skip_mismatch):
    if not problems:
        return
    lines = [_describe(*problem) for problem in problems]
    message = (
        f"Cannot load {source} into '{display_name(owner)}': {len(problems)} weight(s) do not "
        "match:\n  " + "\n  ".join(lines)
    )
    if not skip_mismatch:
        raise ValueError(message + "\nPass `skip_mismatch=True` to load the others anyway.")
    warnings.warn(message + "\nThese weights were skipped.", stacklevel=4)


def _describe(name, layer, expected, found):
    if layer is None:
        return f"{name}: in the file (shape {found}) but not in the model"
    if found is None:
        return f"{name} (layer '{layer}'): expected shape {expected}, missing from the file"
    return f"{name} (layer '{layer}'): expected shape {expected}, file has shape {found}"


def _to_numpy(tensor):
    tensor = full_value(tensor).detach()  # a sharded (ModelParallel) weight, gathered whole
    if tensor.dtype == torch.bfloat16:  # numpy has no bfloat16; float32 holds it exactly
        tensor = tensor.float()
    return tensor.cpu().contiguous().numpy()  # (np.ascontiguousarray would make scalars 1-d)
