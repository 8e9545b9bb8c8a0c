"""Adagrad with Keras' defaults: accumulator starts at 0.1, `w -= lr * g / sqrt(acc + eps)`."""

import torch

from torchkeras.optimizers.optimizer import Optimizer, base_arguments
from torchkeras.registry import OPTIMIZERS


@OPTIMIZERS.register()
class Adagrad(Optimizer):
    """Adagrad: `acc += g²`, `w -= lr * g / sqrt(acc + epsilon)`.

    The accumulator starts at `initial_accumulator_value` (0.1) and epsilon sits inside the root;
    torch.optim.Adagrad starts at 0 and adds epsilon (1e-10) outside it.

    Args:
        learning_rate: A float, a `LearningRateSchedule`, or a zero-argument callable.
        initial_accumulator_value: Starting value of the squared-gradient sums.
        epsilon: Added to the sum before the root.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name: As for
            `Optimizer`.
    """

    _config_keys = ("initial_accumulator_value", "epsilon")

    def __init__(
        self,
        learning_rate=0.001,
        initial_accumulator_value=0.1,
        epsilon=1e-7,
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
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, variables):
        """Creates one `accumulator` per variable, filled with `initial_accumulator_value`."""
        if self.built:
            return
        super().build(variables)
        self._accumulators = self.add_optimizer_variables(
            variables, "accumulator", initializer=float(self.initial_accumulator_value)
        )

    def _backend_update_step(self, grads, variables, learning_rate):
        accumulators = self._aligned(self._accumulators)
        torch._foreach_addcmul_(accumulators, grads, grads)
        denominators = torch._foreach_add(accumulators, self.epsilon)
        torch._foreach_sqrt_(denominators)
        increments = torch._foreach_mul(grads, learning_rate)
        torch._foreach_div_(increments, denominators)
        torch._foreach_sub_(variables, increments)
