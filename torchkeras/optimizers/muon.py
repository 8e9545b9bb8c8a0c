"""Muon: orthogonalised momentum for matrices (Newton-Schulz), AdamW for everything else."""

import re

import torch

from torchkeras.optimizers.moments import apply_adam_step, bias_corrected_rate
from torchkeras.optimizers.optimizer import Optimizer, base_arguments
from torchkeras.registry import OPTIMIZERS


@OPTIMIZERS.register()
class Muon(Optimizer):
    """Muon for 2-D variables, AdamW for the rest, with Keras' rules for which is which.

    A matrix's momentum `m = momentum * m + g` (Nesterov: `g + momentum * m` is used) is
    orthogonalised by `ns_steps` quintic Newton-Schulz iterations `(muon_a, muon_b, muon_c)` and
    applied as `w -= lr * rms_rate * sqrt(max(rows, cols)) * O`. Variables that are not 2-D, or
    whose `path` attribute contains "embedding" (with `exclude_embeddings`) or matches one of
    `exclude_layers`, take an AdamW step at `lr * adam_lr_ratio`. Keras reads `variable.path`;
    torch tensors have a path only if their layer sets one, so without it every matrix (an
    embedding table included) takes the Muon step.

    Args:
        learning_rate: A float, a `LearningRateSchedule`, or a zero-argument callable.
        adam_beta_1, adam_beta_2: Moment decay rates of the AdamW step.
        adam_weight_decay: Decoupled weight decay of the AdamW variables.
        epsilon: AdamW's epsilon, added to the root of the second moment.
        weight_decay: Decoupled weight decay of the Muon variables.
        exclude_layers: Regular expressions; matching variable paths take the AdamW step.
        exclude_embeddings: Whether paths containing "embedding" take the AdamW step.
        muon_a, muon_b, muon_c: Coefficients of the Newton-Schulz polynomial.
        adam_lr_ratio: Learning rate multiplier of the AdamW step.
        momentum: Momentum of the Muon step.
        ns_steps: Number of Newton-Schulz iterations.
        nesterov: Whether to use Nesterov momentum.
        rms_rate: Scale matching the update's RMS to AdamW's; `None` disables the scaling.
        clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency,
        loss_scale_factor, gradient_accumulation_steps, name: As for `Optimizer`.
    """

    _config_keys = (
        "adam_beta_1",
        "adam_beta_2",
        "epsilon",
        "exclude_layers",
        "muon_a",
        "muon_b",
        "muon_c",
        "adam_lr_ratio",
        "momentum",
        "ns_steps",
        "nesterov",
        "exclude_embeddings",
        "adam_weight_decay",
        "rms_rate",
    )

    def __init__(
        self,
        learning_rate=0.001,
        adam_beta_1=0.9,
        adam_beta_2=0.999,
        adam_weight_decay=0.004,
        epsilon=1e-7,
        weight_decay=0.004,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        exclude_layers=None,
        exclude_embeddings=True,
        muon_a=3.4445,
        muon_b=-4.7750,
        muon_c=2.0315,
        adam_lr_ratio=1,
        momentum=0.95,
        ns_steps=5,
        nesterov=True,
        rms_rate=0.2,
        **kwargs,
    ):
        super().__init__(**base_arguments(locals()))
        self.adam_beta_1, self.adam_beta_2 = adam_beta_1, adam_beta_2
        self.adam_weight_decay, self.adam_lr_ratio = adam_weight_decay, adam_lr_ratio
        self.epsilon, self.rms_rate = epsilon, rms_rate
        self.exclude_layers, self.exclude_embeddings = exclude_layers or [], exclude_embeddings
        self.muon_a, self.muon_b, self.muon_c = muon_a, muon_b, muon_c
        self.momentum, self.nesterov, self.ns_steps = momentum, nesterov, ns_steps

    def _should_use_adamw(self, variable):
        if variable.dim() != 2:
            return True
        path = getattr(variable, "path", None) or ""
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(keyword, path) for keyword in self.exclude_layers)

    def build(self, variables):
        """Creates `momentum` per variable and, for AdamW variables, `velocity` after it."""
        if self.built:
            return
        super().build(variables)
        self._use_adamw = [self._should_use_adamw(variable) for variable in variables]
        self.momentums, self.adam_velocities = [], []
        for variable, adamw in zip(variables, self._use_adamw):
            self.momentums.append(self.add_variable_from_reference(variable, "momentum"))
            velocity = self.add_variable_from_reference(variable, "velocity") if adamw else None
            self.adam_velocities.append(velocity)

    def _split(self, *lists):
        """Each list cut into (AdamW part, Muon part) for the variables of this update."""
        flags = self._aligned(self._use_adamw)
        return [
            ([x for x, a in zip(items, flags) if a], [x for x, a in zip(items, flags) if not a])
            for items in lists
        ]

    def _apply_weight_decay(self, variables, learning_rate):
        decayed = self._decayed_variables(variables)
        keep = {id(variable) for variable in decayed}
        groups = self._split(variables)[0]
        for group, factor in zip(groups, (self.adam_weight_decay, self.weight_decay)):
            group = [variable for variable in group if id(variable) in keep]
            if factor is not None and group:
                torch._foreach_sub_(group, torch._foreach_mul(group, factor * learning_rate))

    def _backend_update_step(self, grads, variables, learning_rate):
        momentums = self._aligned(self.momentums)
        velocities = self._aligned(self.adam_velocities)
        (adam_g, muon_g), (adam_w, muon_w), (adam_m, muon_m) = self._split(
            grads, variables, momentums
        )
        if adam_w:
            adam_v = [v for v in velocities if v is not None]
            self._adamw_step(adam_g, adam_w, adam_m, adam_v, learning_rate * self.adam_lr_ratio)
        for grad, variable, momentum in zip(muon_g, muon_w, muon_m):
            self._muon_step(grad, variable, momentum, learning_rate)

    def _adamw_step(self, grads, variables, momentums, velocities, learning_rate):
        beta_1, beta_2 = self.adam_beta_1, self.adam_beta_2
        alpha = bias_corrected_rate(learning_rate, beta_1, beta_2, self._local_step())
        torch._foreach_lerp_(momentums, grads, 1 - beta_1)
        torch._foreach_lerp_(velocities, torch._foreach_mul(grads, grads), 1 - beta_2)
        apply_adam_step(variables, momentums, velocities, alpha, self.epsilon)

    def _muon_step(self, grad, variable, momentum, learning_rate):
        momentum.mul_(self.momentum).add_(grad)
        direction = grad + self.momentum * momentum if self.nesterov else momentum
        update = learning_rate * self._orthogonalize(direction)
        if self.rms_rate is not None:
            update = update * (max(update.shape[0], update.shape[1]) ** 0.5 * self.rms_rate)
        variable.sub_(update)

    def _orthogonalize(self, x):
        """Quintic Newton-Schulz iterations towards the nearest semi-orthogonal matrix."""
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = x.transpose(-2, -1)
        x = x / (torch.linalg.matrix_norm(x, keepdim=True) + 1e-7)
        for _ in range(self.ns_steps):
            gram = x @ x.transpose(-2, -1)
            x = self.muon_a * x + (self.muon_b * gram + self.muon_c * gram @ gram) @ x
        return x.transpose(-2, -1) if tall else x
