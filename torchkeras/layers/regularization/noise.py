"""Noise layers active only in training: GaussianNoise, GaussianDropout, AlphaDropout."""

import math

import torch

from torchkeras.layers.layer import Layer
from torchkeras.layers.regularization import _seeded
from torchkeras.registry import LAYERS

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _normal(layer, inputs, mean, stddev):
    noise = torch.randn(
        inputs.shape,
        device=inputs.device,
        dtype=inputs.dtype,
        **_seeded.generator_argument(layer, inputs.device),
    )
    return noise * stddev + mean


@LAYERS.register()
class GaussianNoise(Layer):
    """Adds zero-mean Gaussian noise of standard deviation `stddev` while training.

    Args:
        stddev: Standard deviation of the noise, a non-negative float.
        seed: Optional int seed of the layer's own random generator.

    Shapes: any shape -> the same shape.
    """

    supports_masking = True

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(stddev, bool) or not isinstance(stddev, (int, float)) or stddev < 0:
            raise ValueError(
                f"GaussianNoise '{self.name}': `stddev` must be a non-negative float, "
                f"got stddev={stddev!r}."
            )
        self.stddev = stddev
        self.seed = _seeded.check_seed(self, seed)

    def call(self, inputs, training=False):
        if training and self.stddev > 0:
            return inputs + _normal(self, inputs, 0.0, self.stddev)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


@LAYERS.register()
class GaussianDropout(Layer):
    """Multiplies by Gaussian noise of mean 1 and standard deviation `sqrt(rate / (1 - rate))`
    while training.

    Args:
        rate: Drop probability of the equivalent dropout, a float in [0, 1).
        seed: Optional int seed of the layer's own random generator.

    Shapes: any shape -> the same shape.
    """

    supports_masking = True

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _seeded.check_rate(self, rate, upper_inclusive=False)
        self.seed = _seeded.check_seed(self, seed)

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            stddev = math.sqrt(self.rate / (1.0 - self.rate))
            return inputs * _normal(self, inputs, 1.0, stddev)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


@LAYERS.register()
class AlphaDropout(Layer):
    """Dropout for SELU networks: dropped units are set to SELU's negative saturation value and
    an affine map `a * x + b` keeps the mean and variance of the inputs (Klambauer et al., 2017).

    Args:
        rate: Fraction of units to drop, a float in [0, 1).
        noise_shape: Shape of the keep mask, broadcast over the input; `None` entries take the
            input's size.
        seed: Optional int seed of the layer's own random generator.

    Shapes: any shape -> the same shape.
    """

    supports_masking = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _seeded.check_rate(self, rate, upper_inclusive=False)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = _seeded.check_seed(self, seed)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        shape = [
            size if dim is None else dim
            for size, dim in zip(inputs.shape, self.noise_shape or inputs.shape)
        ]
        noise = torch.rand(
            shape, device=inputs.device, **_seeded.generator_argument(self, inputs.device)
        )
        kept = (noise >= self.rate).to(inputs.dtype)
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p**2)) ** -0.5
        b = -a * alpha_p * self.rate
        x = inputs * kept + alpha_p * (1 - kept)
        return a * x + b

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "rate": self.rate,
            "seed": self.seed,
            "noise_shape": self.noise_shape,
        }
