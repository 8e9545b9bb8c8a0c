"""DTypePolicy: a layer's compute and variable dtypes, and the process-wide default policy.

`"mixed_float16"` and `"mixed_bfloat16"` keep variables in float32 and compute in half
precision; any other float dtype name (`"float32"`, `"bfloat16"`, ...) uses that dtype for both.
Policies serialize as Keras' `{"module": "keras", "class_name": "DTypePolicy", ...}` dicts.
"""

import torch

from torchkeras import config

_MIXED = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}
# Keras' class names for a plain float policy (`FloatDTypePolicy` in files from Keras 3.0-3.3).
_CLASS_NAMES = ("DTypePolicy", "FloatDTypePolicy", "Policy")
_GLOBAL_KEY = "keras.dtype_policy"  # in config.session_state(); unset: follows floatx()


class DTypePolicy:
    """A dtype policy: the dtype a layer computes in and the dtype of its variables.

    As in Keras, `name` is `"mixed_float16"`, `"mixed_bfloat16"` or a dtype name; `None` takes the
    global policy's name. Unlike Keras, a mixed policy is carried out by `torch.autocast` around
    the layer's call (see `Layer`), so matmuls and convolutions run in the compute dtype while
    the layer's parameters stay float32 `nn.Parameter`s.

    Args:
        name: The policy name (`"float32"`, `"mixed_float16"`, `"mixed_bfloat16"`, ...).
    """

    def __init__(self, name=None):
        if name is None:
            name = dtype_policy().name
        if not isinstance(name, str):
            raise TypeError(
                "'name' must be a string, such as 'mixed_float16'. "
                f"Received: name={name} (of type {type(name)})"
            )
        self._name = name
        self._compute_dtype, self._variable_dtype = _parse_name(name)

    @property
    def name(self):
        """The policy's name, e.g. `"mixed_float16"`."""
        return self._name

    @property
    def compute_dtype(self):
        """Dtype name of the layer's computations and outputs, e.g. `"float16"`."""
        return self._compute_dtype

    @property
    def variable_dtype(self):
        """Dtype name the layer creates its variables in, e.g. `"float32"`."""
        return self._variable_dtype

    @property
    def quantization_mode(self):
        """Always `None`: quantized policies are not supported."""
        return None

    @property
    def is_mixed(self):
        """Whether computations run in a narrower dtype than the variables (torchkeras only)."""
        return self._compute_dtype != self._variable_dtype

    def get_config(self):
        """`{"name": name}`, as in Keras."""
        return {"name": self._name}

    @classmethod
    def from_config(cls, config):
        """The policy of `get_config()`'s output."""
        return cls(**config)

    def __eq__(self, other):
        return isinstance(other, DTypePolicy) and self._name == other._name

    def __hash__(self):
        return hash(self._name)

    def __repr__(self):
        return f'<DTypePolicy "{self._name}">'


def _parse_name(name):
    if name in _MIXED:
        return _MIXED[name], "float32"
    try:
        dtype = config.dtype_name(config.standardize_dtype(name))
    except (ValueError, TypeError):
        raise ValueError(
            f"Cannot convert '{name}' to a mixed precision DTypePolicy. Valid policies include "
            "'mixed_float16', 'mixed_bfloat16', and the name of any float dtype such as "
            "'float32'."
        ) from None
    return dtype, dtype


def set_dtype_policy(policy):
    """Sets the default dtype policy of layers created from now on (a name or a `DTypePolicy`)."""
    if isinstance(policy, str):
        policy = DTypePolicy(policy)
    if not isinstance(policy, DTypePolicy):
        raise ValueError(
            "Invalid `policy` argument. Expected the string name of a policy (such as "
            f"'mixed_float16') or a `DTypePolicy` instance. Received: policy={policy} "
            f"(of type {type(policy)})"
        )
    config.session_state()[_GLOBAL_KEY] = policy


def dtype_policy():
    """The default dtype policy (`DTypePolicy(floatx())` until one is set)."""
    policy = config.session_state().get(_GLOBAL_KEY)
    return DTypePolicy(config.floatx()) if policy is None else policy


def serialize(policy):
    """Keras' dict for a policy: `{"module": "keras", "class_name": "DTypePolicy", ...}`."""
    return {
        "module": "keras",
        "class_name": "DTypePolicy",
        "config": policy.get_config(),
        "registered_name": None,
    }


def deserialize(config, custom_objects=None):
    """The policy of `serialize`'s output (also Keras 3.0's `FloatDTypePolicy` dicts)."""
    if config.get("class_name") not in _CLASS_NAMES:
        raise ValueError(
            f"Unsupported dtype policy {config.get('class_name')!r}: only DTypePolicy "
            f"(float and mixed policies) can be loaded. Received: {config}"
        )
    return DTypePolicy.from_config(config.get("config") or {})


def get(identifier):
    """A `DTypePolicy` from None (the global one), a name, a torch dtype, a dict or a policy."""
    if identifier is None:
        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    if isinstance(identifier, torch.dtype):
        return DTypePolicy(config.dtype_name(identifier))
    try:
        return DTypePolicy(config.dtype_name(config.standardize_dtype(identifier)))
    except (ValueError, TypeError):
        raise ValueError(
            "Cannot interpret `dtype` argument. Expected a string or an instance of "
            f"DTypePolicy. Received: dtype={identifier}"
        ) from None
