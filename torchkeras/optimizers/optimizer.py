"""Optimizer: Keras 3's optimizer protocol on torch tensors, updated with multi-tensor ops.

State lives in plain tensors on the variables' device: the step count `iterations` (int64), the
learning rate (float32, unless a schedule) and one slot tensor per variable and kind. An update
never reads a device value on the host, so it costs no synchronisation; the only host-side state
is a small cycle counter deciding gradient-accumulation and EMA-overwrite steps.
"""

import inspect
import re
import warnings

import torch

from torchkeras.distribution.sharded_values import copy_all
from torchkeras.optimizers import schedules
from torchkeras.optimizers.state import OptimizerState
from torchkeras.utils import naming


class Optimizer(OptimizerState):
    """Base class of Keras optimizers: apply gradients to a fixed list of tensors.

    Semantics follow Keras: decoupled weight decay `w *= 1 - weight_decay * lr` before the update,
    one clipping mode (per-variable `clipnorm`, `global_clipnorm` or `clipvalue`), gradient
    accumulation (apply the mean every N calls), and an EMA of the variables. Built-in subclasses
    override `_backend_update_step` with `torch._foreach_*` code; a custom subclass may instead
    define Keras' per-variable `update_step(gradient, variable, learning_rate)`.

    Args:
        learning_rate: A float, a `LearningRateSchedule`, or a zero-argument callable.
        weight_decay: Decoupled weight decay factor; `None` disables it.
        clipnorm: Clip each gradient to this L2 norm.
        clipvalue: Clip gradient elements to `[-clipvalue, clipvalue]`.
        global_clipnorm: Clip all gradients together to this global L2 norm.
        use_ema: Whether to keep an exponential moving average of the variables.
        ema_momentum: Weight of the old average in the EMA.
        ema_overwrite_frequency: Copy the EMA into the variables every this many steps.
        loss_scale_factor: Gradients are divided by this before use (see `scale_loss`).
        gradient_accumulation_steps: Update every this many calls, with the mean gradient.
        name: Name of the optimizer; defaults to the snake-case class name.
    """

    # A subclass's own constructor arguments, kept as attributes of the same name; in config order.
    _config_keys = ()

    def __init__(
        self,
        learning_rate,
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
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.")
        if "lr" in kwargs:  # tf.keras 2's name, still common in scripts (`SGD(lr=0.01)`)
            warnings.warn(
                "Argument `lr` is deprecated in Keras 3: use `learning_rate`.",
                DeprecationWarning,
                stacklevel=3,
            )
            learning_rate = kwargs.pop("lr")
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        _check_options(clipnorm, clipvalue, global_clipnorm, gradient_accumulation_steps)
        if use_ema:
            _check_ema(ema_momentum, ema_overwrite_frequency)
        super().__init__(learning_rate)
        self.name = name or naming.unique_name(naming.to_snake_case(type(self).__name__))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self.exclude_from_weight_decay()
        # `_phase` (host) cycles through accumulation and EMA-overwrite steps: no device read.
        overwrite = ema_overwrite_frequency if use_ema and ema_overwrite_frequency else 1
        self._period = (gradient_accumulation_steps or 1) * overwrite

    # ---- building ------------------------------------------------------------------------
    def build(self, variables):
        """Creates the state for `variables` (on their device); called once, by the first apply."""
        variables = list(variables)
        device = variables[0].device if variables else self._iterations.device
        self._iterations = self._iterations.to(device)
        if isinstance(self._learning_rate, torch.Tensor):
            self._learning_rate = self._learning_rate.to(device)
        self._trainable_variables = variables
        self._variable_index = {id(variable): i for i, variable in enumerate(variables)}
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(
                variables, "average"
            )
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = self.add_optimizer_variables(
                variables, "gradient_accumulator"
            )
        self._refresh_decay_mask()
        # The global norm sums in float32 at least (float64 if any variable is float64).
        wide = any(variable.dtype == torch.float64 for variable in variables)
        self._norm_dtype = torch.float64 if wide else torch.float32
        self.built = True

    # ---- applying gradients --------------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """Applies `(gradient, variable)` pairs; returns `iterations` (as tf.keras did)."""
        grads, variables = zip(*grads_and_vars)
        self.apply(grads, variables)
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Updates the variables in place from their gradients; `None` gradients are skipped.

        Args:
            grads: Gradients, one per variable (or per built variable when no variables given).
            trainable_variables: The tensors to update; builds the optimizer on the first call.
        """
        grads = list(grads)
        if not grads:
            return
        with torch.no_grad():
            grads, variables = self._select(grads, trainable_variables)
            if self.loss_scale_factor is not None:
                grads = torch._foreach_div(grads, float(self.loss_scale_factor))
            self._backend_apply_gradients(grads, variables)
            self._iterations.add_(1)
        self._indices = None
        self._phase = (self._phase + 1) % self._period

    def _select(self, grads, trainable_variables):
        """Variables paired with non-None gradients; sets `_indices` for `_aligned`."""
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be "
                    "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                    "first."
                )
            variables = self._trainable_variables
        else:
            variables = list(trainable_variables)
            if not self.built:
                self.build(variables)
        if len(grads) != len(variables):
            raise ValueError(
                f"Received {len(grads)} gradients for {len(variables)} variables; "
                "they must match one to one."
            )
        self._indices = self._positions(variables)
        if any(grad is None for grad in grads):
            grads, variables = self._drop_missing(grads, variables)
        grads = [g if g.dtype == v.dtype else g.to(v.dtype) for g, v in zip(grads, variables)]
        return grads, variables

    def _positions(self, variables):
        built = self._trainable_variables
        if len(variables) == len(built) and all(a is b for a, b in zip(variables, built)):
            return None
        positions = [self._variable_index.get(id(variable)) for variable in variables]
        if None in positions:
            raise ValueError(
                f"Unknown variable of shape {tuple(variables[positions.index(None)].shape)}. "
                "This optimizer can only be called for the variables it was originally built "
                "with. When working with a new set of variables, you should recreate a new "
                "optimizer instance."
            )
        return positions

    def _drop_missing(self, grads, variables):
        keep = [k for k, grad in enumerate(grads) if grad is not None]
        if not keep:
            raise ValueError("No gradients provided for any variable.")
        positions = self._indices or range(len(variables))
        missing = [positions[k] for k in range(len(grads)) if grads[k] is None]
        warnings.warn(
            f"Gradients do not exist for variables at positions {missing} when minimizing the "
            "loss. If using `model.compile()`, did you forget to provide a `loss` argument?"
        )
        self._indices = [positions[k] for k in keep]
        return [grads[k] for k in keep], [variables[k] for k in keep]

    def _backend_apply_gradients(self, grads, variables):
        steps = self.gradient_accumulation_steps
        if steps:
            accumulators = self._aligned(self._accumulated_gradients)
            if (self._phase + 1) % steps == 0:
                grads = torch._foreach_add(grads, accumulators)
                torch._foreach_div_(grads, float(steps))
                self._update(grads, variables)
                torch._foreach_zero_(self._accumulated_gradients)
            else:
                torch._foreach_add_(accumulators, grads)
        else:
            self._update(grads, variables)
        if self.use_ema:
            self._update_model_variables_moving_average()

    def _update(self, grads, variables):
        learning_rate = self._current_learning_rate()
        grads = self._clip_gradients(grads)
        self._apply_weight_decay(variables, learning_rate)
        self._backend_update_step(grads, variables, learning_rate)

    def _backend_update_step(self, grads, variables, learning_rate):
        """Updates all `variables`; the default calls Keras' per-variable `update_step`."""
        for grad, variable in zip(grads, variables):
            self.update_step(grad, variable, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        """Keras' per-variable update hook, for custom subclasses; built-ins update all at once."""
        raise TypeError(
            f"Optimizer '{type(self).__name__}' must define `update_step(gradient, variable, "
            "learning_rate)` or `_backend_update_step(grads, variables, learning_rate)`."
        )

    def _local_step(self):
        """`iterations + 1` as an int64 tensor: the 1-based step of the update being applied."""
        return self.iterations + 1

    # ---- clipping and weight decay -------------------------------------------------------
    def _clip_gradients(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            norms = torch._foreach_clamp_min(torch._foreach_norm(grads), float(self.clipnorm))
            clipped = torch._foreach_mul(grads, float(self.clipnorm))
            torch._foreach_div_(clipped, norms)
            return clipped
        if self.global_clipnorm and self.global_clipnorm > 0:
            norms = torch._foreach_norm(grads, dtype=self._norm_dtype)
            norm = torch.linalg.vector_norm(torch.stack(norms))
            limit = float(self.global_clipnorm)
            # NaN for a non-finite norm, as Keras: `norm - norm` is NaN exactly then.
            scale = limit * torch.clamp(1.0 / norm, max=1.0 / limit) + (norm - norm)
            return torch._foreach_mul(grads, scale)
        if self.clipvalue and self.clipvalue > 0:
            clipped = torch._foreach_clamp_min(grads, -float(self.clipvalue))
            torch._foreach_clamp_max_(clipped, float(self.clipvalue))
            return clipped
        return grads

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exempts variables from weight decay: those in `var_list`, or whose name matches.

        Names are regular expressions searched in Keras' `variable.name`, the last part of each
        tensor's `path` attribute (set by `fit` on model weights); tensors without one match none.
        """
        self._exclude_ids = {id(variable) for variable in var_list or ()}
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None
        self._refresh_decay_mask()

    def _refresh_decay_mask(self):
        # Decided once per build (not lazily in `apply`, which would recompile a compiled step).
        self._decay_mask = [self._use_weight_decay(v) for v in self._trainable_variables]
        self._decayed_all = [
            v for v, keep in zip(self._trainable_variables, self._decay_mask) if keep
        ]

    def _use_weight_decay(self, variable):
        if id(variable) in self._exclude_ids:
            return False
        path, pattern = getattr(variable, "path", None), self._exclude_pattern
        name = None if path is None else path.rsplit("/", 1)[-1]  # Keras' `variable.name`
        return not (pattern is not None and name is not None and pattern.search(name))

    def _decayed_variables(self, variables):
        if self._indices is None:
            return self._decayed_all
        return [v for v, i in zip(variables, self._indices) if self._decay_mask[i]]

    def _apply_weight_decay(self, variables, learning_rate):
        if self.weight_decay is None:
            return
        decayed = self._decayed_variables(variables)
        if decayed:
            torch._foreach_mul_(decayed, 1 - self.weight_decay * learning_rate)

    # ---- EMA -----------------------------------------------------------------------------
    def _update_model_variables_moving_average(self):
        averages = self._model_variables_moving_average
        weight = 1 - self.ema_momentum * (self.iterations != 0)  # a copy while iterations is 0
        torch._foreach_lerp_(averages, self._trainable_variables, weight)
        frequency = self.ema_overwrite_frequency
        steps = self.gradient_accumulation_steps or 1
        if frequency and (self._phase // steps + 1) % frequency == 0:
            copy_all(self._trainable_variables, averages)

    def finalize_variable_values(self, var_list):
        """Copies the EMA into `var_list` (the built variables) when `use_ema` is set."""
        if not self.use_ema:
            return
        var_list = list(var_list)
        averages = self._model_variables_moving_average
        if len(var_list) != len(averages):
            raise ValueError(
                f"The length of model variables ({len(var_list)}) to override does not match "
                f"the length of model variables stored in the optimizer ({len(averages)}). "
                "Please check if the optimizer was called on your model."
            )
        with torch.no_grad():
            copy_all(var_list, averages)

    def scale_loss(self, loss):
        """Multiplies `loss` by `loss_scale_factor` when set (gradients are divided back)."""
        return loss if self.loss_scale_factor is None else loss * self.loss_scale_factor

    @property
    def _scales_loss(self):
        """Whether the train step must call `scale_loss` before the backward pass."""
        return self.loss_scale_factor is not None

    # ---- config --------------------------------------------------------------------------
    def get_config(self):
        """Constructor arguments with Keras' keys (`_config_keys` last); a float rate as float32."""
        learning_rate = self._learning_rate
        if isinstance(learning_rate, schedules.LearningRateSchedule):
            learning_rate = schedules.serialize(learning_rate)
        elif isinstance(learning_rate, torch.Tensor):
            learning_rate = float(learning_rate)
        return {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
            **{key: getattr(self, key) for key in self._config_keys},
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Builds the optimizer from `get_config()`; a schedule config becomes a schedule."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(
                config["learning_rate"], custom_objects
            )
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r} built={self.built}>"


def base_arguments(arguments):
    """`Optimizer.__init__`'s arguments, picked from a subclass constructor's `locals()`.

    Subclasses spell out Keras' whole signature and forward its shared part with
    `super().__init__(**base_arguments(locals()))`; their extra `**kwargs` go along to be checked.
    """
    return {**{name: arguments[name] for name in _BASE_PARAMETERS}, **arguments["kwargs"]}


_BASE_PARAMETERS = [
    name
    for name in inspect.signature(Optimizer.__init__).parameters
    if name not in {"self", "kwargs"}
]


def _check_options(clipnorm, clipvalue, global_clipnorm, gradient_accumulation_steps):
    if gradient_accumulation_steps and not gradient_accumulation_steps >= 2:
        raise ValueError(
            "`gradient_accumulation_steps` must be an integer >= 2. Received: "
            f"gradient_accumulation_steps={gradient_accumulation_steps}"
        )
    if sum(arg is not None for arg in (clipnorm, clipvalue, global_clipnorm)) > 1:
        raise ValueError(
            "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
            f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
        )


def _check_ema(ema_momentum, ema_overwrite_frequency):
    if ema_momentum > 1 or ema_momentum < 0:
        raise ValueError(
            f"`ema_momentum` must be in the range [0, 1]. Received: ema_momentum={ema_momentum}"
        )
    if ema_overwrite_frequency and (
        not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1
    ):
        raise ValueError(
            "`ema_overwrite_frequency` must be an integer >= 1 or None. Received: "
            f"ema_overwrite_frequency={ema_overwrite_frequency}"
        )
