"""A layer's call under its dtype policy: `torch.autocast` for mixed policies, inputs cast.

Only layers with a mixed policy, or any layer called inside one, come here: `Layer._run_call`
checks two attributes and otherwise calls `call` directly. A mixed layer casts its float inputs
to the compute dtype, runs under `torch.autocast(compute dtype)` (parameters stay float32; torch
casts them for matmuls and convolutions) and casts float outputs to the compute dtype, so output
dtypes equal Keras'. A layer holding layers (a model) only sets the autocast state: its inputs
and outputs are what its layers take and give, as in Keras' functional models. A non-mixed layer
inside a mixed one (`Dense(10, dtype="float32")` in a mixed model) runs with autocast disabled
and its float inputs cast to its own dtype.
"""

import torch

from torchkeras import config
from torchkeras import mixed_precision as dtype_policies
from torchkeras.utils import nest

# The compute dtype of the innermost autocast entered by a mixed layer (None: none entered;
# `_ENFORCED` while a symbolic call runs, so that every layer applies its policy).
active = [None]
_ENFORCED = "every layer applies its policy"


class DTypePolicyMixin:
    """`Layer`'s dtype-policy attributes, with Keras' names."""

    @property
    def dtype(self):
        """Name of the weights' dtype (the policy's variable dtype), e.g. `"float32"`."""
        return self._dtype

    @property
    def dtype_policy(self):
        """The layer's `DTypePolicy`; settable with a policy or a name, as in Keras."""
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value):
        policy = dtype_policies.get(value)
        self._dtype_policy = policy
        self._dtype = policy.variable_dtype
        self._compute_torch_dtype = config.standardize_dtype(policy.compute_dtype)
        self._autocast_dtype = self._compute_torch_dtype if policy.is_mixed else None

    @property
    def compute_dtype(self):
        """Name of the dtype of the layer's computations and outputs, e.g. `"bfloat16"`."""
        return self._dtype_policy.compute_dtype

    @property
    def variable_dtype(self):
        """Name of the dtype of the layer's weights, e.g. `"float32"`."""
        return self._dtype_policy.variable_dtype

    @property
    def input_dtype(self):
        """The dtype float inputs are cast to under a mixed policy: the compute dtype."""
        return self._dtype_policy.compute_dtype


def call_under_policy(layer, args, kwargs):
    """`layer.call(*args, **kwargs)` under the layer's dtype policy (see the module docstring)."""
    mixed = layer._autocast_dtype
    compute = mixed or layer._compute_torch_dtype
    leaf = not _has_sublayers(layer)
    if leaf and compute.is_floating_point:  # an integer layer (e.g. Hashing) takes what it gets
        args, kwargs = cast_floats((args, kwargs), compute)
    if active[0] is mixed:  # already inside the right autocast state
        outputs = layer.call(*args, **kwargs)
    else:
        outer, active[0] = active[0], mixed
        device_type = _device_type(args, kwargs, layer)
        try:
            with torch.autocast(device_type, dtype=mixed or torch.float32, enabled=bool(mixed)):
                outputs = layer.call(*args, **kwargs)
        finally:
            active[0] = outer
    return cast_floats(outputs, mixed) if leaf and mixed is not None else outputs


class PoliciesEnforced:
    """Makes every layer run under its own policy within a symbolic call.

    Output specs then get Keras' dtypes even where an eager call skips a cast: a float32 layer
    called outside any mixed layer does not cast its inputs (so the default path stays free).
    """

    def __enter__(self):
        self.outer = active[0]
        if self.outer is None:
            active[0] = _ENFORCED

    def __exit__(self, *exc_info):
        active[0] = self.outer


def cast_floats(structure, dtype):
    """`structure` with every floating-point tensor cast to `dtype` (others untouched)."""

    def cast(x):
        if not isinstance(x, torch.Tensor) or not x.is_floating_point() or x.dtype == dtype:
            return x
        mask = getattr(x, "_keras_mask", None)
        x = x.to(dtype)
        if mask is not None:  # the cast tensor keeps the Keras mask of the original
            x._keras_mask = mask
        return x

    return nest.map_structure(cast, structure)


def _has_sublayers(layer):
    return bool(layer._modules)  # layers, or a ModuleList/ModuleDict of them


def _device_type(args, kwargs, layer):
    leaf = nest.first_leaf((args, kwargs))
    device = leaf.device if isinstance(leaf, torch.Tensor) else layer.weight_device()
    return device.type
