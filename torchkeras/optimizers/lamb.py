"""Lamb: Adam's direction rescaled per variable by the trust ratio `||w|| / ||update||`."""

import torch

from torchkeras.optimizers.optimizer import Optimizer
from torchkeras.registry import OPTIMIZERS


@OPTIMIZERS.register()
class Lamb(Optimizer):
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
        super().__init__(
            learning_rate=learning_rate,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            name=name,
            **kwargs,
        )
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, variables):
        """Creates `momentum` and `velocity` per variable (interleaved, as Keras)."""
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"]
        )

    def _backend_update_step(self, grads, variables, learning_rate):
        momentums = self._aligned(self._momentums)
        velocities = self._aligned(self._velocities)
        step = self._local_step()
        torch._foreach_lerp_(momentums, grads, 1 - self.beta_1)
        torch._foreach_lerp_(velocities, torch._foreach_mul(grads, grads), 1 - self.beta_2)
        updates = torch._foreach_div(momentums, 1 - torch.pow(self.beta_1, step))
        roots = torch._foreach_div(velocities, 1 - torch.pow(self.beta_2, step))
        torch._foreach_sqrt_(roots)
        torch._foreach_add_(roots, self.epsilon)
        torch._foreach_div_(updates, roots)
        weight_norms = torch.stack(torch._foreach_norm(variables))
        update_norms = torch.stack(torch._foreach_norm(updates))
        usable = (weight_norms > 0) & (update_norms > 0)
        ratios = torch.where(usable, weight_norms / update_norms, 1.0)
        torch._foreach_mul_(updates, (ratios * learning_rate).unbind())
        torch._foreach_sub_(variables, updates)

    def get_config(self):
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }
