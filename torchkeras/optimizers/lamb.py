"""Lamb: Adam's direction rescaled per variable by the trust ratio `||w|| / ||update||`."""

import torch

from torchkeras.optimizers.moments import MomentOptimizer, corrected_roots
from torchkeras.optimizers.optimizer import base_arguments
from torchkeras.registry import OPTIMIZERS


@OPTIMIZERS.register()
class Lamb(MomentOptimizer):
    """Lamb: the bias-corrected Adam direction `u = m_hat / (sqrt(v_hat) + eps)` is scaled per
    variable by `||w|| / ||u||` (1 when either norm is 0), then `w -= lr * ratio * u`.

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

    def _backend_update_step(self, grads, variables, learning_rate):
        momentums, velocities = self._moments()
        step = self._local_step()
        torch._foreach_lerp_(momentums, grads, 1 - self.beta_1)
        torch._foreach_lerp_(velocities, torch._foreach_mul(grads, grads), 1 - self.beta_2)
        updates = torch._foreach_div(momentums, 1 - torch.pow(self.beta_1, step))
        torch._foreach_div_(updates, corrected_roots(velocities, self.beta_2, step, self.epsilon))
        weight_norms = torch.stack(torch._foreach_norm(variables))
        update_norms = torch.stack(torch._foreach_norm(updates))
        usable = (weight_norms > 0) & (update_norms > 0)
        ratios = torch.where(usable, weight_norms / update_norms, 1.0)
        torch._foreach_mul_(updates, (ratios * learning_rate).unbind())
        torch._foreach_sub_(variables, updates)
