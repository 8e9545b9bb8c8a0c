"""DataLayer: the base of the preprocessing layers that take Python lists and numpy arrays."""

import numpy as np
import torch

from torchkeras import config
from torchkeras.layers import symbolic
from torchkeras.layers.layer import Layer


def is_text(array):
    """Whether a numpy array holds strings (`str`, `bytes`, or objects, as TF string tensors do)."""
    return isinstance(array, np.ndarray) and array.dtype.kind in "USO"


def as_text(values, encoding="utf-8"):
    """A numpy `str` array of `values` (lists, `bytes` and object arrays are decoded)."""
    array = np.asarray(values)
    if array.dtype.kind == "U":
        return array
    if array.dtype.kind == "S":
        return np.char.decode(array, encoding)
    flat = [v.decode(encoding) if isinstance(v, bytes) else str(v) for v in array.reshape(-1)]
    return np.array(flat, dtype=str).reshape(array.shape)


class DataLayer(Layer):
    """A weightless layer whose inputs may be Python lists or numpy arrays of numbers or strings.

    Numbers become tensors on the layer's device (Keras' int64/float32); strings stay numpy `str`
    arrays, which subclasses map to ids in Python before any torch op. Lookup tables live in
    non-persistent buffers, so `.to(device)` moves them and `state_dict` stays empty, as Keras'
    layers have no weights.
    """

    def _to_tensors(self, inputs):
        if isinstance(inputs, (list, tuple, np.ndarray, str, bytes)):
            array = np.asarray(inputs)
            if is_text(array):
                return array
            tensor = torch.as_tensor(array, device=self.weight_device())
            if tensor.dtype == torch.float64:
                tensor = tensor.to(config.standardize_dtype(config.floatx()))
            return tensor
        return super()._to_tensors(inputs)

    def build(self, input_shape=None):
        """No weights: tables are set by the constructor, `adapt` or `set_vocabulary`."""

    def get_build_config(self):
        """The input shape it was built with (a string array's shape, batch axis `None`)."""
        if isinstance(self._build_shapes, np.ndarray):
            return {"input_shape": (None, *self._build_shapes.shape[1:])}
        return super().get_build_config()

    def _keras_tensor(self, shape, dtype):
        return symbolic.KerasTensor(tuple(shape), dtype=dtype)
