"""Adadelta with Keras' defaults (lr 0.001, rho 0.95, epsilon 1e-7)."""

import torch

from torchkeras.optimizers.optimizer import Optimizer, base_arguments
from torchkeras.registry import OPTIMIZERS


@OPTIMIZERS.register()
class Adadelta(Optimizer):
    """Adadelta: `E[g²] = rho E[g²] + (1 - rho) g²`,
    `dx = -sqrt(E[dx²] + eps) / sqrt(E[g²] + eps) * g`, `E[dx²] = rho E[dx²] + (1 - rho) dx²`,
    then `w += lr * dx`.

    Keras scales the step by a learning rate of 0.001 by default; torch.optim.Adadelta uses 1.0.

    Args:
        learning_rate: A float, a `LearningRateSchedule`, or a zero-argument callable.
        rho: Decay rate of both running averages.
        epsilon: Added inside both roots.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name: As for
            `Optimizer`.
    """

    _config_keys = ("rho", "epsilon")

    def __init__(
        self,
        learning_rate=0.001,
        rho=0.95,
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
        self.rho = rho
        self.epsilon = epsilon

    def build(self, variables):
        """Creates `accumulated_grad` and `accumulated_delta_var` per variable (interleaved)."""
        if self.built:
            return
        super().build(variables)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            variables, ["accumulated_grad", "accumulated_delta_var"]
        )

    def _backend_update_step(self, grads, variables, learning_rate):
        grad_averages = self._aligned(self._accumulated_grads)
        delta_averages = self._aligned(self._accumulated_delta_vars)
        torch._foreach_mul_(grad_averages, self.rho)
        torch._foreach_addcmul_(grad_averages, grads, grads, 1 - self.rho)
        deltas = torch._foreach_add(delta_averages, self.epsilon)
        torch._foreach_sqrt_(deltas)
        torch._foreach_mul_(deltas, grads)
        grad_roots = torch._foreach_add(grad_averages, self.epsilon)
        torch._foreach_sqrt_(grad_roots)
        torch._foreach_div_(deltas, grad_roots)
        torch._foreach_neg_(deltas)  # dx
        torch._foreach_mul_(delta_averages, self.rho)
        torch._foreach_addcmul_(delta_averages, deltas, deltas, 1 - self.rho)
        torch._foreach_mul_(deltas, learning_rate)
        torch._foreach_add_(variables, deltas)
