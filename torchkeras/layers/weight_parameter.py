"""A layer's weights as torch state that answers Keras' Variable API: `WeightParameter` (trainable,
an `nn.Parameter`) and `WeightBuffer` (non-trainable, a buffer)."""

import numpy as np
import torch
from torch import nn


class VariableMethods:
    """Keras' Variable methods on a torch tensor: `numpy()`, `np.array(v)`, `value`, `assign`,
    `assign_add` and `assign_sub` (in place, outside autograd)."""

    __slots__ = ()

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


class WeightParameter(VariableMethods, nn.Parameter):
    """An `nn.Parameter` with the Variable methods Keras scripts call on `layer.kernel`.

    Keras code reads weights with `v.numpy()` or `np.array(v)`, writes them with
    `v.assign(x)`, and Keras-on-torch code reaches the tensor as `v.value` (`v.value.grad`).
    A plain Parameter refuses `numpy()` because it requires grad; this one returns a copy.
    Everything else is the Parameter's: torch ops on it return plain tensors, optimizers,
    `state_dict`, DDP and `torch.compile` see an ordinary parameter.
    """

    __torch_function__ = torch._C._disabled_torch_function_impl  # found first, as on Parameter


class WeightBuffer(VariableMethods, torch.Tensor):
    """A non-trainable weight (a buffer) with the same Variable methods, so a custom layer's
    `self.total.assign_add(...)` works as in Keras. Torch ops on it return plain tensors;
    `state_dict` holds plain tensors."""

    __torch_function__ = torch._C._disabled_torch_function_impl

    @classmethod
    def wrap(cls, tensor):
        """`tensor`'s storage seen as a WeightBuffer (no copy)."""
        return torch.Tensor._make_subclass(cls, tensor.detach(), False)

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = WeightBuffer.wrap(self.as_subclass(torch.Tensor).clone())
        return memo[id(self)]

    def __reduce_ex__(self, protocol):  # pickled as a plain tensor, rewrapped on load
        return WeightBuffer.wrap, (self.as_subclass(torch.Tensor),)


def _as_tensor(value):
    if isinstance(value, torch.Tensor):
        return value.detach()
    return torch.as_tensor(np.asarray(value))
