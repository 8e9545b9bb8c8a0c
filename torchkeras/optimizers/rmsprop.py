"""RMSprop with Keras' defaults (rho 0.9) and epsilon inside the root: `g / sqrt(v + eps)`."""

import torch

from torchkeras.optimizers.optimizer import Optimizer, base_arguments
from torchkeras.registry import OPTIMIZERS


@OPTIMIZERS.register()
class RMSprop(Optimizer):
    """RMSprop: `v = rho v + (1 - rho) g²`, `w -= lr * g / sqrt(v + epsilon)`.

    Centered, `v - mean(g)²` replaces `v`; with momentum the increments accumulate in a
    velocity `m = momentum * m + lr * g / sqrt(...)` and `w -= m`. torch.optim.RMSprop differs in
    its defaults (alpha 0.99, lr 0.01) and adds epsilon outside the root.

    Args:
        learning_rate: A float, a `LearningRateSchedule`, or a zero-argument callable.
        rho: Decay rate of the squared-gradient average.
        momentum: Momentum of the increments; 0 disables it.
        epsilon: Added to the average before the root.
        centered: Whether to subtract the squared mean gradient.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name: As for
            `Optimizer`.
    """

    _config_keys = ("rho", "momentum", "epsilon", "centered")

    def __init__(
        self,
        learning_rate=0.001,
        rho=0.9,
        momentum=0.0,
        epsilon=1e-7,
        centered=False,
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
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, variables):
        """Creates `velocity` per variable, plus `momentum` and `average_gradient` if used."""
        if self.built:
            return
        super().build(variables)
        self._velocities = self.add_optimizer_variables(variables, "velocity")
        self._momentums = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(variables, "momentum")
        self._average_gradients = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(variables, "average_gradient")

    def _backend_update_step(self, grads, variables, learning_rate):
        velocities = self._aligned(self._velocities)
        torch._foreach_mul_(velocities, self.rho)
        torch._foreach_addcmul_(velocities, grads, grads, 1 - self.rho)
        denominators = torch._foreach_add(velocities, self.epsilon)
        if self.centered:
            averages = self._aligned(self._average_gradients)
            torch._foreach_mul_(averages, self.rho)
            torch._foreach_add_(averages, grads, alpha=1 - self.rho)
            torch._foreach_addcmul_(denominators, averages, averages, value=-1.0)
        torch._foreach_sqrt_(denominators)
        increments = torch._foreach_mul(grads, learning_rate)
        torch._foreach_div_(increments, denominators)
        if self.momentum > 0:
            momentums = self._aligned(self._momentums)
            torch._foreach_mul_(momentums, self.momentum)
            torch._foreach_add_(momentums, increments)
            increments = momentums
        torch._foreach_sub_(variables, increments)
