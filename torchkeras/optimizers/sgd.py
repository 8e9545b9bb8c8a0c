"""SGD with Keras' momentum form: `m = momentum * m - lr * g; w += m` (Nesterov optional)."""

import torch

from torchkeras.optimizers.optimizer import Optimizer, base_arguments
from torchkeras.registry import OPTIMIZERS


@OPTIMIZERS.register()
class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum, in Keras' velocity form.

    Without momentum `w -= lr * g`. With it `m = momentum * m - lr * g`, then `w += m`, or with
    Nesterov `w += momentum * m - lr * g`. torch.optim.SGD accumulates `g` instead and scales by
    the learning rate afterwards, which differs as soon as the learning rate changes.

    Args:
        learning_rate: A float, a `LearningRateSchedule`, or a zero-argument callable.
        momentum: Float in [0, 1]; 0 means plain gradient descent.
        nesterov: Whether to use Nesterov momentum.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name: As for
            `Optimizer`.
    """

    _config_keys = ("momentum", "nesterov")

    def __init__(
        self,
        learning_rate=0.01,
        momentum=0.0,
        nesterov=False,
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
        if not isinstance(momentum, (int, float)) or isinstance(momentum, bool):
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: {momentum!r}")
        if not 0 <= momentum <= 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: {momentum!r}")
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, variables):
        """Creates one `momentum` tensor per variable when `momentum` is not 0."""
        if self.built:
            return
        super().build(variables)
        self.momentums = []
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(variables, "momentum")

    def _backend_update_step(self, grads, variables, learning_rate):
        steps = torch._foreach_mul(grads, learning_rate)  # lr * g
        if self.momentum == 0:
            torch._foreach_sub_(variables, steps)
            return
        momentums = self._aligned(self.momentums)
        torch._foreach_mul_(momentums, self.momentum)
        torch._foreach_sub_(momentums, steps)
        if self.nesterov:
            torch._foreach_sub_(variables, steps)
            torch._foreach_add_(variables, momentums, alpha=self.momentum)
        else:
            torch._foreach_add_(variables, momentums)
