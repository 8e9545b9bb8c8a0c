"""Schedule-free AdamW: Adam steps on `z`, evaluated at an interpolation of `z` and its average."""

import torch

from torchkeras.distribution.sharded_values import copy_all
from torchkeras.optimizers.moments import MomentOptimizer, corrected_roots
from torchkeras.optimizers.optimizer import base_arguments
from torchkeras.registry import OPTIMIZERS


@OPTIMIZERS.register()
class ScheduleFreeAdamW(MomentOptimizer):
    """Schedule-free AdamW (Defazio et al., 2024): no learning-rate schedule needed.

    The slot `momentum` holds `z`, started at the variable's value; each step
    `z -= lr_t * g / (sqrt(v / (1 - beta_2^t)) + epsilon)` with `v` Adam's second moment and
    `lr_t` warmed up linearly over `warmup_steps`. The average `x` (implicit:
    `x = (y - (1 - beta_1) z) / beta_1`) moves to `(1 - 1/t) x + z / t`, and the variable becomes
    `y = (1 - beta_1) z + beta_1 x`. `x` is recovered from the `z` before this step, as on
    Keras' JAX and TensorFlow backends (its torch backend reads the already-updated `z`).

    Args:
        learning_rate: A float, a `LearningRateSchedule`, or a zero-argument callable.
        beta_1: Interpolation between `z` and the average `x`.
        beta_2: Decay rate of the second moment.
        epsilon: Added to the root of the bias-corrected second moment.
        warmup_steps: Steps of linear learning-rate warm-up; 0 disables it.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name: As for
            `Optimizer`.
    """

    _config_keys = ("beta_1", "beta_2", "epsilon", "warmup_steps")

    def __init__(
        self,
        learning_rate=0.0025,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        warmup_steps=0,
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
        self.warmup_steps = warmup_steps

    def build(self, variables):
        """Creates `momentum` (`z`, a copy of the variable) and `velocity` per variable."""
        if self.built:
            return
        super().build(variables)
        with torch.no_grad():
            copy_all(self._momentums, variables)

    def _backend_update_step(self, grads, variables, learning_rate):
        momentums, velocities = self._moments()
        step = self._local_step().to(torch.float32)
        if self.warmup_steps > 0:
            learning_rate = learning_rate * torch.clamp(step / self.warmup_steps, max=1.0)
        # x_old = (y - (1 - beta_1) z_old) / beta_1, from z before its update.
        averages = torch._foreach_mul(momentums, -(1 - self.beta_1))
        torch._foreach_add_(averages, variables)
        torch._foreach_div_(averages, self.beta_1)
        torch._foreach_lerp_(velocities, torch._foreach_mul(grads, grads), 1 - self.beta_2)
        denominators = corrected_roots(velocities, self.beta_2, step, self.epsilon)
        steps = torch._foreach_mul(grads, learning_rate)
        torch._foreach_div_(steps, denominators)
        torch._foreach_sub_(momentums, steps)
        torch._foreach_lerp_(averages, momentums, 1 / step)  # x_new = (1 - 1/t) x + z / t
        torch._foreach_mul_(averages, self.beta_1)
        torch._foreach_add_(averages, momentums, alpha=1 - self.beta_1)
        copy_all(variables, averages)
