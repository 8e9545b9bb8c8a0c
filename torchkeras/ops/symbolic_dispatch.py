"""`keras.ops` on symbolic tensors: a call on a `keras.Input`-derived tensor records an operation.

In Keras, `keras.ops.expand_dims(inputs, -1)` or `inputs * 2` while building a functional model
adds an operation (`ExpandDims`, `Multiply`) to the model's graph. The ops live below the layers,
so this module only recognises symbolic tensors (by their base class) and hands the call to the
recorder the layers register (`layers/operation.py`); eagerly, an op costs one argument scan.
`keras_operations.json` (written by `compat/make_operation_table.py`) names each op's Keras
class and splits its parameters into the operation's config and its call arguments.
"""

import functools
import inspect
import json
from pathlib import Path

_TABLE_FILE = Path(__file__).with_name("keras_operations.json")
_recorder = []  # the layers' `record(name, call_args, config)`, once registered


class SymbolicTensor:
    """Base class of `KerasTensor`, so that ops can tell a symbolic argument from data."""

    __slots__ = ()


def set_recorder(record):
    """Registers the function that turns a symbolic op call into a graph operation."""
    _recorder[:] = [record]


@functools.cache
def keras_operations():
    """`{function name: (Keras module, class name, config parameters, call parameters)}`."""
    return {name: tuple(entry) for name, entry in json.loads(_TABLE_FILE.read_text()).items()}


def accept_symbolic_tensors(namespace, prefix=""):
    """Wraps each function of `namespace` (a module's globals) that Keras records as an operation,
    so that called on a symbolic tensor it records one instead of computing. `prefix` names the
    submodule in the table's keys (`"image."` for `ops.image`)."""
    for key in keras_operations():
        name = key.removeprefix(prefix)
        function = namespace.get(name) if key.startswith(prefix) else None
        if callable(function):
            namespace[name] = symbolic_aware(key, function)


def symbolic_aware(name, function):
    """`function`, recording operation `name` when an argument is a symbolic tensor."""
    if getattr(function, "symbolic_op", None) == name:
        return function  # already wrapped (a submodule's name re-exported by `keras.ops`)
    signature = inspect.signature(function)

    @functools.wraps(function)
    def op(*args, **kwargs):
        if _recorder and has_symbolic(args, kwargs):
            return _record(name, signature, args, kwargs)
        return function(*args, **kwargs)

    op.symbolic_op = name
    return op


def has_symbolic(args, kwargs):
    """Whether an argument, or an item of a list/tuple argument, is a symbolic tensor (the
    nesting `keras.ops` calls use; cheaper than flattening, as it runs on every eager call)."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, SymbolicTensor):
            return True
        if isinstance(value, (list, tuple)) and any(isinstance(v, SymbolicTensor) for v in value):
            return True
    return False


def _record(name, signature, args, kwargs):
    _, _, config_names, call_names = keras_operations()[name]
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    values = bound.arguments
    call_args = [values[key] for key in call_names]
    config = {key: values[key] for key in config_names}
    return _recorder[0](name, call_args, config)
