"""Objects <-> Keras' config dicts (`{"module", "class_name", "config", ...}`), never running code.

Classes are found by `class_name` (or `registered_name`) in torchkeras' closed registries and in
the custom objects the caller registered or passed; nothing named by a file is ever imported.
"""

import inspect
import json

import torch

from torchkeras import registry
from torchkeras.distribution.sharded_values import plain_type
from torchkeras.layers.operation import Operation
from torchkeras.optimizers.schedules import SCHEDULES
from torchkeras.registry import (
    CALLBACKS,
    CONSTRAINTS,
    INITIALIZERS,
    LAYERS,
    LOSSES,
    METRICS,
    OPTIMIZERS,
    REGULARIZERS,
)
from torchkeras.saving import value_configs
from torchkeras.saving.object_registration import get_registered_name

# Searched in this order for a class name; a config's `module` picks its family first.
_FAMILIES = (
    LAYERS, LOSSES, METRICS, OPTIMIZERS, SCHEDULES, INITIALIZERS, REGULARIZERS, CONSTRAINTS,
    CALLBACKS,
)
_MODEL_MODULES = {"Functional": "keras.src.models.functional", "Sequential": "keras"}
_DICT_KEYS = ("build_config", "compile_config")


def serialize_keras_object(obj):
    """A JSON-ready config of `obj`: plain values as they are, objects as Keras' dict form."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(item) for item in obj]
    if isinstance(obj, dict):
        return {key: serialize_keras_object(value) for key, value in obj.items()}
    if isinstance(obj, torch.dtype):
        return str(obj).replace("torch.", "")
    if value_configs.is_value(obj):
        return value_configs.value_config(obj, serialize_keras_object)
    if isinstance(obj, Operation):  # Keras' own module and class name (`ExpandDims`)
        return {"module": obj.keras_module, "class_name": obj.keras_class_name,
                "config": serialize_keras_object(obj.get_config()),
                "registered_name": obj.keras_class_name}
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        name = get_registered_name(obj)
        return {"module": "builtins", "class_name": "function", "config": name,
                "registered_name": "function"}
    if not hasattr(obj, "get_config"):
        raise ValueError(f"Cannot serialize {obj!r}: it has no `get_config()` method.")
    class_name = _class_name(obj)
    module = _module_of(obj, class_name)
    registered = None
    if module is None:  # a custom class: Keras writes its own module and registered name
        cls = plain_type(obj)
        module = None if cls.__module__ == "__main__" else cls.__module__
        registered = get_registered_name(cls)
    config = {
        "module": module,
        "class_name": class_name,
        "config": serialize_keras_object(obj.get_config()),
        "registered_name": registered,
    }
    build_config = obj.get_build_config() if hasattr(obj, "get_build_config") else None
    if build_config is not None:  # Keras leaves the key out for an unbuilt layer
        config["build_config"] = serialize_keras_object(build_config)
    if hasattr(obj, "get_compile_config"):
        config["compile_config"] = serialize_keras_object(obj.get_compile_config())
    return config


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs):
    """Rebuilds an object from `serialize_keras_object`'s output (or a Keras file's config).

    Args:
        config: A config dict, a plain value, or a list of them.
        custom_objects: `{name: class or function}` for objects that are not built in.
        safe_mode: Kept for Keras' signature: torchkeras never deserializes code (a Lambda's
            function must be passed in `custom_objects`), whatever its value.
    """
    if config is None or isinstance(config, (bool, int, float, str)):
        return config
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(item, custom_objects) for item in config]
    if not isinstance(config, dict):
        return config
    if "class_name" not in config:  # e.g. per-output losses keyed by output name
        return {key: deserialize_keras_object(value, custom_objects) for key, value in config.items()}
    if config["class_name"] == "function":
        return _function(config, custom_objects)
    if config["class_name"] in value_configs.VALUE_CLASS_NAMES:
        return value_configs.value_from_config(config)
    if str(config.get("module") or "").startswith("keras.src.ops."):
        return Operation.from_keras_class_name(config["class_name"], config.get("config") or {})
    cls = resolve_class(config, custom_objects)
    inner = config.get("config") or {}
    for key, value in (("config", inner), *((k, config.get(k)) for k in _DICT_KEYS)):
        if value is not None and not isinstance(value, dict):
            raise ValueError(
                f"The {key!r} of a {config['class_name']!r} config must be a dict, got "
                f"{type(value).__name__}."
            )
    with registry.CustomObjectsPushed(custom_objects), registry.Deserializing():
        if _takes_custom_objects(cls.from_config):
            obj = cls.from_config(inner, custom_objects=custom_objects)
        else:
            obj = cls.from_config(inner)
        build_config = config.get("build_config")
        if build_config and hasattr(obj, "build_from_config") and not obj.built:
            obj.build_from_config(build_config)
        compile_config = config.get("compile_config")
        if compile_config and hasattr(obj, "compile_from_config"):
            obj.compile_from_config(compile_config)
    return obj


def model_from_json(json_string, custom_objects=None):
    """A model (new weights) from `model.to_json()`'s output; loading never runs code."""
    return deserialize_keras_object(json.loads(json_string), custom_objects=custom_objects)


def resolve_class(config, custom_objects=None):
    """The class a config names: custom objects first, then the built-in registries."""
    class_name, module = config.get("class_name"), config.get("module") or ""
    if not isinstance(class_name, str):
        raise ValueError(f"A config's 'class_name' must be a string, got {class_name!r}.")
    names = [n for n in (config.get("registered_name"), class_name) if isinstance(n, str) and n]
    found = None
    for name in names:
        found = registry.merged_custom_objects(custom_objects).get(name)
        if found is not None:
            break
    families = sorted(_FAMILIES, key=lambda family: family.module != module)
    for family in families if found is None else ():
        if class_name in family:
            found = family.lookup(class_name)
            break
    if found is None:
        raise ValueError(
            f"Could not locate class {class_name!r} (module {module!r}). Register it with "
            "`@keras.saving.register_keras_serializable()` or pass it in `custom_objects`."
        )
    if not (inspect.isclass(found) and hasattr(found, "from_config")):
        raise ValueError(
            f"Config class_name {class_name!r} names {found!r}, which is not a class with "
            "`from_config`; refusing to build it."
        )
    return found


def _function(config, custom_objects):
    name = config.get("config")
    if not isinstance(name, str):
        raise ValueError(f"A function config must name the function, got config={name!r}.")
    found = registry.merged_custom_objects(custom_objects).get(name)
    if found is not None:
        return found
    for family in (registry.ACTIVATIONS, LOSSES, METRICS):
        if name in family:
            return family.lookup(name)
    raise ValueError(
        f"Could not locate function {name!r}. Pass it in `custom_objects` or register it with "
        "`@keras.saving.register_keras_serializable()`."
    )


def _class_name(obj):
    if getattr(obj, "_plain_functional", False):
        return "Functional"
    return type(obj).__name__


def _module_of(obj, class_name):
    if class_name in _MODEL_MODULES and type(obj).__name__ in ("Model", "Sequential"):
        return _MODEL_MODULES[class_name]
    for family in _FAMILIES:
        if class_name in family and family.lookup(class_name) is plain_type(obj):
            # a registered class Keras exports elsewhere (`keras.utils.FeatureSpace`)
            return getattr(plain_type(obj), "keras_export_module", family.module)
    return None


def _takes_custom_objects(method):
    try:
        return "custom_objects" in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False
