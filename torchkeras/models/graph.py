"""The graph of a functional model: traced once from its KerasTensors, run as a flat plan."""

from torchkeras import config
from torchkeras.layers import masking_support
from torchkeras.layers.core.input_layer import Input, InputLayer
from torchkeras.layers.operation import Operation
from torchkeras.layers.symbolic import KerasTensor
from torchkeras.utils import nest


class _Slot:
    """Placeholder for the value of one symbolic tensor inside a recorded call's arguments."""

    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index


class Graph:
    """Nodes between a model's inputs and outputs, in Keras' layer order and a runnable order.

    Calling the model fills one slot per symbolic tensor: inputs first, then for each node in
    topological order `outputs = layer(*args)`, with arguments read from slots. Nothing about
    the graph is looked up during a call.

    Args:
        inputs: A KerasTensor, or a list / dict of them, each made by `keras.Input`.
        outputs: A KerasTensor, or a list / dict of them, computed from `inputs`.
    """

    def __init__(self, inputs, outputs):
        self._check_tensors(nest.flatten(inputs), nest.flatten(outputs))
        inputs, outputs = _with_input_layers(inputs, outputs)
        self.input_structure = inputs
        self.output_structure = outputs
        self.inputs = nest.flatten(inputs)
        self.outputs = nest.flatten(outputs)
        self.nodes, self.operations, self.depth = _trace(self.outputs)
        # Keras' `model.layers` leaves out the operations that `keras.ops` calls recorded
        self.layers = [op for op in self.operations if not isinstance(op, Operation)]
        self._check_inputs_reach()
        slots = {}
        for tensor in self.inputs:
            slots.setdefault(id(tensor), len(slots))
        self.input_slots = [slots[id(t)] for t in self.inputs]
        self.input_dtypes = [  # None: a string input, passed through as given
            None if t.dtype == "string" else config.standardize_dtype(t.dtype) for t in self.inputs
        ]
        self.plan = [self._plan_step(node, slots) for node in self.nodes if node.call_args]
        self.output_template = _template(outputs, slots)
        self.slot_count = len(slots)

    @staticmethod
    def _check_tensors(inputs, outputs):
        for role, tensors in (("inputs", inputs), ("outputs", outputs)):
            for tensor in tensors:
                if not isinstance(tensor, KerasTensor):
                    raise ValueError(
                        f"All model {role} must be symbolic tensors (from `keras.Input` or a "
                        f"layer called on one), got {type(tensor).__name__}: {tensor!r}."
                    )

    def _check_inputs_reach(self):
        given = {id(t) for t in self.inputs}
        for node in self.nodes:
            if isinstance(node.layer, InputLayer) and id(node.outputs) not in given:
                raise ValueError(
                    f"The outputs depend on input '{node.layer.name}', which is not among the "
                    f"model's inputs {[t.name for t in self.inputs]}."
                )

    def _plan_step(self, node, slots):
        for tensor in node.output_tensors:
            slots.setdefault(id(tensor), len(slots))
        args = _template(node.call_args, slots)
        kwargs = _template(node.call_kwargs, slots)
        single = None
        if not kwargs and len(args) == 1 and isinstance(args[0], _Slot):
            single = args[0].index
        outputs = [slots[id(t)] for t in node.output_tensors]
        single_output = isinstance(node.outputs, KerasTensor)
        return node.layer, single, args, kwargs, outputs, single_output

    def run(self, inputs, masks=None):
        """Runs the plan on a flat list of tensors, one per model input, in `self.inputs` order.

        Masks travel on the tensors (`_keras_mask`), so each layer sees its inputs' masks as in
        an eager call; `masks` (one per input, or None) are first attached to the inputs.
        """
        if masks is not None:
            if isinstance(masks, dict):  # keyed by input name, like dict inputs
                masks = [masks.get(name) for name in self._input_names()]
            for value, mask in zip(inputs, nest.flatten(masks)):
                if mask is not None:
                    masking_support.set_mask(value, mask)
        values = [None] * self.slot_count
        for slot, dtype, value, tensor in zip(
            self.input_slots, self.input_dtypes, inputs, self.inputs
        ):
            value = _adjust_rank(value, tensor.shape)
            convert = dtype is not None and value.dtype != dtype
            values[slot] = _converted(value, dtype) if convert else value
        for layer, single, args, kwargs, outputs, single_output in self.plan:
            if single is not None:
                result = layer(values[single])
            else:
                result = layer(*_fill(args, values), **_fill(kwargs, values))
            if single_output:
                values[outputs[0]] = result
            else:
                for slot, tensor in zip(outputs, nest.flatten(result)):
                    values[slot] = tensor
        return _fill(self.output_template, values)

    def flatten_inputs(self, inputs, model_name):
        """Orders call inputs (a tensor, a list, or a dict keyed by input name) like `self.inputs`."""
        if isinstance(inputs, dict):
            names = self._input_names()
            missing = [name for name in names if name not in inputs]
            if missing:
                raise ValueError(
                    f"Model '{model_name}' expects inputs named {names}; missing {missing} in "
                    f"the given dict with keys {sorted(inputs)}."
                )
            return [inputs[name] for name in names]
        flat = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(flat) != len(self.inputs):
            raise ValueError(
                f"Model '{model_name}' expects {len(self.inputs)} input(s) "
                f"{[t.name for t in self.inputs]}, but it was called on {len(flat)}."
            )
        return flat

    def _input_names(self):
        if isinstance(self.input_structure, dict):
            return list(self.input_structure)
        return [t.history[0].name for t in self.inputs]

    def nodes_of(self, layer):
        """The nodes of `layer` that belong to this graph."""
        return [node for node in self.nodes if node.layer is layer]


def _trace(outputs, stops=frozenset()):
    """Nodes in topological order, layers in Keras' order (by depth, then discovery), depths.

    The producers of the tensors whose ids are in `stops` (model inputs) are not traced.
    """
    finished, discovered, in_progress = [], {}, set()

    def visit(node):
        if node in in_progress:
            raise ValueError(f"The graph has a cycle at layer '{node.layer.name}'.")
        if node in finished_set:
            return
        discovered.setdefault(node.layer, len(discovered))
        in_progress.add(node)
        for parent in _parents(node, stops):
            visit(parent)
        in_progress.discard(node)
        finished_set.add(node)
        finished.append(node)

    finished_set = set()
    for tensor in outputs:
        visit(tensor.history[0]._inbound_nodes[tensor.history[1]])
    node_depth, layer_depth = {}, {}
    for node in reversed(finished):
        depth = max(node_depth.setdefault(node, 0), layer_depth.get(node.layer, 0))
        layer_depth[node.layer] = node_depth[node] = depth
        for parent in _parents(node, stops):
            node_depth[parent] = max(depth + 1, node_depth.get(parent, 0))
    layers = sorted(discovered, key=lambda layer: (-layer_depth[layer], discovered[layer]))
    return finished, layers, node_depth


def _with_input_layers(inputs, outputs):
    """Model inputs that are a layer's outputs (`Model(encoded_features, ...)`), as Keras does:
    each is replaced by a new InputLayer named `<tensor name>CLONE`, and the calls between the
    clones and the outputs are recorded again on them (the layers are shared)."""
    intermediate = [
        t for t in nest.flatten(inputs) if not isinstance(t.history[0], InputLayer)
    ]
    if not intermediate:
        return inputs, outputs
    clones = {
        id(t): Input(batch_shape=t.shape, dtype=t.dtype, name=f"{t.name}CLONE")
        for t in intermediate
    }
    for node in _trace(nest.flatten(outputs), set(clones))[0]:
        if isinstance(node.layer, InputLayer):
            continue
        args, kwargs = _cloned((node.call_args, node.call_kwargs), clones)
        new_outputs = node.layer(*args, **kwargs)
        for old, new in zip(node.output_tensors, nest.flatten(new_outputs)):
            clones[id(old)] = new
    return _cloned(inputs, clones), _cloned(outputs, clones)


def _cloned(structure, clones):
    return nest.map_structure(
        lambda x: clones.get(id(x), x) if isinstance(x, KerasTensor) else x, structure
    )


def _parents(node, stops):
    """The nodes that produced `node`'s inputs, except the inputs listed in `stops`."""
    return [
        t.history[0]._inbound_nodes[t.history[1]] for t in node.input_tensors if id(t) not in stops
    ]


def _adjust_rank(value, shape):
    """Keras' `_adjust_input_rank`: adds or drops a trailing axis of size 1 that the input's
    declared `shape` lacks or has (`(batch,)` data for an `Input(shape=(1,))`)."""
    ndim = getattr(value, "ndim", None)
    if ndim is None or ndim == len(shape):
        return value
    if ndim == len(shape) - 1 and shape[-1] == 1:
        adjusted = value[..., None]
    elif ndim == len(shape) + 1 and value.shape[-1] == 1:
        adjusted = value[..., 0]
    else:
        return value
    mask = masking_support.get_mask(value) if hasattr(value, "device") else None
    if mask is not None:
        masking_support.set_mask(adjusted, mask)
    return adjusted


def _converted(value, dtype):
    """`value.to(dtype)`, keeping its Keras mask."""
    converted = value.to(dtype)
    mask = masking_support.get_mask(value)
    if mask is not None:
        masking_support.set_mask(converted, mask)
    return converted


def _template(structure, slots):
    return nest.map_structure(
        lambda x: _Slot(slots[id(x)]) if isinstance(x, KerasTensor) else x, structure
    )


def _fill(template, values):
    return nest.map_structure(
        lambda x: values[x.index] if isinstance(x, _Slot) else x, template
    )
