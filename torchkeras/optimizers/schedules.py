"""`keras.optimizers.schedules`: learning rates as functions of the optimizer step.

Every schedule takes an int or a tensor step and returns a float32 tensor on the step's device,
computed in float32 like Keras (so values match it to rounding). They use only tensor ops on the
step, never a host read, so an optimizer evaluates them every update without a sync.
"""

import math

import numpy as np
import torch

from torchkeras.registry import Registry

SCHEDULES = Registry("learning rate schedule", "keras.optimizers.schedules")


def _float_step(step):
    """The step as a float32 tensor: a tensor keeps its device, anything else goes to the CPU."""
    if isinstance(step, torch.Tensor):
        return step.to(torch.float32)
    return torch.tensor(float(step), dtype=torch.float32)


def _check_decay_steps(name, value):
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


class LearningRateSchedule:
    """Base class of learning rate schedules: `schedule(step)` gives the learning rate at `step`.

    Subclasses override `__call__(step)` and either `get_config()` or `_config_keys`;
    `from_config` calls the constructor with the config's keys, as Keras does. Without an override
    the base methods raise TypeError (Keras: NotImplementedError).
    """

    # Constructor arguments kept as attributes of the same name, in config order.
    _config_keys = ()

    def __call__(self, step):
        raise TypeError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`."
        )

    def get_config(self):
        """Constructor arguments as plain Python values."""
        if not self._config_keys:
            raise TypeError(
                f"Learning rate schedule '{type(self).__name__}' must override `get_config()` "
                "in order to be serializable."
            )
        return {key: getattr(self, key) for key in self._config_keys}

    @classmethod
    def from_config(cls, config):
        """Builds the schedule from `get_config()`'s output."""
        return cls(**config)


class _RateDecay(LearningRateSchedule):
    """State shared by the schedules that decay by `decay_rate` per `decay_steps` steps."""

    _config_keys = ("initial_learning_rate", "decay_steps", "decay_rate", "staircase", "name")

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase, name):
        _check_decay_steps("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def _progress(self, step):
        """`step / decay_steps` as a float32 tensor, floored when `staircase`."""
        p = _float_step(step) / float(self.decay_steps)
        if self.staircase:
            p = torch.floor(p)
        return p


@SCHEDULES.register()
class ExponentialDecay(_RateDecay):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)` (floored ratio if staircase).

    Args:
        initial_learning_rate: Learning rate at step 0.
        decay_steps: Steps over which the rate is multiplied by `decay_rate`; > 0.
        decay_rate: Multiplier per `decay_steps` steps.
        staircase: Whether to decay in discrete jumps (`floor(step / decay_steps)`).
        name: Name kept in the config.
    """

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        decay_rate,
        staircase=False,
        name="ExponentialDecay",
    ):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        p = self._progress(step)
        return float(self.initial_learning_rate) * torch.pow(float(self.decay_rate), p)


@SCHEDULES.register()
class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[0]` while `step <= boundaries[0]`, `values[i]` on `(boundaries[i-1], boundaries[i]]`.

    Args:
        boundaries: Increasing step boundaries; one fewer than `values`.
        values: Learning rate on each interval.
        name: Name kept in the config.
    """

    _config_keys = ("boundaries", "values", "name")

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = step if isinstance(step, torch.Tensor) else torch.tensor(step)
        result = torch.full((), float(self.values[-1]), dtype=torch.float32, device=step.device)
        for boundary, value in zip(reversed(self.boundaries), reversed(self.values[:-1])):
            result = torch.where(step <= boundary, float(value), result)
        return result


@SCHEDULES.register()
class PolynomialDecay(LearningRateSchedule):
    """`(initial - end) * (1 - step / decay_steps) ** power + end`, the step capped at decay_steps.

    With `cycle=True` the horizon instead grows to the next multiple of `decay_steps`.

    Args:
        initial_learning_rate: Learning rate at step 0.
        decay_steps: Steps to reach `end_learning_rate`; > 0.
        end_learning_rate: Final learning rate.
        power: Exponent of the polynomial.
        cycle: Whether to restart beyond `decay_steps`.
        name: Name kept in the config.
    """

    _config_keys = (
        "initial_learning_rate",
        "decay_steps",
        "end_learning_rate",
        "power",
        "cycle",
        "name",
    )

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        end_learning_rate=0.0001,
        power=1.0,
        cycle=False,
        name="PolynomialDecay",
    ):
        _check_decay_steps("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        step = _float_step(step)
        decay_steps = float(self.decay_steps)
        if self.cycle:
            multiplier = torch.where(step == 0, 1.0, torch.ceil(step / decay_steps))
            horizon = decay_steps * multiplier
        else:
            step = torch.clamp(step, max=decay_steps)
            horizon = decay_steps
        p = step / horizon
        end = float(np.float32(self.end_learning_rate))
        scale = float(np.float32(self.initial_learning_rate) - np.float32(end))
        return scale * torch.pow(1 - p, float(self.power)) + end


@SCHEDULES.register()
class InverseTimeDecay(_RateDecay):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)` (floored ratio if staircase).

    Args:
        initial_learning_rate: Learning rate at step 0.
        decay_steps: Step scale of the decay; > 0.
        decay_rate: Rate of the decay.
        staircase: Whether to decay in discrete jumps.
        name: Name kept in the config.
    """

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        decay_rate,
        staircase=False,
        name="InverseTimeDecay",
    ):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        denominator = 1.0 + float(self.decay_rate) * self._progress(step)
        # A true division, as Keras does (`scalar / tensor` would multiply by a reciprocal).
        return torch.full_like(denominator, float(self.initial_learning_rate)) / denominator


def _cosine(fraction, alpha):
    """`(1 - alpha) * 0.5 * (1 + cos(pi * fraction)) + alpha`, in float32."""
    return (1 - alpha) * (0.5 * (1.0 + torch.cos(math.pi * fraction))) + alpha


@SCHEDULES.register()
class CosineDecay(LearningRateSchedule):
    """Cosine decay from the initial (or warm-up target) rate to `alpha` times it.

    Without `warmup_target` the rate is `initial * cosine(min(step, decay_steps) / decay_steps)`;
    with it, the rate first rises linearly from `initial_learning_rate` to `warmup_target` over
    `warmup_steps` steps, then decays from `warmup_target` over `decay_steps` steps.

    Args:
        initial_learning_rate: Learning rate at step 0.
        decay_steps: Length of the cosine decay; > 0.
        alpha: Final rate as a fraction of the decayed-from rate.
        name: Name kept in the config.
        warmup_target: Rate reached at the end of the warm-up; `None` means no warm-up.
        warmup_steps: Length of the linear warm-up.
    """

    _config_keys = (
        "initial_learning_rate",
        "decay_steps",
        "alpha",
        "name",
        "warmup_target",
        "warmup_steps",
    )

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        alpha=0.0,
        name="CosineDecay",
        warmup_target=None,
        warmup_steps=0,
    ):
        _check_decay_steps("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target

    def __call__(self, step):
        step = _float_step(step)
        decay_steps = float(self.decay_steps)
        initial = float(self.initial_learning_rate)
        if self.warmup_target is None:
            step = torch.clamp(step, max=decay_steps)
            return initial * _cosine(step / decay_steps, self.alpha)
        warmup_steps = float(self.warmup_steps)
        target = float(self.warmup_target)
        step = torch.clamp(step, max=float(np.float32(decay_steps) + np.float32(warmup_steps)))
        delta = float(np.float32(target) - np.float32(initial))
        warmup = delta * (step / warmup_steps) + initial
        decayed = target * _cosine((step - warmup_steps) / decay_steps, self.alpha)
        return torch.where(step < warmup_steps, warmup, decayed)


@SCHEDULES.register()
class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): periods grow by `t_mul`, peaks shrink by `m_mul`.

    Args:
        initial_learning_rate: Learning rate at step 0.
        first_decay_steps: Length of the first period; > 0.
        t_mul: Factor by which each period is longer than the previous one.
        m_mul: Factor by which each restart's peak is lower than the previous one.
        alpha: Minimum rate as a fraction of `initial_learning_rate`.
        name: Name kept in the config.
    """

    def __init__(
        self,
        initial_learning_rate,
        first_decay_steps,
        t_mul=2.0,
        m_mul=1.0,
        alpha=0.0,
        name="SGDRDecay",
    ):
        _check_decay_steps("first_decay_steps", first_decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def _restart(self, fraction):
        """Index of the current period and the fraction of it completed."""
        t_mul = float(np.float32(self._t_mul))
        if t_mul == 1.0:
            restart = torch.floor(fraction)
            return restart, fraction - restart
        log_t_mul = float(np.log(np.float32(t_mul)))
        restart = torch.floor(torch.log(1.0 - fraction * (1.0 - t_mul)) / log_t_mul)
        period_scale = torch.pow(t_mul, restart)
        completed = (1.0 - period_scale) / (1.0 - t_mul)
        return restart, (fraction - completed) / period_scale

    def __call__(self, step):
        fraction = _float_step(step) / float(self.first_decay_steps)
        restart, fraction = self._restart(fraction)
        peak = torch.pow(float(np.float32(self._m_mul)), restart)
        cosine = 0.5 * peak * (1.0 + torch.cos(math.pi * fraction))
        return float(self.initial_learning_rate) * ((1 - self.alpha) * cosine + self.alpha)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


def serialize(learning_rate_schedule):
    """Keras' config form `{"module", "class_name", "config", "registered_name"}` of a schedule."""
    return SCHEDULES.serialize(learning_rate_schedule)


def deserialize(config, custom_objects=None):
    """Builds a schedule from `serialize`'s output; class names resolve only in this module."""
    return SCHEDULES.from_config(config, custom_objects)
