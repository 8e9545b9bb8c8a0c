"""How a layer class records its constructor and build: Keras' automatic config and `built` flag."""

import functools
import inspect


def marks_built(build):
    """Wraps a subclass' `build` so that calling it directly also marks the layer built."""

    @functools.wraps(build)
    def build_and_mark(self, *args, **kwargs):
        if self._build_shapes is None:
            self._build_shapes = args[0] if len(args) == 1 else (list(args) or None)
        result = build(self, *args, **kwargs)
        self.built = True
        return result

    return build_and_mark


def records_arguments(init):
    """Wraps a subclass' `__init__` to remember its arguments, for Keras' automatic config."""

    @functools.wraps(init)
    def init_and_record(self, *args, **kwargs):
        if "_init_arguments" not in self.__dict__:  # the outermost constructor's call only
            bound = inspect.signature(init).bind_partial(self, *args, **kwargs).arguments
            bound.pop(next(iter(bound)))  # self
            extra = bound.pop("kwargs", None) if has_var_keyword(init) else None
            self.__dict__["_init_arguments"] = {**bound, **(extra or {})}
        init(self, *args, **kwargs)

    return init_and_record


def has_var_keyword(function):
    return any(
        p.kind is inspect.Parameter.VAR_KEYWORD
        for p in inspect.signature(function).parameters.values()
    )


def constructor_config(layer):
    """A custom layer's constructor arguments, when they are plain (serializable) values."""
    arguments = layer.__dict__.get("_init_arguments", {})
    unusable = [key for key, value in arguments.items() if not plain(value)]
    if unusable:
        raise ValueError(
            f"Layer '{layer.name}' of class {type(layer).__name__} was created with arguments "
            f"{unusable} that cannot be written to a config; implement `get_config()` (and, if "
            "needed, `from_config()`) for this class."
        )
    return dict(arguments)


def plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, (list, tuple)):
        return all(plain(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    return False


def accepted(cls, config):
    """The config entries `cls.__init__` accepts (all of them if it takes `**kwargs`)."""
    if has_var_keyword(cls.__init__):
        return dict(config)
    names = inspect.signature(cls.__init__).parameters
    return {key: value for key, value in config.items() if key in names}


def as_shape(shape):
    """JSON lists back to shape tuples (nested lists of shapes stay lists)."""
    if isinstance(shape, (list, tuple)) and all(d is None or isinstance(d, int) for d in shape):
        return tuple(shape)
    if isinstance(shape, dict):
        return {key: as_shape(value) for key, value in shape.items()}
    return [as_shape(item) for item in shape]


def uses_base_get_config(layer):
    """Whether `get_config` comes from the base `Layer`/`Model` (so Keras' automatic config applies)."""
    definer = next(klass for klass in type(layer).__mro__ if "get_config" in klass.__dict__)
    return definer.__module__.startswith("torchkeras.") and definer.__name__ in ("Layer", "Model")


def declared_input_shape(kwargs):
    """The batch input shape a layer's `batch_input_shape`/`input_shape`/`input_dim` declare."""
    if kwargs.get("batch_input_shape") is not None:
        return tuple(kwargs["batch_input_shape"])
    if kwargs.get("input_shape") is not None:
        return (kwargs.get("batch_size"), *kwargs["input_shape"])
    if kwargs.get("input_dim") is not None:
        return (kwargs.get("batch_size"), kwargs["input_dim"])
    return None
