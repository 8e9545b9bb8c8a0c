"""Input conversion shared by the activation functions."""

import numpy as np
import torch

from torchkeras import config


def as_float_tensor(x):
    """Returns `x` as a floating torch tensor, as Keras' `convert_to_tensor` would.

    Float tensors pass through untouched; float NumPy arrays keep their dtype; Python numbers,
    lists and integer data become `config.floatx()`.

    Args:
        x: A torch tensor, NumPy array, Python number or nested list.
    """
    if isinstance(x, torch.Tensor) and x.is_floating_point():
        return x
    if isinstance(x, (np.ndarray, np.generic)) and x.dtype.kind == "f":
        return torch.as_tensor(x)
    return torch.as_tensor(x, dtype=config.standardize_dtype(None))
