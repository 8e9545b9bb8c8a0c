"""Random initializers with fixed parameters: normal, uniform, truncated normal and orthogonal."""

import math

import torch

from torchkeras.initializers.base import (
    RandomInitializer,
    normal,
    resolve_dtype,
    standardize_shape,
    truncated_normal,
    uniform,
)
from torchkeras.registry import INITIALIZERS


@INITIALIZERS.register("random_normal", "normal")
class RandomNormal(RandomInitializer):
    """Initializer drawing from the normal distribution `N(mean, stddev**2)`.

    Args:
        mean: Mean of the distribution.
        stddev: Standard deviation of the distribution.
        seed: `None` (torch's global generator) or an int for repeatable values.
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        shape, dtype = standardize_shape(shape), resolve_dtype(dtype)
        return normal(shape, self.mean, self.stddev, dtype, self._generator())

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


@INITIALIZERS.register("truncated_normal")
class TruncatedNormal(RandomInitializer):
    """Initializer drawing from `N(mean, stddev**2)` truncated to two standard deviations.

    Args:
        mean: Mean of the distribution before truncation.
        stddev: Standard deviation before truncation.
        seed: `None` (torch's global generator) or an int for repeatable values.
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        shape, dtype = standardize_shape(shape), resolve_dtype(dtype)
        return truncated_normal(shape, self.mean, self.stddev, dtype, self._generator())

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


@INITIALIZERS.register("random_uniform", "uniform")
class RandomUniform(RandomInitializer):
    """Initializer drawing from the uniform distribution on `[minval, maxval)`.

    Args:
        minval: Lower bound.
        maxval: Upper bound.
        seed: `None` (torch's global generator) or an int for repeatable values.
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        shape, dtype = standardize_shape(shape), resolve_dtype(dtype)
        return uniform(shape, self.minval, self.maxval, dtype, self._generator())

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


@INITIALIZERS.register("orthogonal", "OrthogonalInitializer")
class Orthogonal(RandomInitializer):
    """Initializer giving a (semi-)orthogonal matrix times `gain`, from the QR of a normal draw.

    Shapes of rank > 2 are treated as `(prod(shape[:-1]), shape[-1])` matrices, so the columns
    of a flattened conv kernel (or its rows, when there are fewer of them) are orthonormal.

    Args:
        gain: Multiplier of the orthogonal matrix.
        seed: `None` (torch's global generator) or an int for repeatable values.
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        shape, dtype = standardize_shape(shape), resolve_dtype(dtype)
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        num_rows, num_cols = math.prod(shape[:-1]), shape[-1]
        flat_shape = (max(num_rows, num_cols), min(num_rows, num_cols))
        matrix = normal(flat_shape, 0.0, 1.0, dtype, self._generator())
        if dtype in (torch.float16, torch.bfloat16):
            matrix = matrix.float()  # torch's QR has no half-precision kernel.
        q, r = torch.linalg.qr(matrix)
        q = q * torch.sign(torch.diagonal(r))  # Makes the decomposition unique.
        if num_rows < num_cols:
            q = q.T
        return (self.gain * q.reshape(shape)).to(dtype)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}
