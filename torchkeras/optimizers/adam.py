"""Adam with Keras' formula: epsilon added to the raw root, bias corrections folded into alpha."""

import torch

from torchkeras.optimizers.moments import (
    MomentOptimizer,
    apply_adam_step,
    bias_corrected_rate,
    update_moments,
)
from torchkeras.optimizers.optimizer import base_arguments
from torchkeras.registry import OPTIMIZERS


@OPTIMIZERS.register()
class Adam(MomentOptimizer):
    """Adam: `m = lerp(m, g, 1 - beta_1)`, `v = beta_2 v + (1 - beta_2) g²`, then
    `w -= alpha * m / (sqrt(v) + epsilon)` with `alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)`.

    Unlike `torch.optim.Adam` (epsilon 1e-8 added to the bias-corrected root), epsilon is 1e-7 and
    is added to `sqrt(v)` itself. `t = iterations + 1` stays a device tensor.

    Args:
        learning_rate: A float, a `LearningRateSchedule`, or a zero-argument callable.
        beta_1: Decay rate of the first moment.
        beta_2: Decay rate of the second moment.
        epsilon: Added to the root of the second moment.
        amsgrad: Whether to divide by the running maximum of the second moment instead.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name: As for
            `Optimizer`.
    """

    _config_keys = ("beta_1", "beta_2", "epsilon", "amsgrad")

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
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
        self.amsgrad = amsgrad

    def build(self, variables):
        """Creates `momentum` and `velocity` per variable (and `velocity_hat` with amsgrad)."""
        if self.built:
            return
        super().build(variables)
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(variables, "velocity_hat")

    def _backend_update_step(self, grads, variables, learning_rate):
        momentums, velocities = self._moments()
        alpha = bias_corrected_rate(learning_rate, self.beta_1, self.beta_2, self._local_step())
        update_moments(momentums, velocities, grads, self.beta_1, self.beta_2)
        if self.amsgrad:
            velocity_hats = self._aligned(self._velocity_hats)
            torch._foreach_maximum_(velocity_hats, velocities)
            velocities = velocity_hats
        apply_adam_step(variables, momentums, velocities, alpha, self.epsilon)
