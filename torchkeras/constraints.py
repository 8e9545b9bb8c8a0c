"""Weight constraints: callables `weight -> projected weight` applied after each optimizer step."""

import torch

from torchkeras import config
from torchkeras.registry import CONSTRAINTS


def _as_tensor(w):
    return w if isinstance(w, torch.Tensor) else torch.as_tensor(w)


def _norms(w, axis):
    """L2 norms of `w` over `axis` (an int or a list of ints), keeping dims for broadcasting."""
    dim = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    return torch.sqrt(torch.sum(torch.square(w), dim=dim, keepdim=True))


@CONSTRAINTS.register("constraint")
class Constraint:
    """Base class of constraints: `__call__(w)` returns the constrained weight (identity here)."""

    def __call__(self, w):
        return w

    def get_config(self):
        """Returns the constructor arguments as a JSON-serialisable dict."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Builds a constraint from the output of `get_config`."""
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({args})"


@CONSTRAINTS.register("max_norm")
class MaxNorm(Constraint):
    """Rescales slices whose L2 norm `n` over `axis` exceeds `m`: `w * clip(n, 0, m) / (eps + n)`.

    For a Dense kernel `(in, out)` use `axis=0` (each unit's incoming weights); for a conv kernel
    `(kh, kw, in, out)` use `axis=[0, 1, 2]`.

    Args:
        max_value: Largest allowed norm.
        axis: Axis or list of axes the norm is taken over.
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = _as_tensor(w)
        norms = _norms(w, self.axis)
        desired = torch.clip(norms, 0, self.max_value)
        return w * (desired / (config.epsilon() + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


@CONSTRAINTS.register("non_neg")
class NonNeg(Constraint):
    """Clamps weights at 0 from below: `max(w, 0)`."""

    def __call__(self, w):
        w = _as_tensor(w)
        return torch.maximum(w, torch.zeros((), dtype=w.dtype, device=w.device))


@CONSTRAINTS.register("unit_norm")
class UnitNorm(Constraint):
    """Scales slices to unit L2 norm over `axis`: `w / (eps + norm)`.

    Args:
        axis: Axis or list of axes the norm is taken over.
    """

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = _as_tensor(w)
        return w / (config.epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


@CONSTRAINTS.register("min_max_norm")
class MinMaxNorm(Constraint):
    """Moves slice norms into `[min_value, max_value]` at speed `rate`.

    The target norm is `rate * clip(n, min_value, max_value) + (1 - rate) * n`; `rate=1` enforces
    the bounds at once, smaller rates step towards them.

    Args:
        min_value: Smallest allowed norm.
        max_value: Largest allowed norm.
        rate: Fraction of the way to the bounds moved per call.
        axis: Axis or list of axes the norm is taken over.
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w = _as_tensor(w)
        norms = _norms(w, self.axis)
        desired = self.rate * torch.clip(norms, self.min_value, self.max_value)
        desired = desired + (1 - self.rate) * norms
        return w * (desired / (config.epsilon() + norms))

    def get_config(self):
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


def get(identifier):
    """Resolves a constraint as `keras.constraints.get`.

    Args:
        identifier: `None`, a name (`"max_norm"`, `"MaxNorm"`), a config dict, a class
            (instantiated with defaults), or a callable `w -> w` (returned as is).
    """
    return CONSTRAINTS.get(identifier)


def serialize(constraint):
    """Keras' config dict of a constraint: `{"module", "class_name", "config", "registered_name"}`.

    Args:
        constraint: A constraint instance.
    """
    return CONSTRAINTS.serialize(constraint)


def deserialize(config, custom_objects=None):
    """Builds a constraint from a config dict or a name; unknown names list close matches.

    Args:
        config: The output of `serialize`, or a registered name.
        custom_objects: Optional dict of extra names to resolve first.
    """
    return CONSTRAINTS.get(config, custom_objects)


# Keras' function-style aliases.
max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm
