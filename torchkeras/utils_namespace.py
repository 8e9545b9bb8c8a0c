"""Completes the public `keras.utils` namespace with the helpers that live above level 0.

`torchkeras/utils/` is the bottom level, so it cannot import the layers, saving or models that
some of Keras' `keras.utils` functions belong to; `torchkeras/__init__.py` adds these names to
it once, explicitly, so `keras.utils.plot_model` and `from torchkeras.utils import plot_model`
both work.
"""

from torchkeras import saving, utils
from torchkeras.layers.symbolic import KerasTensor
from torchkeras.models.plot_model import model_to_dot, plot_model
from torchkeras.trainer.data import pack_x_y_sample_weight, unpack_x_y_sample_weight


def is_keras_tensor(x):
    """Whether `x` is a symbolic `KerasTensor` (made by `keras.Input` or a layer on one)."""
    return isinstance(x, KerasTensor)


HIGHER_LEVEL_UTILS = {
    "CustomObjectScope": saving.CustomObjectScope,
    "custom_object_scope": saving.custom_object_scope,
    "deserialize_keras_object": saving.deserialize_keras_object,
    "get_custom_objects": saving.get_custom_objects,
    "get_registered_name": saving.get_registered_name,
    "get_registered_object": saving.get_registered_object,
    "is_keras_tensor": is_keras_tensor,
    "model_to_dot": model_to_dot,
    "pack_x_y_sample_weight": pack_x_y_sample_weight,
    "plot_model": plot_model,
    "register_keras_serializable": saving.register_keras_serializable,
    "serialize_keras_object": saving.serialize_keras_object,
    "unpack_x_y_sample_weight": unpack_x_y_sample_weight,
}


def complete_utils():
    """Adds `HIGHER_LEVEL_UTILS` to `torchkeras.utils` (and its `__all__`)."""
    for name, value in HIGHER_LEVEL_UTILS.items():
        setattr(utils, name, value)
    utils.__all__ = sorted(set(utils.__all__) | set(HIGHER_LEVEL_UTILS), key=str.lower)
