"""OptimizerState: an optimizer's tensors (step count, learning rate, slots) and their I/O.

Everything lives on the variables' device: `iterations` is an int64 scalar tensor, a float
learning rate a float32 scalar tensor (changed in place, so compiled code sees new values) and
each slot a tensor shaped like its variable. `variables` lists them in Keras' order, which is
also the order of `optimizer/vars/<i>` in saved files.
"""

import warnings

import numpy as np
import torch

from torchkeras import config
from torchkeras.distribution.sharded_values import assign, full_value
from torchkeras.optimizers import schedules


class OptimizerState:
    """Tensor state shared by every optimizer; `Optimizer` adds the update rules.

    Args:
        learning_rate: A float, a `LearningRateSchedule`, or a zero-argument callable.
    """

    def __init__(self, learning_rate):
        self.name = type(self).__name__
        self.gradient_accumulation_steps = None
        self._iterations = torch.zeros((), dtype=torch.int64)
        self._learning_rate = _learning_rate_state(learning_rate)
        self._trainable_variables = []
        self._variable_index = {}
        self._optimizer_variables = []
        self._indices = None  # positions of the variables of the current update, None for all
        self._phase = 0  # host position in a cycle of `_period` steps (see `Optimizer`)
        self._period = 1

    # ---- state ---------------------------------------------------------------------------
    @property
    def iterations(self):
        """Number of updates applied (an int64 tensor; counts real updates when accumulating)."""
        if self.gradient_accumulation_steps:
            return torch.div(
                self._iterations, self.gradient_accumulation_steps, rounding_mode="floor"
            )
        return self._iterations

    @property
    def learning_rate(self):
        """The current learning rate as a float32 tensor (a schedule's value at `iterations`)."""
        return self._current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, schedules.LearningRateSchedule) or _is_function(value):
            self._learning_rate = value
            return
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not settable. "
                "If you need the learning rate to be settable, you should instantiate the "
                "optimizer with a float `learning_rate` argument."
            )
        if not isinstance(self._learning_rate, torch.Tensor):
            self._learning_rate = _learning_rate_state(value).to(self._iterations.device)
            return
        # In place, so a compiled step holding this tensor sees the new value.
        with torch.no_grad():
            self._learning_rate.fill_(value)

    @property
    def variables(self):
        """State tensors in Keras' order: iterations, learning rate, then slots as created."""
        state = [self._iterations]
        if isinstance(self._learning_rate, torch.Tensor):
            state.append(self._learning_rate)
        return state + self._optimizer_variables

    def _current_learning_rate(self):
        learning_rate = self._learning_rate
        if isinstance(learning_rate, torch.Tensor):
            return learning_rate
        if isinstance(learning_rate, schedules.LearningRateSchedule):
            value = learning_rate(self._iterations)
        else:
            value = learning_rate()
        device = self._iterations.device
        if isinstance(value, torch.Tensor):
            return value.to(device=device, dtype=torch.float32)
        return torch.full((), float(value), dtype=torch.float32, device=device)

    # ---- slots ---------------------------------------------------------------------------
    def add_variable(
        self, shape, initializer="zeros", dtype=None, aggregation="none", layout=None, name=None
    ):
        """Adds a state tensor: zeros, ones, a constant or `initializer(shape, dtype)`."""
        torch_dtype = config.standardize_dtype(dtype)
        device = self._iterations.device
        value = _initial_value(initializer, tuple(shape), torch_dtype, device)
        self._optimizer_variables.append(value)
        return value

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """Adds a state tensor shaped, typed and placed like `reference_variable`."""
        reference = reference_variable
        fill = _fill_value(initializer)
        if fill is not None:
            with torch.no_grad():
                value = torch.full_like(reference, fill, memory_format=torch.preserve_format)
        else:
            value = _initial_value(initializer, tuple(reference.shape), reference.dtype, None)
            value = value.to(reference.device)
        self._optimizer_variables.append(value)
        return value

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """One state tensor per variable for each name; several names interleave, as in Keras."""
        names = [name] if isinstance(name, str) else list(name)
        inits = initializer
        if not isinstance(initializer, (list, tuple)):
            inits = [initializer] * len(names)
        if len(inits) != len(names):
            raise ValueError(
                "The number of provided names must match the number of provided initializers. "
                f"Received name='{name}', initializer='{initializer}'"
            )
        slots = tuple([] for _ in names)
        for variable in trainable_variables:
            for slot, slot_name, init in zip(slots, names, inits):
                slot.append(self.add_variable_from_reference(variable, slot_name, init))
        return slots[0] if isinstance(name, str) else slots

    def _get_variable_index(self, variable):
        return self._variable_index[id(variable)]

    def _aligned(self, slot):
        """The entries of a per-variable `slot` list for the variables of the current update."""
        if self._indices is None:
            return slot
        return [slot[i] for i in self._indices]

    # ---- assignment helpers (Keras' names) ----------------------------------------------
    def assign(self, variable, value):
        """Writes `value` into `variable` in place."""
        variable.copy_(value)

    def assign_add(self, variable, value):
        """Adds `value` to `variable` in place."""
        variable.add_(value)

    def assign_sub(self, variable, value):
        """Subtracts `value` from `variable` in place."""
        variable.sub_(value)

    # ---- saving --------------------------------------------------------------------------
    def set_weights(self, weights):
        """Loads the values of `variables` (arrays or tensors, in the same order)."""
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been built. "
                "Please call `optimizer.build(trainable_variables)` to create the optimizer "
                "weights before calling `set_weights()`."
            )
        with torch.no_grad():
            for variable, weight in zip(self.variables, weights):
                if not torch.is_tensor(weight):
                    weight = torch.as_tensor(np.asarray(weight))
                if tuple(variable.shape) != tuple(weight.shape):
                    raise ValueError(
                        f"Optimizer variable of shape {tuple(variable.shape)} not compatible with "
                        f"provided weight shape {tuple(weight.shape)}."
                    )
                assign(variable, weight)  # a sharded (ModelParallel) moment keeps its slice
        self._phase = int(self._iterations) % self._period

    def save_own_variables(self, store):
        """Writes `variables` as NumPy arrays under keys "0", "1", ..."""
        for i, variable in enumerate(self.variables):
            store[str(i)] = full_value(variable).detach().cpu().numpy()

    def load_own_variables(self, store):
        """Reads `save_own_variables`' output; warns and skips when the counts differ."""
        if len(store.keys()) != len(self.variables):
            warnings.warn(
                f"Skipping variable loading for optimizer '{self.name}', because it has "
                f"{len(self.variables)} variables whereas the saved optimizer has "
                f"{len(store.keys())} variables.",
                stacklevel=2,
            )
            return
        self.set_weights([store[str(i)] for i in range(len(self.variables))])


def _is_function(value):
    return callable(value) and not isinstance(value, torch.Tensor)


def _learning_rate_state(learning_rate):
    """A schedule or callable as is; a number as a float32 tensor."""
    if isinstance(learning_rate, schedules.LearningRateSchedule) or _is_function(learning_rate):
        return learning_rate
    if isinstance(learning_rate, torch.Tensor) and learning_rate.numel() == 1:
        return learning_rate.detach().to(torch.float32).reshape(()).clone()
    if isinstance(learning_rate, bool) or not isinstance(
        learning_rate, (int, float, np.integer, np.floating)
    ):
        raise ValueError(
            "Argument `learning_rate` should be float, or an instance of LearningRateSchedule, "
            "or a callable (that takes in the current iteration value and returns the "
            f"corresponding learning rate value). Received instead: learning_rate={learning_rate}"
        )
    return torch.tensor(float(learning_rate), dtype=torch.float32)


def _fill_value(initializer):
    """The constant an initializer fills with ("zeros", "ones", a number), else None."""
    if isinstance(initializer, str):
        return {"zeros": 0.0, "ones": 1.0}.get(initializer)
    if isinstance(initializer, (int, float)) and not isinstance(initializer, bool):
        return float(initializer)
    return None


def _initial_value(initializer, shape, dtype, device):
    fill = _fill_value(initializer)
    if fill is not None:
        return torch.full(shape, fill, dtype=dtype, device=device)
    if not callable(initializer):
        raise ValueError(
            "An optimizer variable's initializer must be 'zeros', 'ones', a number or a "
            f"callable `(shape, dtype) -> array`. Received: initializer={initializer!r}"
        )
    value = initializer(shape, dtype=config.dtype_name(dtype))
    return torch.as_tensor(value, dtype=dtype, device=device).clone()


