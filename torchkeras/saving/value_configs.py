"""Plain values inside a functional model's node arguments, in Keras' config form.

`inputs[:, 1:3, ...]` records a key of slices and an Ellipsis; `inputs * np.array(...)` a NumPy
constant. Keras writes them as `{"class_name": "__slice__" | "__ellipsis__" | "__numpy__" |
"__tensor__", "config": {...}}`; these read back as values only, never as code.
"""

import numpy as np
import torch

from torchkeras import config as keras_config

VALUE_CLASS_NAMES = ("__slice__", "__ellipsis__", "__numpy__", "__tensor__")


def is_value(obj):
    """Whether `obj` is one of the values written in this module's form."""
    return obj is Ellipsis or isinstance(obj, (slice, np.ndarray, np.generic, torch.Tensor))


def value_config(obj, serialize):
    """Keras' config of a slice, Ellipsis, NumPy array/scalar or tensor (`serialize` for the
    parts of a slice)."""
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(obj, slice):
        parts = {"start": obj.start, "stop": obj.stop, "step": obj.step}
        return {"class_name": "__slice__", "config": serialize(parts)}
    if isinstance(obj, torch.Tensor):
        value = obj.detach().cpu()
        return {"class_name": "__tensor__",
                "config": {"value": value.tolist(), "dtype": keras_config.dtype_name(value.dtype)}}
    array = np.asarray(obj)
    return {"class_name": "__numpy__", "config": {"value": array.tolist(), "dtype": array.dtype.name}}


def value_from_config(config):
    """The value of a config written by `value_config`."""
    class_name, inner = config["class_name"], config.get("config") or {}
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__slice__":
        return slice(inner.get("start"), inner.get("stop"), inner.get("step"))
    if class_name == "__tensor__":
        return torch.tensor(inner["value"], dtype=keras_config.standardize_dtype(inner["dtype"]))
    return np.asarray(inner["value"], dtype=np.dtype(inner["dtype"]))
