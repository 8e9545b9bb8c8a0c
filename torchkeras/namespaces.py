"""Completes public namespaces whose Keras names live at several levels of the package.

`keras.utils` holds helpers from saving and models, `keras.config` the dtype-policy setters,
`keras.layers` its `serialize`/`deserialize` (from saving),
`keras.mixed_precision` the `LossScaleOptimizer` (an optimizer): the lower-level packages cannot
import those, so `torchkeras/__init__.py` adds them once, explicitly, through `complete()`, and
`keras.utils.plot_model`, `from torchkeras.utils import plot_model` and
`keras.mixed_precision.LossScaleOptimizer` all work.
"""

from torchkeras import config, layers, mixed_precision, optimizers, saving, utils
from torchkeras.layers.preprocessing.feature_space import FeatureSpace
from torchkeras.layers.source_inputs import get_source_inputs
from torchkeras.layers.symbolic import KerasTensor
from torchkeras.models.plot_model import model_to_dot, plot_model
from torchkeras.ops import bounding_boxes
from torchkeras.trainer.data import pack_x_y_sample_weight, unpack_x_y_sample_weight


def is_keras_tensor(x):
    """Whether `x` is a symbolic `KerasTensor` (made by `keras.Input` or a layer on one)."""
    return isinstance(x, KerasTensor)


def serialize_layer(layer):
    """`keras.layers.serialize`: a layer's config in Keras' saved form (with `build_config`)."""
    return saving.serialize_keras_object(layer)


def deserialize_layer(config, custom_objects=None):
    """`keras.layers.deserialize`: a layer from `serialize`'s output; never runs code."""
    return saving.deserialize_keras_object(config, custom_objects=custom_objects)


HIGHER_LEVEL_UTILS = {
    "FeatureSpace": FeatureSpace,
    "bounding_boxes": bounding_boxes,
    "CustomObjectScope": saving.CustomObjectScope,
    "custom_object_scope": saving.custom_object_scope,
    "deserialize_keras_object": saving.deserialize_keras_object,
    "get_custom_objects": saving.get_custom_objects,
    "get_registered_name": saving.get_registered_name,
    "get_registered_object": saving.get_registered_object,
    "get_source_inputs": get_source_inputs,
    "is_keras_tensor": is_keras_tensor,
    "model_to_dot": model_to_dot,
    "pack_x_y_sample_weight": pack_x_y_sample_weight,
    "plot_model": plot_model,
    "register_keras_serializable": saving.register_keras_serializable,
    "serialize_keras_object": saving.serialize_keras_object,
    "unpack_x_y_sample_weight": unpack_x_y_sample_weight,
}


# namespace -> {name: object}, each a Keras name defined above the namespace's own level
ADDITIONS = {
    utils: HIGHER_LEVEL_UTILS,
    config: {
        "dtype_policy": mixed_precision.dtype_policy,
        "set_dtype_policy": mixed_precision.set_dtype_policy,
        "enable_interactive_logging": utils.enable_interactive_logging,
        "disable_interactive_logging": utils.disable_interactive_logging,
        "is_interactive_logging_enabled": utils.is_interactive_logging_enabled,
    },
    mixed_precision: {"LossScaleOptimizer": optimizers.LossScaleOptimizer},
    layers: {"serialize": serialize_layer, "deserialize": deserialize_layer},
}


def complete():
    """Adds `ADDITIONS` to their namespaces (and to their `__all__` where they have one)."""
    for module, names in ADDITIONS.items():
        for name, value in names.items():
            setattr(module, name, value)
        if hasattr(module, "__all__"):
            module.__all__ = sorted(set(module.__all__) | set(names), key=str.lower)
