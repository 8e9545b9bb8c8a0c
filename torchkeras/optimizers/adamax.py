"""Adamax (Adam with an infinity norm) with Keras' formula and defaults."""

import torch

from torchkeras.optimizers.optimizer import Optimizer, base_arguments
from torchkeras.registry import OPTIMIZERS


@OPTIMIZERS.register()
class Adamax(Optimizer):
    """Adamax: `m = lerp(m, g, 1 - beta_1)`, `u = max(beta_2 u, |g|)`,
    `w -= lr * m / ((u + epsilon) * (1 - beta_1^t))` with `t = iterations + 1`.

    Args:
        learning_rate: A float, a `LearningRateSchedule`, or a zero-argument callable.
        beta_1: Decay rate of the first moment.
        beta_2: Decay rate of the infinity norm.
        epsilon: Added to the norm.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name: As for
            `Optimizer`.
    """

    _config_keys = ("beta_1", "beta_2", "epsilon")

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
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
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, variables):
        """Creates `momentum` and `norm` per variable (interleaved, as Keras)."""
        if self.built:
            return
        super().build(variables)
        self._m, self._u = self.add_optimizer_variables(variables, ["momentum", "norm"])

    def _backend_update_step(self, grads, variables, learning_rate):
        momentums = self._aligned(self._m)
        norms = self._aligned(self._u)
        correction = 1 - torch.pow(self.beta_1, self._local_step())
        torch._foreach_lerp_(momentums, grads, 1 - self.beta_1)
        torch._foreach_mul_(norms, self.beta_2)
        torch._foreach_maximum_(norms, torch._foreach_abs(grads))
        denominators = torch._foreach_add(norms, self.epsilon)
        torch._foreach_mul_(denominators, correction)
        numerators = torch._foreach_mul(momentums, learning_rate)
        torch._foreach_addcdiv_(variables, numerators, denominators, value=-1.0)
