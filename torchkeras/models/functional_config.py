"""A functional model's config (layers + `inbound_nodes`), written and replayed as Keras does."""

from torchkeras.layers.symbolic import KerasTensor
from torchkeras.saving.serialization import deserialize_keras_object, serialize_keras_object
from torchkeras.saving.value_configs import VALUE_CLASS_NAMES, value_from_config
from torchkeras.utils import nest


def functional_config(model):
    """`{"name", "trainable", "layers", "input_layers", "output_layers"}` of a functional model.

    Node indices are renumbered to count only the nodes of this model, so a layer shared with
    another model is written as if this model were its only user.
    """
    graph = model._graph
    renumber = {}
    for layer in graph.operations:
        for index, node in enumerate(graph.nodes_of(layer)):
            renumber[node] = index
    layers = []
    for layer in graph.operations:
        entry = serialize_keras_object(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [
            _node_config(node, renumber) for node in graph.nodes_of(layer) if node.call_args
        ]
        layers.append(entry)
    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layers,
        "input_layers": _endpoints(graph.input_structure, renumber),
        "output_layers": _endpoints(graph.output_structure, renumber),
    }


def _node_config(node, renumber):
    def tensor_config(value):
        if not isinstance(value, KerasTensor):
            return value
        layer, node_index, tensor_index = value.history
        source = layer._inbound_nodes[node_index]
        return {
            "class_name": "__keras_tensor__",
            "config": {
                "shape": list(value.shape),
                "dtype": value.dtype,
                "keras_history": [layer.name, renumber.get(source, node_index), tensor_index],
            },
        }

    return {
        "args": serialize_keras_object(nest.map_structure(tensor_config, list(node.call_args))),
        "kwargs": serialize_keras_object(nest.map_structure(tensor_config, node.call_kwargs)),
    }


def _endpoints(structure, renumber):
    def endpoint(tensor):
        layer, node_index, tensor_index = tensor.history
        return [layer.name, renumber.get(layer._inbound_nodes[node_index], node_index), tensor_index]

    if isinstance(structure, KerasTensor):
        return endpoint(structure)
    if isinstance(structure, dict):
        return {key: endpoint(value) for key, value in structure.items()}
    return [endpoint(tensor) for tensor in structure]


def functional_from_config(cls, config, custom_objects=None):
    """Rebuilds the layers from their configs and replays their calls, node by node."""
    layers, pending = {}, []
    for entry in config["layers"]:
        layer = deserialize_keras_object(_without_graph_keys(entry), custom_objects)
        layers[entry["name"]] = layer
        pending.extend((layer, node) for node in entry.get("inbound_nodes", []))
    tensors = {}
    for name, layer in layers.items():
        if type(layer).__name__ == "InputLayer":
            tensors[(name, 0, 0)] = layer.output
    while pending:
        # A layer's nodes replay in their saved order, so node indices keep their meaning.
        firsts = {}
        for layer, node in pending:
            firsts.setdefault(id(layer), (layer, node))
        ready = [(layer, node) for layer, node in firsts.values() if _inputs_known(node, tensors)]
        if not ready:
            raise ValueError(
                "The model config's `inbound_nodes` refer to tensors that no layer produces: "
                f"{[layer.name for layer, _ in pending]}."
            )
        layer, node = ready[0]
        pending.remove((layer, node))
        _replay(layer, node, tensors)
    inputs = _resolve_endpoints(config["input_layers"], tensors)
    outputs = _resolve_endpoints(config["output_layers"], tensors)
    return cls(inputs=inputs, outputs=outputs, name=config.get("name"),
               trainable=config.get("trainable", True))


def _without_graph_keys(entry):
    """The entry's object config; named after the entry when its config has no name (Keras'
    `keras.ops.image` operations leave it out)."""
    found = {key: value for key, value in entry.items() if key not in ("inbound_nodes", "name")}
    inner = found.get("config")
    if isinstance(inner, dict) and "name" not in inner and "name" in entry:
        found["config"] = {**inner, "name": entry["name"]}
    return found


def _is_tensor_config(value):
    return isinstance(value, dict) and value.get("class_name") == "__keras_tensor__"


def _history(value):
    return tuple(value["config"]["keras_history"])


def _inputs_known(node, tensors):
    leaves = nest.flatten([node.get("args", []), node.get("kwargs", {})])
    return all(_history(leaf) in tensors for leaf in _tensor_leaves(leaves))


def _tensor_leaves(leaves):
    return [leaf for leaf in leaves if _is_tensor_config(leaf)]


def _replay(layer, node, tensors):
    def resolve(value):
        if _is_tensor_config(value):
            return tensors[_history(value)]
        if isinstance(value, dict) and value.get("class_name") in VALUE_CLASS_NAMES:
            return value_from_config(value)  # a slice, Ellipsis or constant of an op's call
        if isinstance(value, dict):
            return {key: resolve(item) for key, item in value.items()}
        if isinstance(value, list):
            return [resolve(item) for item in value]
        return value

    args = resolve(node.get("args", []))
    kwargs = resolve(node.get("kwargs", {}))
    outputs = layer(*args, **kwargs)
    node_index = len(layer._inbound_nodes) - 1
    for tensor_index, tensor in enumerate(nest.flatten(outputs)):
        tensors[(layer.name, node_index, tensor_index)] = tensor


def _resolve_endpoints(structure, tensors):
    if isinstance(structure, dict):
        return {key: _resolve_endpoints(value, tensors) for key, value in structure.items()}
    if structure and not isinstance(structure[0], list):
        return tensors[tuple(structure)]
    return [tensors[tuple(endpoint)] for endpoint in structure]
