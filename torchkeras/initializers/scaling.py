"""VarianceScaling and its named special cases: Glorot, He and LeCun, normal and uniform."""

import math

from torchkeras.initializers.base import (
    RandomInitializer,
    compute_fans,
    normal,
    resolve_dtype,
    standardize_shape,
    truncated_normal,
    uniform,
)
from torchkeras.registry import INITIALIZERS

# Standard deviation of a unit normal truncated to [-2, 2]; dividing by it restores the variance.
_TRUNCATED_STDDEV = 0.87962566103423978
_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


@INITIALIZERS.register("variance_scaling")
class VarianceScaling(RandomInitializer):
    """Initializer whose variance is `scale / n`, `n` the fan chosen by `mode`.

    Fans follow Keras' layout rule (`compute_fans`): Dense kernels `(in, out)`, conv kernels
    `(*kernel_size, in, out)`. "truncated_normal" draws from a normal truncated at two standard
    deviations with stddev `sqrt(scale / n) / 0.8796...`; "untruncated_normal" with
    `sqrt(scale / n)`; "uniform" within `[-limit, limit]`, `limit = sqrt(3 * scale / n)`.

    Args:
        scale: Positive scaling factor of the variance.
        mode: "fan_in", "fan_out" or "fan_avg".
        distribution: "truncated_normal" (or its alias "normal"), "untruncated_normal" or
            "uniform".
        seed: `None` (torch's global generator) or an int for repeatable values.
        input_axes, output_axes: Optional axes that define the fans instead of the layout rule.
    """

    def __init__(
        self,
        scale=1.0,
        mode="fan_in",
        distribution="truncated_normal",
        seed=None,
        input_axes=None,
        output_axes=None,
    ):
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in _MODES:
            raise ValueError(f"Invalid `mode` argument: {mode!r}. Please use one of {_MODES}.")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in _DISTRIBUTIONS:
            raise ValueError(
                f"Invalid `distribution` argument: {distribution!r}. "
                f"Please use one of {_DISTRIBUTIONS}."
            )
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def variance(self, shape):
        """The target variance `scale / n` for a weight of `shape`."""
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        return self.scale / max(1.0, fan[self.mode])

    def __call__(self, shape, dtype=None):
        shape, dtype = standardize_shape(shape), resolve_dtype(dtype)
        variance = self.variance(shape)
        generator = self._generator()
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(variance) / _TRUNCATED_STDDEV
            return truncated_normal(shape, 0.0, stddev, dtype, generator)
        if self.distribution == "untruncated_normal":
            return normal(shape, 0.0, math.sqrt(variance), dtype, generator)
        limit = math.sqrt(3.0 * variance)
        return uniform(shape, -limit, limit, dtype, generator)

    def get_config(self):
        return {
            **super().get_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


class _NamedVarianceScaling(VarianceScaling):
    """A VarianceScaling with fixed `scale`, `mode` and `distribution`; seed and axes may vary."""

    SCALE, MODE, DISTRIBUTION = 1.0, "fan_in", "truncated_normal"

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(
            scale=self.SCALE,
            mode=self.MODE,
            distribution=self.DISTRIBUTION,
            seed=seed,
            input_axes=input_axes,
            output_axes=output_axes,
        )

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}


@INITIALIZERS.register("glorot_uniform")
class GlorotUniform(_NamedVarianceScaling):
    """Glorot (Xavier) uniform: `U(-limit, limit)`, `limit = sqrt(6 / (fan_in + fan_out))`.

    Args:
        seed: `None` (torch's global generator) or an int for repeatable values.
        input_axes, output_axes: Optional axes that define the fans instead of the layout rule.
    """

    SCALE, MODE, DISTRIBUTION = 1.0, "fan_avg", "uniform"


@INITIALIZERS.register("glorot_normal")
class GlorotNormal(_NamedVarianceScaling):
    """Glorot (Xavier) normal: truncated normal with variance `2 / (fan_in + fan_out)`.

    Args:
        seed: `None` (torch's global generator) or an int for repeatable values.
        input_axes, output_axes: Optional axes that define the fans instead of the layout rule.
    """

    SCALE, MODE, DISTRIBUTION = 1.0, "fan_avg", "truncated_normal"


@INITIALIZERS.register("he_normal")
class HeNormal(_NamedVarianceScaling):
    """He (Kaiming) normal: truncated normal with variance `2 / fan_in`.

    Args:
        seed: `None` (torch's global generator) or an int for repeatable values.
        input_axes, output_axes: Optional axes that define the fans instead of the layout rule.
    """

    SCALE, MODE, DISTRIBUTION = 2.0, "fan_in", "truncated_normal"


@INITIALIZERS.register("he_uniform")
class HeUniform(_NamedVarianceScaling):
    """He (Kaiming) uniform: `U(-limit, limit)`, `limit = sqrt(6 / fan_in)`.

    Args:
        seed: `None` (torch's global generator) or an int for repeatable values.
        input_axes, output_axes: Optional axes that define the fans instead of the layout rule.
    """

    SCALE, MODE, DISTRIBUTION = 2.0, "fan_in", "uniform"


@INITIALIZERS.register("lecun_normal")
class LecunNormal(_NamedVarianceScaling):
    """LeCun normal: truncated normal with variance `1 / fan_in` (pairs with selu).

    Args:
        seed: `None` (torch's global generator) or an int for repeatable values.
        input_axes, output_axes: Optional axes that define the fans instead of the layout rule.
    """

    SCALE, MODE, DISTRIBUTION = 1.0, "fan_in", "truncated_normal"


@INITIALIZERS.register("lecun_uniform")
class LecunUniform(_NamedVarianceScaling):
    """LeCun uniform: `U(-limit, limit)`, `limit = sqrt(3 / fan_in)`.

    Args:
        seed: `None` (torch's global generator) or an int for repeatable values.
        input_axes, output_axes: Optional axes that define the fans instead of the layout rule.
    """

    SCALE, MODE, DISTRIBUTION = 1.0, "fan_in", "uniform"
