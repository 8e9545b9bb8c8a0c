"""Lambda: wraps a Python function as a layer, `function(inputs, **arguments)`."""

import inspect

from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS

_ANONYMOUS = "<lambda>"


@LAYERS.register()
class Lambda(Layer):
    """Calls `function(inputs, **arguments)`; the function's own code is never serialized.

    `get_config()` records the function by name only, so a config (or `.keras` file) never
    carries code. Unlike Keras, which stores a lambda's bytecode, `from_config` rebuilds the
    layer only when the caller passes the function itself in `custom_objects`: loading a file
    can therefore never run code that came from the file.

    Args:
        function: Callable taking the input as first argument; it also receives `mask` and
            `training` when its signature names them.
        output_shape: Output shape without the batch axis, or a callable mapping the full
            input shape to the full output shape; by default found by running the layer.
        mask: `None`, a callable `mask(inputs, previous_mask)` giving the output mask, or a
            fixed mask returned as is.
        arguments: Extra keyword arguments passed to `function`.

    Shapes: whatever `function` returns.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(
                f"Lambda '{self.name}': `function` must be callable, got function={function!r}."
            )
        if arguments is not None and not isinstance(arguments, dict):
            raise ValueError(
                f"Lambda '{self.name}': `arguments` must be a dict of keyword arguments, "
                f"got arguments={arguments!r}."
            )
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = mask is not None  # Keras: only a given `mask` is propagated
        self._output_shape = tuple(output_shape) if isinstance(output_shape, list) else output_shape
        parameters = _parameter_names(function)
        self._fn_expects_mask = "mask" in parameters
        self._fn_expects_training = "training" in parameters

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask:
            kwargs["mask"] = mask
        if self._fn_expects_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        """The output mask: `mask(inputs, mask)` when `mask` is callable, else `mask` itself."""
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        batch = input_shape[0] if isinstance(input_shape, tuple) else input_shape[0][0]
        return (batch, *self._output_shape)

    def get_config(self):
        layer_config = {**super().get_config(), "function": _function_config(self.function)}
        if self._output_shape is not None:
            layer_config["output_shape"] = (
                _function_config(self._output_shape)
                if callable(self._output_shape)
                else self._output_shape
            )
        if self.mask is not None:
            layer_config["mask"] = (
                _function_config(self.mask) if callable(self.mask) else _plain(self.mask)
            )
        layer_config["arguments"] = dict(self.arguments)
        return layer_config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuilds the layer; its functions must be passed in `custom_objects`, never loaded.

        A function recorded as `"f"` is looked up as `custom_objects["f"]`; an anonymous one
        (a Python lambda) under the layer's name.
        """
        config = dict(config)
        name = config.get("name")
        config["function"] = _resolve(config["function"], custom_objects, name, "function")
        if isinstance(config.get("output_shape"), (dict, str)):
            config["output_shape"] = _resolve(
                config["output_shape"], custom_objects, name, "output_shape"
            )
        if isinstance(config.get("mask"), (dict, str)):
            config["mask"] = _resolve(config["mask"], custom_objects, name, "mask")
        return cls(**config)


def _parameter_names(function):
    try:
        return set(inspect.signature(function).parameters)
    except (TypeError, ValueError):  # some builtins have no inspectable signature
        return set()


def _function_config(function):
    """Keras' config of a named function: its name only (a lambda is `"<lambda>"`)."""
    return {
        "module": "builtins",
        "class_name": "function",
        "config": getattr(function, "__name__", type(function).__name__),
        "registered_name": "function",
    }


def _plain(value):
    return value.tolist() if hasattr(value, "tolist") else value


def _function_name(entry):
    """The recorded name of a serialized function, or None for Keras' lambda bytecode."""
    if isinstance(entry, str):
        return entry
    if entry.get("class_name") == "__lambda__":
        return None
    name = entry.get("config")
    return name if isinstance(name, str) else None


def _resolve(entry, custom_objects, layer_name, argument):
    """Finds a serialized function in `custom_objects`, or refuses to rebuild the layer."""
    if callable(entry):
        return entry
    name = _function_name(entry)
    keys = [layer_name] if name in (None, _ANONYMOUS) else [name, layer_name]
    keys = [key for key in keys if key]
    for key in keys:
        if custom_objects and callable(custom_objects.get(key)):
            return custom_objects[key]
    what = "Python bytecode" if name is None else f"only the name {name!r}"
    key = repr(keys[0]) if keys else "'<name>'"
    raise ValueError(
        f"Lambda '{layer_name}': the config holds {what} for `{argument}`, and torchkeras never "
        "loads code from a config or file. Pass the function itself in `custom_objects`, "
        f"e.g. `custom_objects={{{key}: my_function}}` (keys looked up: {keys})."
    )
