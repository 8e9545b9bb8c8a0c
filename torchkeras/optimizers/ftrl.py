"""FTRL-Proximal (Follow The Regularized Leader) with Keras' L1/L2/shrinkage options."""

import torch

from torchkeras.distribution.sharded_values import copy_all
from torchkeras.optimizers.optimizer import Optimizer, base_arguments
from torchkeras.registry import OPTIMIZERS


@OPTIMIZERS.register()
class Ftrl(Optimizer):
    """FTRL-Proximal: with `n += g²` and `p = -learning_rate_power`, the linear term grows by
    `g' - (n_new^p - n^p) / lr * w` (`g' = g + 2 * l2_shrinkage * w`), and
    `w = (clip(z, -l1, l1) - z) / (n_new^p / lr + 2 * (l2 + beta / (2 lr)))`.

    Args:
        learning_rate: A float, a `LearningRateSchedule`, or a zero-argument callable.
        learning_rate_power: Power of the accumulator in the per-coordinate rate; <= 0.
        initial_accumulator_value: Starting value of the accumulators; >= 0.
        l1_regularization_strength: L1 strength; >= 0.
        l2_regularization_strength: L2 strength; >= 0.
        l2_shrinkage_regularization_strength: L2 shrinkage applied to the gradient; >= 0.
        beta: Adds `beta / (2 lr)` to the L2 strength.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name: As for
            `Optimizer`.
    """

    _config_keys = (
        "learning_rate_power",
        "initial_accumulator_value",
        "l1_regularization_strength",
        "l2_regularization_strength",
        "l2_shrinkage_regularization_strength",
        "beta",
    )

    def __init__(
        self,
        learning_rate=0.001,
        learning_rate_power=-0.5,
        initial_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        l2_shrinkage_regularization_strength=0.0,
        beta=0.0,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        **kwargs,
    ):
        super().__init__(**base_arguments(locals()))
        _check_ftrl(
            learning_rate_power,
            initial_accumulator_value,
            l1_regularization_strength,
            l2_regularization_strength,
            l2_shrinkage_regularization_strength,
        )
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, variables):
        """Creates `accumulator` (at `initial_accumulator_value`) and `linear` per variable."""
        if self.built:
            return
        super().build(variables)
        self._accumulators, self._linears = self.add_optimizer_variables(
            variables,
            ["accumulator", "linear"],
            initializer=[float(self.initial_accumulator_value), "zeros"],
        )

    def _backend_update_step(self, grads, variables, learning_rate):
        accumulators = self._aligned(self._accumulators)
        linears = self._aligned(self._linears)
        power = -self.learning_rate_power
        l2 = self.l2_regularization_strength + self.beta / (2.0 * learning_rate)
        shrunk = torch._foreach_add(
            grads, variables, alpha=2 * self.l2_shrinkage_regularization_strength
        )
        new_accumulators = torch._foreach_addcmul(accumulators, grads, grads)
        new_powers = torch._foreach_pow(new_accumulators, power)
        sigmas = torch._foreach_sub(new_powers, torch._foreach_pow(accumulators, power))
        torch._foreach_div_(sigmas, learning_rate)
        torch._foreach_mul_(sigmas, variables)
        torch._foreach_sub_(shrunk, sigmas)
        torch._foreach_add_(linears, shrunk)
        quadratics = torch._foreach_div(new_powers, learning_rate)
        torch._foreach_add_(quadratics, 2 * l2)
        l1 = float(self.l1_regularization_strength)
        values = torch._foreach_clamp_min(linears, -l1)
        torch._foreach_clamp_max_(values, l1)
        torch._foreach_sub_(values, linears)
        torch._foreach_div_(values, quadratics)
        copy_all(variables, values)
        copy_all(accumulators, new_accumulators)


def _check_ftrl(power, initial, l1, l2, l2_shrinkage):
    if initial < 0.0:
        raise ValueError(
            "`initial_accumulator_value` needs to be positive or zero. Received: "
            f"initial_accumulator_value={initial}."
        )
    if power > 0.0:
        raise ValueError(
            f"`learning_rate_power` needs to be negative or zero. Received: "
            f"learning_rate_power={power}."
        )
    strengths = {
        "l1_regularization_strength": l1,
        "l2_regularization_strength": l2,
        "l2_shrinkage_regularization_strength": l2_shrinkage,
    }
    for name, value in strengths.items():
        if value < 0.0:
            raise ValueError(f"`{name}` needs to be positive or zero. Received: {name}={value}.")
