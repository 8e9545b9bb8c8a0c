"""Adafactor: Adam-like steps with a factored (row and column) second moment for matrices."""

import torch

from torchkeras.optimizers.optimizer import Optimizer, base_arguments
from torchkeras.registry import OPTIMIZERS


@OPTIMIZERS.register()
class Adafactor(Optimizer):
    """Adafactor: memory-light second moments, relative step sizes and update clipping.

    With `t = iterations + 1`, `rho = min(lr, 1 / sqrt(t))` and `b = 1 - t^beta_2_decay`, a
    matrix keeps row and column means `r`, `c` of `g² + epsilon_1` (decayed by `b`) and
    `v = (r / mean(r)) ⊗ c`; other variables keep `v` itself. The step is
    `w -= max(epsilon_2, rms(w)) * rho * u / max(1, rms(u) / clip_threshold)`, `u = g / sqrt(v)`.
    As in Keras, `relative_step` has no effect beyond this (rho already caps the rate).

    Args:
        learning_rate: A float, a `LearningRateSchedule`, or a zero-argument callable.
        beta_2_decay: Exponent of the second-moment decay schedule.
        epsilon_1: Added to the squared gradient.
        epsilon_2: Lower bound on the variable's RMS in the step size.
        clip_threshold: Threshold of the update's RMS.
        relative_step: Kept for Keras compatibility.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name: As for
            `Optimizer`.
    """

    _config_keys = ("beta_2_decay", "epsilon_1", "epsilon_2", "clip_threshold", "relative_step")
    # Its row/column statistics are reduced shapes, not slices of the weights: ModelParallel
    # (which shards optimizer state like the weights) refuses it.
    _shards_with_weights = False

    def __init__(
        self,
        learning_rate=0.001,
        beta_2_decay=-0.8,
        epsilon_1=1e-30,
        epsilon_2=1e-3,
        clip_threshold=1.0,
        relative_step=True,
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
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def build(self, variables):
        """Creates, per variable in turn, row and column statistics `r`, `c` and `velocity`.

        Below rank 2, `r` and `c` are unused int32 scalars, as in Keras (they keep the order of
        `variables`, hence of saved files, identical).
        """
        if self.built:
            return
        super().build(variables)
        self._r, self._c, self._v = [], [], []
        for variable in variables:
            if variable.dim() < 2:
                self._r.append(self.add_variable((), dtype="int32"))
                self._c.append(self.add_variable((), dtype="int32"))
            else:
                shape = tuple(variable.shape)
                self._r.append(self.add_variable(shape[:-1], dtype=variable.dtype))
                self._c.append(self.add_variable(shape[:-2] + shape[-1:], dtype=variable.dtype))
            self._v.append(self.add_variable_from_reference(variable, "velocity"))

    def _backend_update_step(self, grads, variables, learning_rate):
        step = self._local_step().to(torch.float32)
        rho = torch.minimum(learning_rate, 1 / torch.sqrt(step))
        decay = 1 - torch.pow(step, self.beta_2_decay)
        slots = zip(self._aligned(self._r), self._aligned(self._c), self._aligned(self._v))
        for grad, variable, (r, c, v) in zip(grads, variables, slots):
            alpha = torch.clamp(_rms(variable), min=self.epsilon_2) * rho
            squared = grad * grad + self.epsilon_1
            if variable.dim() >= 2:
                r.copy_(decay * r + (1 - decay) * squared.mean(dim=-1))
                c.copy_(decay * c + (1 - decay) * squared.mean(dim=-2))
                v.copy_((r / r.mean(dim=-1, keepdim=True)).unsqueeze(-1) * c.unsqueeze(-2))
            else:
                v.copy_(decay * v + (1 - decay) * squared)
            update = grad / torch.sqrt(v)
            update = update / torch.clamp(_rms(update) / self.clip_threshold, min=1.0)
            variable.sub_(alpha * update)


def _rms(x):
    return torch.sqrt(torch.mean(x * x))
