"""Deterministic initializers: Zeros, Ones, Constant and Identity."""

import numpy as np
import torch

from torchkeras import config
from torchkeras.initializers.base import Initializer, resolve_dtype, standardize_shape
from torchkeras.registry import INITIALIZERS


def _value_to_config(value):
    """Keras' config form of a constant: plain numbers as is, arrays as `__numpy__`/`__tensor__`."""
    if isinstance(value, torch.Tensor):
        array = value.detach().cpu().numpy()
        return {
            "class_name": "__tensor__",
            "config": {"value": array.tolist(), "dtype": config.dtype_name(value.dtype)},
        }
    if isinstance(value, np.ndarray) and value.ndim > 0:
        inner = {"value": value.tolist(), "dtype": value.dtype.name}
        return {"class_name": "__numpy__", "config": inner}
    if isinstance(value, (np.generic, np.ndarray)):
        return value.item()
    return value


def _value_from_config(value):
    """Inverse of `_value_to_config`."""
    if isinstance(value, dict) and value.get("class_name") in ("__numpy__", "__tensor__"):
        inner = value["config"]
        return np.array(inner["value"], dtype=inner["dtype"])
    return value


@INITIALIZERS.register("zeros", "zero")
class Zeros(Initializer):
    """Initializer filling the tensor with 0."""

    def __call__(self, shape, dtype=None):
        return torch.zeros(standardize_shape(shape), dtype=resolve_dtype(dtype))


@INITIALIZERS.register("ones", "one")
class Ones(Initializer):
    """Initializer filling the tensor with 1."""

    def __call__(self, shape, dtype=None):
        return torch.ones(standardize_shape(shape), dtype=resolve_dtype(dtype))


@INITIALIZERS.register("constant")
class Constant(Initializer):
    """Initializer filling the tensor with `value` (a scalar, or an array broadcast to the shape).

    Args:
        value: The fill value.
    """

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        dtype = resolve_dtype(dtype)
        value = torch.as_tensor(self.value, dtype=dtype, device="cpu")
        return value * torch.ones(standardize_shape(shape), dtype=dtype)

    def get_config(self):
        return {"value": _value_to_config(self.value)}

    @classmethod
    def from_config(cls, config):
        return cls(_value_from_config(config["value"]))


@INITIALIZERS.register("identity", "IdentityInitializer")
class Identity(Initializer):
    """Initializer giving `gain` times the identity matrix; for 2D shapes only (may be non-square).

    Args:
        gain: Multiplier of the identity.
    """

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = standardize_shape(shape)
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        return self.gain * torch.eye(*shape, dtype=resolve_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}
