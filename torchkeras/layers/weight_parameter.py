"""WeightParameter: a layer's trainable weight, an `nn.Parameter` that answers Keras' Variable API."""

import numpy as np
import torch
from torch import nn


class WeightParameter(nn.Parameter):
    """An `nn.Parameter` with the Variable methods Keras scripts call on `layer.kernel`.

    Keras code reads weights with `v.numpy()` or `np.array(v)`, writes them with
    `v.assign(x)`, and Keras-on-torch code reaches the tensor as `v.value` (`v.value.grad`).
    A plain Parameter refuses `numpy()` because it requires grad; this one returns a copy.
    Everything else is the Parameter's: torch ops on it return plain tensors, optimizers,
    `state_dict`, DDP and `torch.compile` see an ordinary parameter.
    """

    __torch_function__ = torch._C._disabled_torch_function_impl  # found first, as on Parameter

    def numpy(self, *, force=False):
        """A numpy copy of the value (bfloat16 as float32, which numpy lacks)."""
        value = self.detach().cpu()
        return (value.float() if value.dtype == torch.bfloat16 else value).numpy().copy()

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype, copy=False)

    @property
    def value(self):
        """The weight itself, as Keras' `Variable.value` is the backend tensor."""
        return self

    def assign(self, value):
        """Copies `value` (array, tensor or number broadcastable to the shape) in place."""
        with torch.no_grad():
            self.copy_(_as_tensor(value))
        return self

    def assign_add(self, value):
        """Adds `value` in place."""
        with torch.no_grad():
            self.add_(_as_tensor(value).to(self.device))
        return self

    def assign_sub(self, value):
        """Subtracts `value` in place."""
        with torch.no_grad():
            self.sub_(_as_tensor(value).to(self.device))
        return self


def _as_tensor(value):
    if isinstance(value, torch.Tensor):
        return value.detach()
    return torch.as_tensor(np.asarray(value))
