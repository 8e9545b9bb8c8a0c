"""LossScaleOptimizer: Keras' dynamic loss scaling around another optimizer, for float16 training.

The scale and the count of finite steps are device tensors. One update checks and unscales all
gradients with torch's fused `_amp_foreach_non_finite_check_and_unscale_`, then reads the
found-inf flag once on the host to decide whether the inner optimizer runs at all (exactly as
`torch.amp.GradScaler.step` does: on CUDA this is the one synchronisation of a float16 step).
A skipped step leaves every variable and all inner state untouched, as in Keras.
"""

import torch

from torchkeras.optimizers.optimizer import Optimizer
from torchkeras.registry import OPTIMIZERS

_BASE_DEFAULTS = {
    "weight_decay": None,
    "clipnorm": None,
    "global_clipnorm": None,
    "clipvalue": None,
    "use_ema": False,
    "ema_momentum": 0.99,
    "ema_overwrite_frequency": None,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}


@OPTIMIZERS.register()
class LossScaleOptimizer(Optimizer):
    """Wraps `inner_optimizer` with Keras' dynamic loss scaling.

    `scale_loss(loss)` multiplies the loss by the current scale before the backward pass and
    `apply` divides the gradients by it. If any gradient is not finite the update is skipped
    and the scale halved; after `dynamic_growth_steps` finite steps in a row it is doubled.
    Unlike Keras, the gradients passed to `apply` are unscaled in place (as torch's
    `GradScaler.unscale_` does), which saves a copy of every gradient.

    Args:
        inner_optimizer: The `Optimizer` to wrap (a torchkeras optimizer, not `torch.optim`).
        initial_scale: The starting loss scale (2**15 by default).
        dynamic_growth_steps: Double the scale after this many consecutive finite steps.
        name: Name of the optimizer; defaults to `"loss_scale_optimizer"`.
    """

    def __init__(self, inner_optimizer, initial_scale=2.0**15, dynamic_growth_steps=2000,
                 name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError(
                "LossScaleOptimizer no longer supports `dynamic=False`. Instead, simply set "
                "`loss_scale_factor` directly on the `inner_optimizer`."
            )
        for key, default in _BASE_DEFAULTS.items():
            if key in kwargs and kwargs.pop(key) != default:
                raise ValueError(
                    f"LossScaleOptimizer does not support `{key}`. Instead, set `{key}` on the "
                    "`inner_optimizer`."
                )
        if kwargs:
            raise ValueError(
                f"LossScaleOptimizer does not support arguments: `{'`, `'.join(kwargs)}`."
            )
        if not isinstance(inner_optimizer, Optimizer):
            raise ValueError(
                "LossScaleOptimizer: `inner_optimizer` must be a keras optimizer instance. "
                f"Received: inner_optimizer={inner_optimizer!r}"
            )
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        self.inner_optimizer.loss_scale_factor = None

    def build(self, variables):
        """Creates `step_counter` and `dynamic_scale`, then builds the inner optimizer."""
        if self.built:
            return
        variables = list(variables)
        super().build(variables)
        self.step_counter = self.add_variable((), initializer="zeros", dtype="int32")
        self.dynamic_scale = self.add_variable(
            (), initializer=float(self.initial_scale), dtype="float32"
        )
        self._found_inf = torch.zeros(1, dtype=torch.float32, device=self.dynamic_scale.device)
        self.inner_optimizer.build(variables)

    @property
    def variables(self):
        """Own state (iterations, learning rate, step counter, scale), then the inner's."""
        return super().variables + self.inner_optimizer.variables

    @property
    def _scales_loss(self):
        return True

    def scale_loss(self, loss):
        """`loss` times the current scale (`initial_scale` before the first update)."""
        return loss * (self.dynamic_scale if self.built else self.initial_scale)

    def apply(self, grads, trainable_variables=None):
        """Unscales `grads` in place; applies them with the inner optimizer if all are finite."""
        grads = list(grads)
        if not self.built:
            if trainable_variables is None:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be "
                    "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                    "first."
                )
            self.build(trainable_variables)
        with torch.no_grad():
            present = [grad for grad in grads if grad is not None]
            found_inf = self._found_inf
            found_inf.zero_()
            if present:
                inverse = self.dynamic_scale.reciprocal().reshape(1)
                torch._amp_foreach_non_finite_check_and_unscale_(present, found_inf, inverse)
            if found_inf.item():  # the one host read of a step (a sync on CUDA), as GradScaler
                self.step_counter.zero_()
                self.dynamic_scale.mul_(0.5)
                return
            self.inner_optimizer.apply(grads, trainable_variables)
            grow = self.step_counter == self.dynamic_growth_steps - 1
            self.dynamic_scale.mul_(grow.to(torch.float32) + 1.0)
            self.step_counter.add_(1).mul_(~grow)

    def check_finite(self, grads):
        """Whether every (non-None) gradient is finite, as a bool tensor."""
        present = [grad for grad in grads if grad is not None]
        if not present:
            return torch.tensor(True)
        return torch.stack([torch.isfinite(grad).all() for grad in present]).all()

    @property
    def learning_rate(self):
        """The inner optimizer's learning rate (settable)."""
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if hasattr(self, "inner_optimizer"):
            self.inner_optimizer.learning_rate = value
        else:  # the base constructor's 0.0
            Optimizer.learning_rate.fset(self, value)

    @property
    def iterations(self):
        """The inner optimizer's step count (skipped steps do not count)."""
        return self.inner_optimizer.iterations

    def set_weights(self, weights):
        """Loads `variables` (own, then the inner optimizer's) in order."""
        super().set_weights(weights)
        inner = self.inner_optimizer
        inner._phase = int(inner._iterations) % inner._period

    def finalize_variable_values(self, var_list):
        """The inner optimizer's EMA, if it keeps one."""
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self):
        """Keras' config: name, the serialized inner optimizer, initial scale, growth steps."""
        return {
            "name": self.name,
            "inner_optimizer": OPTIMIZERS.serialize(self.inner_optimizer),
            "initial_scale": self.initial_scale,
            "dynamic_growth_steps": self.dynamic_growth_steps,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """The optimizer of `get_config()`'s output (an inner config from Keras works too)."""
        config = dict(config)
        inner = config.pop("inner_optimizer")
        if isinstance(inner, dict):
            inner_cls = OPTIMIZERS.lookup(inner["class_name"], custom_objects)
            inner = inner_cls.from_config(inner.get("config") or {}, custom_objects)
        return cls(inner, **config)
