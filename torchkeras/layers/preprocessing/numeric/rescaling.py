"""Rescaling: `inputs * scale + offset`, e.g. `[0, 255]` pixels to `[0, 1]` or `[-1, 1]`."""

import numpy as np
import torch

from torchkeras import config
from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS


def _serialize(value):
    """Keras' config form of a scale or offset: numbers and lists as they are, numpy arrays as
    its `__numpy__` dict."""
    if isinstance(value, np.ndarray):
        return {
            "class_name": "__numpy__",
            "config": {"value": value.tolist(), "dtype": str(value.dtype)},
        }
    return value


def _deserialize(value):
    if isinstance(value, dict) and value.get("class_name") == "__numpy__":
        return np.array(value["config"]["value"], dtype=value["config"]["dtype"])
    return value


@LAYERS.register()
class Rescaling(Layer):
    """Rescales every value, `inputs * scale + offset`, in training and inference.

    Inputs of any dtype (uint8 images included) are cast to the layer's dtype first. A
    per-channel `scale` broadcasts over the last axis, or, when `image_data_format()` is
    `"channels_first"`, over the channel axis of `(C, H, W)` (as Keras, only `scale` is
    reshaped so; `offset` always broadcasts over the last axis).

    Args:
        scale: A float, or a list/array of floats (e.g. one per channel).
        offset: A float, or a list/array of floats; 0 by default.

    Shapes: any shape -> the same shape.
    """

    supports_masking = True

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset

    def build(self, input_shape):
        dtype, device = config.standardize_dtype(self.dtype), self.weight_device()
        for name, value in (("_scale", self.scale), ("_offset", self.offset)):
            tensor = torch.as_tensor(np.asarray(value), dtype=dtype, device=device)
            if name == "_scale" and tensor.ndim and config.image_data_format() == "channels_first":
                tensor = tensor.reshape(*tensor.shape, *(1,) * (3 - tensor.ndim))
            self.register_buffer(name, tensor, persistent=False)  # moves with `.to(device)`

    def call(self, inputs):
        return inputs.to(self._scale.dtype) * self._scale + self._offset

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "scale": _serialize(self.scale),
            "offset": _serialize(self.offset),
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config, scale=_deserialize(config["scale"]))
        return super().from_config(dict(config, offset=_deserialize(config.get("offset", 0.0))))
