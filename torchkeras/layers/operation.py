"""Operation: a `keras.ops` call recorded in a functional model (Keras' `ExpandDims`, `Add`, ...).

`keras.ops.expand_dims(inputs, -1)`, `inputs * 2` or `inputs[:, 0]` on a symbolic tensor adds
one to the graph being built. It has no weights; it shows in `summary()` and in the model's
config under Keras' module and class name (so `.keras` files travel both ways) but, as in
Keras, not in `model.layers`.
"""

from torchkeras import ops
from torchkeras.layers.layer import Layer
from torchkeras.ops import numpy_indexing, symbolic_dispatch
from torchkeras.utils import naming


def _get_item(x, key):
    """`x[key]`; a key read back from JSON is a list, a tuple again if it holds slices."""
    if isinstance(key, list) and not all(isinstance(k, int) for k in key):
        key = tuple(key)
    return numpy_indexing.get_item(x, key)


_NOT_PUBLIC = {"get_item": _get_item}  # KerasTensor.__getitem__'s operation


def _public_function(function_name):
    """`keras.ops.<name>`, or `keras.ops.image.<name>` for the table's `image.<name>` keys."""
    namespace = ops
    for part in function_name.split(".")[:-1]:
        namespace = getattr(namespace, part)
    return getattr(namespace, function_name.split(".")[-1])


class Operation(Layer):
    """`keras.ops.<function_name>(*call_args, **config)` as a node of a functional graph.

    Args:
        function_name: The `keras.ops` function, e.g. `"expand_dims"`.
        config: Its arguments that Keras keeps in the operation's config (e.g. `axis`).
        name: The node's name; by default the snake-case Keras class name (`"expand_dims"`).
    """

    def __init__(self, function_name, config=None, name=None):
        operations = symbolic_dispatch.keras_operations()
        if function_name not in operations:
            raise ValueError(
                f"Operation: {function_name!r} is not a `keras.ops` function recorded as an "
                f"operation; expected one of {len(operations)} names such as 'add'."
            )
        self.function_name = function_name
        self.keras_module, self.keras_class_name, _, _ = operations[function_name]
        super().__init__(name=name)
        self.op_config = dict(config or {})
        self._function = _NOT_PUBLIC.get(function_name) or _public_function(function_name)
        self.built = True

    @classmethod
    def from_keras_class_name(cls, class_name, config):
        """The operation a Keras config names (`"ExpandDims"`, `{"name": ..., "axis": -1}`)."""
        for function_name, (_, keras_class, _, _) in symbolic_dispatch.keras_operations().items():
            if keras_class == class_name:
                config = dict(config)
                return cls(function_name, config, name=config.pop("name", None))
        raise ValueError(f"Unknown Keras operation class {class_name!r} in a model config.")

    def _default_name(self):
        return naming.to_snake_case(self.keras_class_name)

    def __call__(self, *args):
        if symbolic_dispatch.has_symbolic(args, {}):  # every graph step: the cheap check
            return self._symbolic_call(args, {})
        return self.call(*args)

    def forward(self, *args):
        return self.call(*args)

    def call(self, *args):
        """The op on its call arguments; no dtype-policy casts (Keras' ops compute in their
        inputs' dtypes)."""
        return self._function(*args, **self.op_config)

    def get_config(self):
        return {"name": self.name, **self.op_config}

    def extra_repr(self):
        return f"name={self.name}, op={self.function_name}"


def record(function_name, call_args, config):
    """Adds `function_name(*call_args, **config)` on symbolic tensors to the graph being built."""
    return Operation(function_name, config)(*call_args)


symbolic_dispatch.set_recorder(record)
