"""Initializer base classes, Keras' fan rule and the seeded samplers every random initializer uses.

The samplers reproduce Keras' torch backend on CPU: an int seed seeds a fresh `torch.Generator`
with `seed & 0xFFFFFFFF` on every call, so a seeded initializer returns the same values each time
and the same values as Keras with that seed. `seed=None` draws from torch's global generator, so
`set_random_seed` makes a run reproducible.
"""

import math

import torch

from torchkeras import config
from torchkeras.registry import INITIALIZERS


def standardize_shape(shape):
    """Returns `shape` as a tuple of Python ints (an int means a rank-1 shape)."""
    if isinstance(shape, int):
        return (shape,)
    return tuple(int(dim) for dim in shape)


def compute_fans(shape, input_axes=None, output_axes=None):
    """Returns `(fan_in, fan_out)` of a weight in Keras layout, by Keras' rule.

    Rank 0 gives `(1, 1)`, rank 1 `(n, n)`, rank 2 `(in, out)` (a Dense kernel); higher ranks are
    convolution kernels `(*kernel_size, in, out)` whose receptive field multiplies both fans.

    Args:
        shape: The weight's shape.
        input_axes: Optional axes whose sizes multiply into `fan_in` (needs `output_axes`).
        output_axes: Optional axes whose sizes multiply into `fan_out` (needs `input_axes`).
    """
    shape = standardize_shape(shape)
    if input_axes is not None and output_axes is not None:
        fan_in = math.prod(shape[axis] for axis in input_axes)
        fan_out = math.prod(shape[axis] for axis in output_axes)
        return int(fan_in), int(fan_out)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def make_generator(seed):
    """A CPU generator seeded as Keras' torch backend seeds one; `None` for the global RNG."""
    if seed is None:
        return None
    generator = torch.Generator()
    generator.manual_seed(seed & 0xFFFFFFFF)
    return generator


def normal(shape, mean, stddev, dtype, generator):
    """Samples `N(mean, stddev**2)` of `shape` on CPU."""
    return torch.normal(mean, stddev, size=shape, generator=generator, dtype=dtype)


def uniform(shape, minval, maxval, dtype, generator):
    """Samples `U(minval, maxval)` of `shape` on CPU, as `(maxval - minval) * rand + minval`."""
    size = shape if shape else (1,)
    values = (maxval - minval) * torch.rand(size, generator=generator, dtype=dtype) + minval
    return values if shape else values[0]


def truncated_normal(shape, mean, stddev, dtype, generator):
    """Samples a normal truncated to `(mean - 2 stddev, mean + 2 stddev)`.

    Keras' torch backend draws four candidates per element and keeps the first inside the bounds;
    this does the same (so seeded values match Keras), then redraws the rare elements
    (probability ~4e-6) whose four candidates all fell outside, which Keras leaves untruncated.
    """
    candidates = normal((*shape, 4), 0.0, 1.0, dtype, generator)
    valid = (candidates > -2) & (candidates < 2)
    first_valid = valid.max(-1, keepdim=True)[1]
    values = candidates.gather(-1, first_valid).squeeze(-1)
    outside = (values <= -2) | (values >= 2)
    while bool(outside.any()):
        values[outside] = normal((int(outside.sum()),), 0.0, 1.0, dtype, generator)
        outside = (values <= -2) | (values >= 2)
    return values * stddev + mean


@INITIALIZERS.register("initializer")
class Initializer:
    """Base class of Keras initializers: callables `(shape, dtype=None) -> tensor`.

    Subclasses define `__call__(self, shape, dtype=None)` returning a CPU tensor of that shape
    and dtype (`None` means `config.floatx()`), and `get_config` when they take arguments.
    """

    def get_config(self):
        """Returns the constructor arguments as a JSON-serialisable dict."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Builds an initializer from the output of `get_config`."""
        return cls(**config)

    def clone(self):
        """A new initializer with the same configuration."""
        return self.__class__.from_config(self.get_config())

    def __repr__(self):
        args = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({args})"


class RandomInitializer(Initializer):
    """Base of the random initializers: holds and validates the optional int `seed`.

    Args:
        seed: `None` to draw from torch's global generator, or an int for values that are the
            same on every call (and equal to Keras' for that seed).
    """

    def __init__(self, seed=None):
        if isinstance(seed, dict):  # A serialised keras.random.SeedGenerator.
            seed = seed.get("config", {}).get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(
                f"`seed` argument should be an integer or None. Received: seed={seed!r}"
            )
        self.seed = seed

    def _generator(self):
        return make_generator(self.seed)

    def get_config(self):
        return {"seed": self.seed}


def resolve_dtype(dtype):
    """The torch dtype for a Keras dtype name (`None` means `config.floatx()`)."""
    return config.standardize_dtype(dtype)
