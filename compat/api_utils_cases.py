"""`keras.utils` helpers: sequences, datasets, progress bars, downloads and (de)serialization.

Like `compat/api_custom_cases.py`: each `*_record(lib)` runs the same code with real Keras or
torchkeras and returns a JSON-able record of what it observed.
"""

import hashlib
import tempfile
from pathlib import Path

import numpy as np
import torch

from compat.api_cases import jsonable
from compat.api_custom_cases import numpy

SEQUENCES = [[1, 2, 3], [4, 5], [], [6, 7, 8, 9, 10]]


def _array(value):
    """A returned array as `{"values", "shape", "dtype"}`."""
    values = value if isinstance(value, np.ndarray) else numpy(value)
    return {"values": values.tolist(), "shape": list(values.shape), "dtype": str(values.dtype)}


def pad_sequences_record(lib):
    vectors = [np.ones((2, 3)), np.full((1, 3), 2.0), np.arange(12.0).reshape(4, 3)]
    cases = {
        "default": (SEQUENCES, {}),
        "maxlen_pre": (SEQUENCES, {"maxlen": 3}),
        "maxlen_post_truncating_post": (
            SEQUENCES, {"maxlen": 3, "padding": "post", "truncating": "post"}),
        "float_value": (SEQUENCES, {"dtype": "float32", "value": -1.5, "padding": "post"}),
        "longer_maxlen": (SEQUENCES, {"maxlen": 6, "truncating": "post"}),
        "vectors": (vectors, {"dtype": "float32", "maxlen": 3}),
        "strings": ([["a", "b"], ["c"]], {"dtype": object, "value": "<pad>"}),
    }
    return {key: _array(lib.utils.pad_sequences(sequences, **kwargs))
            for key, (sequences, kwargs) in cases.items()}


def _items(dataset):
    """A split's items as lists of plain values, with the element dtypes."""
    items = [item if isinstance(item, (tuple, list)) else (item,) for item in dataset]
    return {"values": [[jsonable(torch.as_tensor(t)) for t in item] for item in items],
            "dtypes": [[str(torch.as_tensor(t).dtype) for t in item] for item in items]}


def split_dataset_record(lib):
    """Shuffled splits with a seed. Keras chooses the torch backend only when asked."""
    x = np.arange(20, dtype="float32").reshape(10, 2)
    y = np.arange(10)
    backend = {"preferred_backend": "torch"} if lib.__name__ == "keras" else {}
    cases = {
        "tuple_fraction": ((x, y), {"left_size": 0.6, "shuffle": True, "seed": 3}),
        "array_right_count": (x, {"right_size": 3, "shuffle": True, "seed": 11}),
        "both_counts": ((x, y), {"left_size": 4, "right_size": 6, "shuffle": True, "seed": 0}),
        "half_seed_1": ((x, y), {"left_size": 0.5, "shuffle": True, "seed": 1}),
    }
    record = {}
    for key, (data, kwargs) in cases.items():
        left, right = lib.utils.split_dataset(data, **kwargs, **backend)
        record[key] = {"left": _items(left), "right": _items(right)}
    return record


def progbar_record(lib):
    """`Progbar`'s running averages (`_values`: [weighted sum, count]) after scripted updates."""
    bar = lib.utils.Progbar(12, verbose=0, stateful_metrics=["acc"])
    trace = []
    updates = [
        ("update", 1, [("loss", 2.0), ("acc", 0.5)]),
        ("update", 3, [("loss", 4.0), ("acc", 0.7)]),
        ("add", 2, [("loss", 1.0), ("mae", 3.0)]),
        ("update", 5, [("loss", np.float32(0.5)), ("mae", 1.0)]),
        ("update", 9, [("loss", 3.0), ("acc", 0.25), ("mae", 2.0)]),
    ]
    for method, step, values in updates:
        getattr(bar, method)(step, values)
        trace.append({"values": jsonable(bar._values), "seen": bar._seen_so_far})
    return {"trace": trace, "order": list(bar._values_order)}


def get_file_record(lib):
    """`get_file` from a local `file://` origin: download, a cache hit (the origin has changed
    meanwhile; the cached file still matches the digest), `force_download`, and a name taken
    from the origin."""
    with tempfile.TemporaryDirectory() as root:
        origin = Path(root) / "origin" / "data.txt"
        origin.parent.mkdir()
        origin.write_text("first version\n")
        digest = hashlib.sha256(origin.read_bytes()).hexdigest()
        cache = Path(root) / "cache"
        cache.mkdir()  # Keras falls back to /tmp/.keras for a cache_dir it cannot write to
        common = {"origin": origin.as_uri(), "cache_dir": str(cache)}
        steps = {
            "download": {"file_hash": digest},
            "cache_hit": {"file_hash": digest},
            "force_download": {"force_download": True},
        }
        record = {}
        for step, kwargs in steps.items():
            path = Path(lib.utils.get_file("data.txt", **common, **kwargs))
            record[step] = {"path": path.relative_to(cache).as_posix(),
                            "content": path.read_text()}
            origin.write_text(f"changed after {step}\n")
        path = lib.utils.get_file(**common, cache_subdir="other")
        record["name_from_origin"] = Path(path).relative_to(cache).as_posix()
    return record


def is_keras_tensor_record(lib):
    symbolic = lib.Input((3,))
    return {
        "input": lib.utils.is_keras_tensor(symbolic),
        "layer_output": lib.utils.is_keras_tensor(lib.layers.Dense(2)(symbolic)),
        "tensor": lib.utils.is_keras_tensor(torch.ones(2)),
        "numpy": lib.utils.is_keras_tensor(np.ones(2)),
        "float": lib.utils.is_keras_tensor(1.0),
    }


def _structure(value):
    """Types and values of a packed or unpacked structure."""
    if isinstance(value, (tuple, list)):
        return {"type": type(value).__name__, "items": [_structure(v) for v in value]}
    if value is None:
        return None
    return {"type": "array", "values": jsonable(torch.as_tensor(value))}


def _pack_unpack():
    x, y, w = torch.ones(2, 2), torch.zeros(2), torch.full((2,), 0.5)
    return x, y, w


def pack_record(lib):
    x, y, w = _pack_unpack()
    packs = {"x": (x,), "x_y": (x, y), "x_y_w": (x, y, w), "x_none_w": (x, None, w),
             "tuple_x": ((x, y),)}
    return {key: _structure(lib.utils.pack_x_y_sample_weight(*args))
            for key, args in packs.items()}


def unpack_record(lib):
    x, y, w = _pack_unpack()
    unpacks = {"x": x, "tuple_1": (x,), "tuple_2": (x, y), "tuple_3": (x, y, w), "list_2": [x, y]}
    return {key: _structure(lib.utils.unpack_x_y_sample_weight(data))
            for key, data in unpacks.items()}


_CUSTOM = {}  # library name -> its registered custom classes (registered once per process)


def _custom_classes(lib):
    """A registered `Scale` (package "CompatPkg") and an unregistered `Shift` layer."""
    if lib.__name__ not in _CUSTOM:

        class Scale(lib.layers.Layer):
            def __init__(self, factor=2.0, **kwargs):
                super().__init__(**kwargs)
                self.factor = factor

            def call(self, inputs):
                return inputs * self.factor

            def get_config(self):
                return {**super().get_config(), "factor": self.factor}

        class Shift(Scale):
            def call(self, inputs):
                return inputs + self.factor

        registered = lib.utils.register_keras_serializable(package="CompatPkg", name="Scale")
        _CUSTOM[lib.__name__] = (registered(Scale), Shift)
    return _CUSTOM[lib.__name__]


def register_record(lib):
    """`register_keras_serializable`: the registered name, lookup and a round trip by it."""
    scale, _ = _custom_classes(lib)
    config = lib.utils.serialize_keras_object(scale(factor=3.0))
    restored = lib.utils.deserialize_keras_object(config)
    return {
        "name": lib.utils.get_registered_name(scale),
        "found": lib.utils.get_registered_object("CompatPkg>Scale") is scale,
        "serialized_as": [config["class_name"], config["registered_name"]],
        "restored": [type(restored).__name__, restored.factor],
    }


def registered_name_record(lib):
    scale, shift = _custom_classes(lib)
    return {
        "registered": lib.utils.get_registered_name(scale),
        "unregistered": lib.utils.get_registered_name(shift),
        "builtin": lib.utils.get_registered_name(lib.layers.Dense),
        "function": lib.utils.get_registered_name(lib.activations.relu),
    }


def registered_object_record(lib):
    scale, shift = _custom_classes(lib)
    get = lib.utils.get_registered_object
    return {
        "registered": get("CompatPkg>Scale") is scale,
        "unknown": get("CompatPkg>Shift"),
        "custom_objects": get("Shift", custom_objects={"Shift": shift}) is shift,
        "module_objects": get("Shift", module_objects={"Shift": shift}) is shift,
    }


def _describe(obj):
    if isinstance(obj, type):
        return {"class": obj.__name__}
    if hasattr(obj, "get_config"):
        config = {k: v for k, v in obj.get_config().items() if k != "name"}
        return {"instance": type(obj).__name__, "config": jsonable(config)}
    if callable(obj):
        return {"function": obj.__name__}
    return {"value": jsonable(obj)}


def _neutral(config):
    """A serialized config without layer names and the module of built-in objects (Keras
    writes its internal module paths there)."""
    if isinstance(config, dict):
        return {k: _neutral(v) for k, v in config.items() if k not in ("name", "module")}
    if isinstance(config, list):
        return [_neutral(v) for v in config]
    return config


def _serializable(lib):
    scale, _ = _custom_classes(lib)
    return {
        "loss": lib.losses.MeanAbsoluteError(reduction="sum"),
        "initializer": lib.initializers.Constant(0.25), "activation": lib.activations.relu,
        "registered_layer": scale(factor=3.0), "dense": lib.layers.Dense(3, activation="tanh"),
        "int": 4, "string": "relu", "list": [1, 2.5, "a"], "dict": {"a": 1, "b": [1, 2]},
        "none": None,
    }


def serialize_record(lib):
    """`serialize_keras_object` of built-in, registered and plain objects; the keys of a
    config apart (torchkeras adds `build_config: None`)."""
    record = {}
    for key, obj in _serializable(lib).items():
        config = jsonable(lib.utils.serialize_keras_object(obj))
        if isinstance(config, dict):
            record[key] = {"keys": sorted(config), "serialized": _neutral(
                {k: v for k, v in config.items() if k != "build_config"})}
        else:
            record[key] = {"serialized": config}
    return record


def deserialize_record(lib):
    """`deserialize_keras_object` of what `serialize_keras_object` wrote: the same objects."""
    record = {}
    for key, obj in _serializable(lib).items():
        config = lib.utils.serialize_keras_object(obj)
        record[key] = _describe(lib.utils.deserialize_keras_object(config))
    return record


def custom_object_scope_record(lib):
    """Unregistered `Shift` resolves only inside `custom_object_scope` / `CustomObjectScope`."""
    _, shift = _custom_classes(lib)
    config = {"class_name": "Shift", "config": {"factor": 1.5, "name": "s", "trainable": True,
                                                 "dtype": "float32"}}
    utils = lib.utils
    record = {"outside": utils.get_registered_object("Shift")}
    with utils.custom_object_scope({"Shift": shift}):
        record["inside_function"] = utils.get_registered_object("Shift") is shift
        restored = utils.deserialize_keras_object(dict(config))
        record["deserialized"] = _describe(restored)
    with utils.CustomObjectScope({"Shift": shift}):
        record["inside_class"] = utils.get_registered_object("Shift") is shift
    record["after"] = utils.get_registered_object("Shift")
    try:
        utils.deserialize_keras_object(dict(config))
        record["outside_deserialize"] = "no error"
    except (TypeError, ValueError) as error:
        record["outside_deserialize"] = type(error).__name__
    return record


def get_custom_objects_record(lib):
    """The global custom-object dict: registered classes are in it, a scope's are not, and an
    entry added to it resolves (removed again afterwards)."""
    scale, shift = _custom_classes(lib)
    objects = lib.utils.get_custom_objects()
    record = {"registered": objects.get("CompatPkg>Scale") is scale}
    with lib.utils.custom_object_scope({"Shift": shift}):
        record["scope_entry_in_global"] = "Shift" in lib.utils.get_custom_objects()
    objects["CompatShift"] = shift
    try:
        record["added_resolves"] = lib.utils.get_registered_object("CompatShift") is shift
    finally:
        del objects["CompatShift"]
    record["removed"] = lib.utils.get_registered_object("CompatShift")
    return record
