"""`keras.saving`: configs, custom objects, `.weights.h5` and `.safetensors` weight files."""

from torchkeras.saving.api import load_model, load_weights, save_model, save_weights
from torchkeras.saving.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from torchkeras.saving.safetensors_io import load_weights_safetensors, save_weights_safetensors
from torchkeras.saving.serialization import (
    deserialize_keras_object,
    model_from_json,
    serialize_keras_object,
)
from torchkeras.saving.weights_h5 import load_weights_h5, save_weights_h5

__all__ = [
    "CustomObjectScope",
    "custom_object_scope",
    "deserialize_keras_object",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "load_model",
    "load_weights",
    "load_weights_h5",
    "load_weights_safetensors",
    "model_from_json",
    "register_keras_serializable",
    "save_model",
    "save_weights",
    "save_weights_h5",
    "save_weights_safetensors",
    "serialize_keras_object",
]
