"""Keras weight initializers, producing CPU torch tensors in Keras layout.

`get`, `serialize` and `deserialize` follow `keras.initializers`: names and class names resolve
through the closed `INITIALIZERS` registry, configs are `{"module": "keras.initializers",
"class_name", "config", "registered_name"}` dicts, and plain functions `f(shape, dtype=None)` or
arrays (used as the initial value) are accepted as they are.
"""

import numpy as np
import torch

from torchkeras import config as _config
from torchkeras.initializers.base import Initializer, compute_fans
from torchkeras.initializers.constants import Constant, Identity, Ones, Zeros
from torchkeras.initializers.distributions import (
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
)
from torchkeras.initializers.spectral import STFT
from torchkeras.initializers.scaling import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    VarianceScaling,
)
from torchkeras.registry import INITIALIZERS

# Keras' function-style aliases: `keras.initializers.glorot_uniform(seed=1)` builds the class.
zeros, ones, constant, identity = Zeros, Ones, Constant, Identity
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
orthogonal, variance_scaling, stft = Orthogonal, VarianceScaling, STFT
glorot_normal, glorot_uniform = GlorotNormal, GlorotUniform
he_normal, he_uniform, lecun_normal, lecun_uniform = HeNormal, HeUniform, LecunNormal, LecunUniform
IdentityInitializer, OrthogonalInitializer, STFTInitializer = Identity, Orthogonal, STFT


def _array_initializer(value):
    """An initializer returning a fixed array or tensor, as Keras' `get` does for arrays."""

    def initialize_fn(shape, dtype=None):
        if tuple(shape) != tuple(value.shape):
            raise ValueError(
                f"Expected `shape` to be {tuple(value.shape)} for direct tensor as initializer. "
                f"Received shape={shape}"
            )
        return torch.as_tensor(value).detach().to("cpu", _config.standardize_dtype(dtype)).clone()

    return initialize_fn


def get(identifier):
    """Resolves an initializer as `keras.initializers.get`.

    Args:
        identifier: `None` (returned as is), a name or class name (`"glorot_uniform"`,
            `"GlorotUniform"`), a config dict, a class (instantiated with defaults), a callable
            `f(shape, dtype=None)` (returned as is), or an array/tensor used as the value.
    """
    if isinstance(identifier, (torch.Tensor, np.ndarray, np.generic)):
        return _array_initializer(identifier)
    return INITIALIZERS.get(identifier)


def serialize(initializer):
    """Keras' config dict of an initializer: `{"module", "class_name", "config", ...}`.

    Args:
        initializer: An initializer instance (a plain function serialises to its name).
    """
    return INITIALIZERS.serialize(initializer)


def deserialize(config, custom_objects=None):
    """Builds an initializer from a config dict or a name; unknown names list close matches.

    Args:
        config: The output of `serialize`, or a registered name.
        custom_objects: Optional dict of extra names to resolve first.
    """
    return INITIALIZERS.get(config, custom_objects)


__all__ = [
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "IdentityInitializer",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "OrthogonalInitializer",
    "RandomNormal",
    "RandomUniform",
    "STFT",
    "STFTInitializer",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "compute_fans",
    "constant",
    "deserialize",
    "get",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "identity",
    "lecun_normal",
    "lecun_uniform",
    "ones",
    "orthogonal",
    "random_normal",
    "random_uniform",
    "serialize",
    "stft",
    "truncated_normal",
    "variance_scaling",
    "zeros",
]
