"""Weight regularizers: callables `weight -> scalar penalty` added to the loss, Keras' formulas."""

import math

import numpy as np
import torch

from torchkeras import config
from torchkeras.registry import REGULARIZERS


def _validate_float_arg(value, name):
    """Returns `value` as a float, or raises Keras' ValueError unless it is finite and >= 0."""
    if (
        not isinstance(value, (float, int))
        or math.isinf(value)
        or math.isnan(value)
        or value < 0
    ):
        raise ValueError(
            f"Invalid value for argument {name}: expected a non-negative float. "
            f"Received: {name}={value!r}"
        )
    return float(value)


def _as_tensor(x):
    return x if isinstance(x, torch.Tensor) else torch.as_tensor(x)


def _scalar(value, like):
    """`value` as a 0-d tensor of `like`'s dtype and device, as Keras casts coefficients."""
    return torch.tensor(value, dtype=like.dtype, device=like.device)


@REGULARIZERS.register("regularizer")
class Regularizer:
    """Base class of regularizers: `__call__(x)` returns the penalty for weight `x`.

    The base penalty is 0. Subclasses override `__call__` and `get_config`.
    """

    def __call__(self, x):
        return 0.0

    def get_config(self):
        """Returns the constructor arguments as a JSON-serialisable dict."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Builds a regularizer from the output of `get_config`."""
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({args})"


@REGULARIZERS.register("l1l2", "l1_l2")
class L1L2(Regularizer):
    """Penalty `l1 * sum(abs(x)) + l2 * sum(x**2)`; both factors default to 0 here.

    Args:
        l1: Non-negative L1 factor (`None` means 0).
        l2: Non-negative L2 factor (`None` means 0).
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _validate_float_arg(0.0 if l1 is None else l1, name="l1")
        self.l2 = _validate_float_arg(0.0 if l2 is None else l2, name="l2")

    def __call__(self, x):
        x = _as_tensor(x)
        regularization = _scalar(0.0, x)
        if self.l1 != 0.0:
            regularization = regularization + _scalar(self.l1, x) * torch.sum(torch.abs(x))
        if self.l2 != 0.0:
            regularization = regularization + _scalar(self.l2, x) * torch.sum(torch.square(x))
        return regularization

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


@REGULARIZERS.register("l1")
class L1(Regularizer):
    """Penalty `l1 * sum(abs(x))`.

    Args:
        l1: Non-negative factor (`None` means 0.01).
    """

    def __init__(self, l1=0.01):
        self.l1 = _validate_float_arg(0.01 if l1 is None else l1, name="l1")

    def __call__(self, x):
        x = _as_tensor(x)
        return _scalar(self.l1, x) * torch.sum(torch.abs(x))

    def get_config(self):
        return {"l1": _float32(self.l1)}


@REGULARIZERS.register("l2")
class L2(Regularizer):
    """Penalty `l2 * sum(x**2)` (no factor 1/2, unlike torch's `weight_decay` convention).

    Args:
        l2: Non-negative factor (`None` means 0.01).
    """

    def __init__(self, l2=0.01):
        self.l2 = _validate_float_arg(0.01 if l2 is None else l2, name="l2")

    def __call__(self, x):
        x = _as_tensor(x)
        return _scalar(self.l2, x) * torch.sum(torch.square(x))

    def get_config(self):
        return {"l2": self.l2}


def _l2_normalize(x, axis):
    """`x * min(rsqrt(sum(x**2, axis)), 1 / epsilon)`: Keras' `ops.normalize` for order 2."""
    inv_norm = torch.rsqrt(torch.sum(torch.square(x), dim=axis, keepdim=True))
    return x * torch.clamp(inv_norm, max=1.0 / config.epsilon())


@REGULARIZERS.register("orthogonal_regularizer")
class OrthogonalRegularizer(Regularizer):
    """Penalty pushing the rows (or columns) of a 2D weight towards orthogonality.

    `factor * 0.5 * sum(abs(offdiag(N @ N.T))) / (n * (n - 1) / 2)`, `N` the L2-normalised rows
    ("rows") or columns ("columns"), `n` their number: the mean absolute cosine between pairs.

    Args:
        factor: Non-negative penalty factor.
        mode: "rows" or "columns".
    """

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _validate_float_arg(factor, name="factor")
        if mode not in ("rows", "columns"):
            raise ValueError(
                'Invalid value for argument `mode`. Expected one of {"rows", "columns"}. '
                f"Received: mode={mode!r}"
            )
        self.mode = mode

    def __call__(self, inputs):
        inputs = _as_tensor(inputs)
        if inputs.ndim != 2:
            raise ValueError(
                "Inputs to OrthogonalRegularizer must have rank 2. Received: "
                f"inputs.shape={tuple(inputs.shape)}"
            )
        if self.mode == "rows":
            normalized = _l2_normalize(inputs, axis=1)
            product = normalized @ normalized.T  # (rows, rows)
        else:
            normalized = _l2_normalize(inputs, axis=0)
            product = normalized.T @ normalized  # (columns, columns)
        size = product.shape[0]
        off_diagonal = product * (1.0 - torch.eye(size, dtype=inputs.dtype, device=inputs.device))
        num_pairs = size * (size - 1.0) / 2.0
        return _scalar(self.factor, inputs) * 0.5 * torch.sum(torch.abs(off_diagonal)) / num_pairs

    def get_config(self):
        return {"factor": _float32(self.factor), "mode": self.mode}


def get(identifier):
    """Resolves a regularizer as `keras.regularizers.get`.

    Args:
        identifier: `None`, a name (`"l2"`, `"L1L2"`), a config dict, a class (instantiated with
            defaults), or a callable `x -> penalty` (returned as is).
    """
    return REGULARIZERS.get(identifier)


def serialize(regularizer):
    """Keras' config dict of a regularizer: `{"module", "class_name", "config", "registered_name"}`.

    Args:
        regularizer: A regularizer instance.
    """
    return REGULARIZERS.serialize(regularizer)


def deserialize(config, custom_objects=None):
    """Builds a regularizer from a config dict or a name; unknown names list close matches.

    Args:
        config: The output of `serialize`, or a registered name.
        custom_objects: Optional dict of extra names to resolve first.
    """
    return REGULARIZERS.get(config, custom_objects)


# Keras' function-style aliases.
l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer


def _float32(value):
    """`value` rounded to float32, as Keras reports the factors it keeps in float32 tensors
    (`L1(0.01).get_config()` is `{"l1": 0.009999999776482582}`)."""
    return float(np.float32(value))
