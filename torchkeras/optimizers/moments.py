"""Adam's first and second moments: the slots of the Adam family and their `_foreach` updates."""

import torch

from torchkeras.optimizers.optimizer import Optimizer


class MomentOptimizer(Optimizer):
    """Base of optimizers with Adam's two slots per variable, `momentum` then `velocity`.

    Subclasses set `beta_1`, `beta_2` and `epsilon`. The slots interleave per variable, as in
    Keras, which fixes the order of `variables` and so of saved files.
    """

    _config_keys = ("beta_1", "beta_2", "epsilon")

    def build(self, variables):
        """Creates `momentum` and `velocity` per variable (interleaved, as Keras)."""
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"]
        )

    def _moments(self):
        """The `momentum` and `velocity` slots of the variables of the current update."""
        return self._aligned(self._momentums), self._aligned(self._velocities)


def update_moments(momentums, velocities, grads, beta_1, beta_2):
    """Adam's moments in place: `m = lerp(m, g, 1 - beta_1)`, `v = beta_2 v + (1 - beta_2) g²`."""
    torch._foreach_lerp_(momentums, grads, 1 - beta_1)
    torch._foreach_mul_(velocities, beta_2)
    torch._foreach_addcmul_(velocities, grads, grads, 1 - beta_2)


def bias_corrected_rate(learning_rate, beta_1, beta_2, step):
    """Adam's step size `alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)` at step `t`."""
    return learning_rate * torch.sqrt(1 - torch.pow(beta_2, step)) / (1 - torch.pow(beta_1, step))


def apply_adam_step(variables, momentums, velocities, alpha, epsilon):
    """Keras' Adam step in place: `w -= alpha * m / (sqrt(v) + epsilon)`."""
    # As w -= m / ((sqrt(v) + eps) / alpha): one temporary.
    denominators = torch._foreach_sqrt(velocities)
    torch._foreach_add_(denominators, epsilon)
    torch._foreach_div_(denominators, alpha)
    torch._foreach_addcdiv_(variables, momentums, denominators, value=-1.0)


def corrected_roots(velocities, beta_2, step, epsilon):
    """New tensors `sqrt(v / (1 - beta_2^t)) + epsilon`: the bias-corrected root, plus epsilon."""
    roots = torch._foreach_div(velocities, 1 - torch.pow(beta_2, step))
    torch._foreach_sqrt_(roots)
    torch._foreach_add_(roots, epsilon)
    return roots
