"""Activations on symbolic tensors: `keras.activations.gelu(x)` while building a functional model
records the `keras.ops` operation Keras records (`Gelu`), with the activation's arguments."""

import functools
import inspect

from torchkeras import ops
from torchkeras.ops.symbolic_dispatch import SymbolicTensor


def records(target):
    """Decorator: on a symbolic tensor, call `keras.ops.<target>` (a name) or `target` (a
    function of the same arguments) instead of computing; tensors take the activation itself."""

    def decorate(function):
        signature = inspect.signature(function)
        symbolic = getattr(ops, target) if isinstance(target, str) else target

        @functools.wraps(function)
        def activation(x, *args, **kwargs):
            if isinstance(x, SymbolicTensor):
                bound = signature.bind(x, *args, **kwargs)
                bound.apply_defaults()
                return symbolic(**bound.arguments)
            return function(x, *args, **kwargs)

        return activation

    return decorate


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """`relu` on a symbolic tensor: `ops.relu` (or `leaky_relu`) when it is one, else Keras'
    composition, step by step as the eager `activations.relu` does."""
    if max_value is None and threshold == 0:
        return ops.relu(x) if negative_slope == 0 else ops.leaky_relu(x, negative_slope)
    negative_part = ops.relu(threshold - x) if negative_slope != 0 else None
    outputs = ops.where(x > threshold, x, 0.0) if threshold != 0 else ops.relu(x)
    if max_value is not None:
        outputs = ops.clip(outputs, 0.0, max_value)
    return outputs if negative_part is None else outputs - negative_slope * negative_part
