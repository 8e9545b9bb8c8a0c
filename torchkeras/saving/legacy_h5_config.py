"""tf.keras 2 model and training configs (legacy `.h5` files) translated into Keras 3's form.

A small, explicit converter: each Keras 2 convention the reader meets is rewritten into the
Keras 3 form that `deserialize_keras_object` reads, and nothing else changes.

- `Model` (TF <= 2.3) and `Functional` models: `inbound_nodes` given as nested lists
  `[[["dense", 0, 0, {}], ...]]` become `{"args": [...], "kwargs": {...}}` nodes whose tensors
  are `__keras_tensor__` configs; a single input or output endpoint is unwrapped.
- `Sequential`: a first layer carrying `batch_input_shape` gets an `InputLayer` in front.
- `InputLayer`: `batch_input_shape` -> `batch_shape`.
- Dtypes: a `Policy` dict becomes its name. Initializers, regularizers and constraints (keys
  ending in `_initializer`, ...) get their Keras 3 `module`, so lookups pick the right family.
- Arguments Keras 3 removed are dropped (`Embedding.input_length`); a `Lambda`'s marshalled
  bytecode is dropped unread, so only a function the caller passes can rebuild it.
- Training configs: optimizer arguments Keras 3 lacks (`decay`, `is_legacy_optimizer`,
  `jit_compile`) are dropped, `lr` is renamed; loss `reduction="auto"` becomes Keras 3's
  default; `MeanMetricWrapper` metrics become their names (else their functions' names).
"""

import warnings

from torchkeras.registry import METRICS

_MODELS = {"Model": "Functional", "Functional": "Functional", "Sequential": "Sequential"}
_FAMILY_SUFFIXES = {
    "_initializer": "keras.initializers",
    "_regularizer": "keras.regularizers",
    "_constraint": "keras.constraints",
}
_REMOVED_ARGUMENTS = {"Embedding": ("input_length",)}
_LAMBDA_KEYS = ("function_type", "module", "output_shape_type", "output_shape_module")
_OPTIMIZER_REMOVED = ("is_legacy_optimizer", "jit_compile", "decay")
_SHAPE_RESOLVED_METRICS = ("accuracy", "acc", "crossentropy", "ce")


def convert_model_config(config):
    """A tf.keras 2 `{"class_name", "config"}` model (or layer) config in Keras 3's form."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "The file's `model_config` is not a `{'class_name': ..., 'config': ...}` dict; "
            f"got {type(config).__name__}."
        )
    return _layer(config)


def _layer(entry):
    class_name = entry["class_name"]
    if class_name in _MODELS:
        converted = {"class_name": _MODELS[class_name], "config": _model(class_name, entry)}
    else:
        converted = {"class_name": class_name, "config": _layer_config(class_name, entry)}
    for key in ("name", "inbound_nodes"):
        if key in entry:
            converted[key] = entry[key]
    return converted


def _model(class_name, entry):
    config = entry.get("config")
    if _MODELS[class_name] == "Sequential":
        return _sequential(config)
    return _functional(config)


def _layer_config(class_name, entry):
    config = dict(entry.get("config") or {})
    for key in _REMOVED_ARGUMENTS.get(class_name, ()):
        config.pop(key, None)
    if class_name == "Lambda":
        config = _lambda(config)
    if class_name == "InputLayer" and "batch_input_shape" in config:
        config["batch_shape"] = config.pop("batch_input_shape")
    if "dtype" in config:
        config["dtype"] = _dtype(config["dtype"])
    for key, value in list(config.items()):
        module = next((m for s, m in _FAMILY_SUFFIXES.items() if key.endswith(s)), None)
        if module and isinstance(value, dict) and "class_name" in value and "module" not in value:
            config[key] = {
                "module": module,
                "class_name": value["class_name"],
                "config": value.get("config") or {},
                "registered_name": None,
            }
    return config


def _dtype(dtype):
    """A dtype string as is; Keras 2's `{"class_name": "Policy", ...}` becomes its name."""
    if isinstance(dtype, dict) and dtype.get("class_name") in ("Policy", "PolicyV1"):
        return (dtype.get("config") or {}).get("name")
    return dtype


def _lambda(config):
    """Keras 2 Lambda functions as Keras 3 entries; marshalled bytecode is dropped unread."""
    config = dict(config)
    types = {
        "function": config.get("function_type"),
        "output_shape": config.get("output_shape_type"),
    }
    for key in _LAMBDA_KEYS:
        config.pop(key, None)
    for key, kind in types.items():
        value = config.get(key)
        if kind == "lambda" or (key == "function" and isinstance(value, (list, tuple))):
            config[key] = {"class_name": "__lambda__", "config": {}}
        elif kind == "raw" or (key == "function" and isinstance(value, str)):
            config[key] = {"module": "builtins", "class_name": "function", "config": value}
    return config


def _sequential(config):
    if isinstance(config, list):  # Keras 2.0-era files: the config is the list of layers
        config = {"layers": config}
    layers = []
    for entry in config.get("layers", []):
        converted = _layer(entry)
        shape = None
        if converted["class_name"] != "InputLayer":
            shape = converted["config"].pop("batch_input_shape", None)
        if shape is not None and not layers:
            layers.append(_input_layer(shape, converted["config"]))
        layers.append(converted)
    result = {"name": config.get("name"), "trainable": config.get("trainable", True)}
    result["layers"] = layers
    if config.get("build_input_shape") is not None:
        result["build_input_shape"] = config["build_input_shape"]
    return result


def _input_layer(shape, first_config):
    """The InputLayer Keras 2 implied for a Sequential whose first layer has an input shape."""
    dtype = first_config.get("dtype")
    return {
        "class_name": "InputLayer",
        "config": {
            "batch_shape": shape,
            "dtype": dtype if isinstance(dtype, str) else "float32",
            "name": f"{first_config.get('name', 'sequential')}_input",
        },
    }


def _functional(config):
    layers = []
    for entry in config.get("layers", []):
        converted = _layer(entry)
        converted["name"] = entry.get("name") or converted["config"].get("name")
        if converted["class_name"] != "InputLayer":
            converted["config"].pop("batch_input_shape", None)
        converted["inbound_nodes"] = [_node(node) for node in entry.get("inbound_nodes", [])]
        layers.append(converted)
    return {
        "name": config.get("name"),
        "trainable": config.get("trainable", True),
        "layers": layers,
        "input_layers": _endpoints(config.get("input_layers", [])),
        "output_layers": _endpoints(config.get("output_layers", [])),
    }


def _is_history(value):
    return (
        isinstance(value, (list, tuple))
        and len(value) in (3, 4)
        and isinstance(value[0], str)
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value[1:3])
    )


def _tensor(history):
    return {"class_name": "__keras_tensor__", "config": {"keras_history": list(history[:3])}}


def _node(node):
    """A Keras 2 node `[[layer, node_index, tensor_index, kwargs], ...]` as a Keras 3 node."""
    if isinstance(node, dict):
        return node
    if not isinstance(node, list) or not all(_is_history(item) for item in node) or not node:
        raise ValueError(f"Unrecognized `inbound_nodes` entry in a Keras 2 config: {node!r}.")
    tensors = [_tensor(item) for item in node]
    kwargs = node[0][3] if len(node[0]) > 3 and isinstance(node[0][3], dict) else {}
    kwargs = {
        key: _tensor(value) if _is_history(value) else value for key, value in kwargs.items()
    }
    return {"args": [tensors[0]] if len(tensors) == 1 else [tensors], "kwargs": kwargs}


def _endpoints(endpoints):
    if isinstance(endpoints, dict) or _is_history(endpoints):
        return endpoints
    endpoints = [list(item[:3]) for item in endpoints]
    return endpoints[0] if len(endpoints) == 1 else endpoints


# ---- training config --------------------------------------------------------------------
def convert_training_config(training, single_output):
    """A tf.keras 2 `training_config` as the `compile_config` `compile_from_config` reads."""
    return {
        "optimizer": _optimizer(training.get("optimizer_config")),
        "loss": _loss(training.get("loss")),
        "loss_weights": training.get("loss_weights"),
        "metrics": _metrics(training.get("metrics"), single_output),
        "weighted_metrics": _metrics(training.get("weighted_metrics"), single_output),
    }


def _optimizer(config):
    if not isinstance(config, dict) or "class_name" not in config:
        return "rmsprop"
    arguments = dict(config.get("config") or {})
    if "lr" in arguments:
        arguments.setdefault("learning_rate", arguments.pop("lr"))
    if arguments.get("decay"):
        warnings.warn(
            f"The file's optimizer uses tf.keras 2's `decay={arguments['decay']}`, which Keras 3 "
            "no longer has; it is ignored (use a learning rate schedule instead).",
            stacklevel=4,
        )
    for key in _OPTIMIZER_REMOVED:
        arguments.pop(key, None)
    schedule = arguments.get("learning_rate")
    if isinstance(schedule, dict) and "class_name" in schedule:
        arguments["learning_rate"] = {**schedule, "module": "keras.optimizers.schedules"}
    class_name = config["class_name"].split(">")[-1]  # TF 2.11+ writes "Custom>Adam"
    return {"module": "keras.optimizers", "class_name": class_name, "config": arguments}


def _loss(loss):
    if isinstance(loss, list):
        return [_loss(item) for item in loss]
    if isinstance(loss, dict) and "class_name" not in loss:
        return {key: _loss(value) for key, value in loss.items()}
    if isinstance(loss, dict):
        arguments = dict(loss.get("config") or {})
        if arguments.get("reduction") in ("auto", None):
            arguments["reduction"] = "sum_over_batch_size"
        return {"module": "keras.losses", "class_name": loss["class_name"], "config": arguments}
    return loss


def _metrics(metrics, single_output):
    if metrics is None:
        return None
    if isinstance(metrics, dict):
        return {key: _metrics(value, False) for key, value in metrics.items()}
    converted = [_metric(item) for item in metrics]
    if single_output and len(converted) == 1 and isinstance(converted[0], list):
        return converted[0]  # TF 2 writes one list per output, even for one output
    return converted


def _metric(metric):
    if isinstance(metric, list):
        return [_metric(item) for item in metric]
    if not isinstance(metric, dict) or "class_name" not in metric:
        return metric
    config = metric.get("config") or {}
    if metric["class_name"] == "MeanMetricWrapper":
        name = config.get("name")  # the string the user compiled with, e.g. "mae"
        known = name in _SHAPE_RESOLVED_METRICS or name in METRICS
        return name if known or not config.get("fn") else config["fn"]
    return {"module": "keras.metrics", "class_name": metric["class_name"], "config": config}
