"""Nadam (Adam with Nesterov momentum) with Keras' momentum schedule `beta_1 (1 - 0.5 * 0.96^t)`."""

import torch

from torchkeras.optimizers.moments import MomentOptimizer, corrected_roots, update_moments
from torchkeras.optimizers.optimizer import base_arguments
from torchkeras.registry import OPTIMIZERS


@OPTIMIZERS.register()
class Nadam(MomentOptimizer):
    """Nadam: Adam whose first moment uses Nesterov momentum with a warming-up coefficient.

    With `u_t = beta_1 (1 - 0.5 * 0.96^t)` and `U_t` the running product of the `u`'s (the extra
    state `u_product`, kept on the device), the step is
    `w -= lr * (u_{t+1} m / (1 - U_{t+1}) + (1 - u_t) g / (1 - U_t)) / (sqrt(v_hat) + eps)`,
    `v_hat = v / (1 - beta_2^t)`.
    torch.optim.NAdam's schedule uses `momentum_decay` 0.004 instead of this one.

    Args:
        learning_rate: A float, a `LearningRateSchedule`, or a zero-argument callable.
        beta_1: Decay rate of the first moment.
        beta_2: Decay rate of the second moment.
        epsilon: Added to the root of the bias-corrected second moment.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name: As for
            `Optimizer`.
    """

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
        """Creates `momentum` and `velocity` per variable, then the scalar `u_product` (1.0)."""
        if self.built:
            return
        super().build(variables)
        dtype = variables[0].dtype if variables else None
        self._u_product = self.add_variable((), initializer="ones", dtype=dtype)

    def _backend_update_step(self, grads, variables, learning_rate):
        momentums, velocities = self._moments()
        step = self._local_step()
        u_t = self.beta_1 * (1.0 - 0.5 * torch.pow(0.96, step))
        u_next = self.beta_1 * (1.0 - 0.5 * torch.pow(0.96, step + 1))
        product = self._u_product * u_t
        product_next = product * u_next
        self._u_product.copy_(product)
        update_moments(momentums, velocities, grads, self.beta_1, self.beta_2)
        numerators = torch._foreach_mul(momentums, u_next / (1 - product_next))
        torch._foreach_add_(numerators, torch._foreach_mul(grads, (1 - u_t) / (1 - product)))
        torch._foreach_mul_(numerators, learning_rate)
        denominators = corrected_roots(velocities, self.beta_2, step, self.epsilon)
        torch._foreach_addcdiv_(variables, numerators, denominators, value=-1.0)
