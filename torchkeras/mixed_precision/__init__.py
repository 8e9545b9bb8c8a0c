"""`keras.mixed_precision`: dtype policies (`"mixed_float16"`, `"mixed_bfloat16"`, ...).

`LossScaleOptimizer` is an optimizer, so it lives in `torchkeras.optimizers` (a higher level);
the public package adds it to this namespace as `keras.mixed_precision.LossScaleOptimizer`.
"""

from torchkeras.mixed_precision.policy import (
    DTypePolicy,
    deserialize,
    dtype_policy,
    get,
    serialize,
    set_dtype_policy,
)

# Keras' legacy names, still exported by `keras.mixed_precision`.
Policy = DTypePolicy
FloatDTypePolicy = DTypePolicy
global_policy = dtype_policy
set_global_policy = set_dtype_policy

__all__ = [
    "DTypePolicy",
    "FloatDTypePolicy",
    "Policy",
    "deserialize",
    "dtype_policy",
    "get",
    "global_policy",
    "serialize",
    "set_dtype_policy",
    "set_global_policy",
]
