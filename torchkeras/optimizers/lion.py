"""Lion (evolved sign momentum) with Keras' defaults (beta_1 0.9, beta_2 0.99)."""

import torch

from torchkeras.optimizers.optimizer import Optimizer, base_arguments
from torchkeras.registry import OPTIMIZERS


@OPTIMIZERS.register()
class Lion(Optimizer):
    """Lion: `w -= lr * sign(beta_1 m + (1 - beta_1) g)`, then `m = beta_2 m + (1 - beta_2) g`.

    Lion's steps have unit size per element, so its learning rate is usually 3-10x smaller than
    Adam's.

    Args:
        learning_rate: A float, a `LearningRateSchedule`, or a zero-argument callable.
        beta_1: Interpolation between momentum and gradient for the update's sign.
        beta_2: Decay rate of the momentum.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name: As for
            `Optimizer`.
    """

    _config_keys = ("beta_1", "beta_2")

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.99,
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
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(
                "Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer "
                f"degenerates to SignSGD. Received: beta_1={beta_1}."
            )
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def build(self, variables):
        """Creates one `momentum` per variable."""
        if self.built:
            return
        super().build(variables)
        self._momentums = self.add_optimizer_variables(variables, "momentum")

    def _backend_update_step(self, grads, variables, learning_rate):
        momentums = self._aligned(self._momentums)
        directions = torch._foreach_mul(momentums, self.beta_1)
        torch._foreach_add_(directions, grads, alpha=1 - self.beta_1)
        torch._foreach_sign_(directions)
        torch._foreach_mul_(directions, learning_rate)
        torch._foreach_sub_(variables, directions)
        torch._foreach_mul_(momentums, self.beta_2)
        torch._foreach_add_(momentums, grads, alpha=1 - self.beta_2)
