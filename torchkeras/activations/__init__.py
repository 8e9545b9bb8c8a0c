"""Keras activation functions on torch tensors, registered by their Keras names.

`get`, `serialize` and `deserialize` follow `keras.activations`: a built-in activation is written
to configs as its plain name (`"relu"`), and `None` resolves to `linear`.
"""

from torchkeras.activations.normalizing import glu, log_softmax, softmax, sparsemax
from torchkeras.activations.rectifiers import (
    celu,
    elu,
    exponential,
    gelu,
    hard_silu,
    leaky_relu,
    linear,
    mish,
    relu,
    relu6,
    selu,
    silu,
    softplus,
    softsign,
    sparse_plus,
    squareplus,
)
from torchkeras.activations.squashing import (
    hard_shrink,
    hard_sigmoid,
    hard_tanh,
    log_sigmoid,
    sigmoid,
    soft_shrink,
    sparse_sigmoid,
    tanh,
    tanh_shrink,
    threshold,
)
from torchkeras.registry import ACTIVATIONS

swish = silu
hard_swish = hard_silu


def get(identifier):
    """Resolves an activation as `keras.activations.get`: `None` gives `linear`.

    Args:
        identifier: `None`, a registered name (`"relu"`, `"swish"`), a config (a plain name or
            Keras' `{"class_name": "function", "config": "relu"}`), or any callable, returned as is.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret activation function identifier: {identifier!r}. Expected None, "
        "a name, a config dict or a callable."
    )


def serialize(activation):
    """The config form of an activation: a built-in's registered name, e.g. `"relu"` for `relu`.

    Aliases write their canonical name (`swish` -> `"silu"`), as Keras does. Callable objects
    with `get_config` become a `{"module", "class_name", "config"}` dict.

    Args:
        activation: An activation function or callable object.
    """
    name = getattr(activation, "__name__", None)
    if name in ACTIVATIONS and ACTIVATIONS.lookup(name) is activation:
        return name
    return ACTIVATIONS.serialize(activation)


def deserialize(config, custom_objects=None):
    """Returns the activation a config names; unknown names raise ValueError with close matches.

    Args:
        config: A name, or a dict in Keras' function form `{"class_name": "function",
            "config": name}` or object form `{"class_name": ..., "config": {...}}`.
        custom_objects: Optional dict of extra names to resolve first.
    """
    if isinstance(config, str):
        return ACTIVATIONS.lookup(config, custom_objects)
    if isinstance(config, dict):
        if config.get("class_name") == "function" and isinstance(config.get("config"), str):
            registered = config.get("registered_name")
            if custom_objects and registered in custom_objects:
                return custom_objects[registered]
            return ACTIVATIONS.lookup(config["config"], custom_objects)
        return ACTIVATIONS.from_config(config, custom_objects)
    raise ValueError(
        f"Could not deserialize activation {config!r}: expected a name or a config dict."
    )


__all__ = [
    "celu",
    "deserialize",
    "elu",
    "exponential",
    "gelu",
    "get",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "leaky_relu",
    "linear",
    "log_sigmoid",
    "log_softmax",
    "mish",
    "relu",
    "relu6",
    "selu",
    "serialize",
    "sigmoid",
    "silu",
    "soft_shrink",
    "softmax",
    "softplus",
    "softsign",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "swish",
    "tanh",
    "tanh_shrink",
    "threshold",
]
