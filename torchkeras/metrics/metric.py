"""The `Metric` base class and the tensor helpers shared by every metric.

A metric keeps its running state in `Variable`s created by `add_weight`. They are plain tensors,
not module parameters: a model's `state_dict` never sees them. Every `update_state` in this package
is a sequence of in-place tensor ops with no value read back to the host, so a training step that
updates metrics never waits for the device; values become Python numbers only when `result()` is
read by a caller.
"""

import torch

from torchkeras import config
from torchkeras.utils import naming
from torchkeras.variables import Variable

# Metric functions by name, for `MeanMetricWrapper` configs (`{"class_name": "function", ...}`).
FUNCTIONS = {}


def metric_function(fn):
    """Decorator recording a per-sample metric function under its `__name__`."""
    FUNCTIONS[fn.__name__] = fn
    return fn


def to_tensor(x, dtype=None, device=None):
    """`x` (array, tensor, number, Variable) as a tensor; converts only what differs."""
    if isinstance(x, Variable):
        x = x.value
    if isinstance(x, torch.Tensor):
        if (dtype is not None and x.dtype != dtype) or (device is not None and x.device != device):
            x = x.to(device=device or x.device, dtype=dtype or x.dtype)
        return x
    return torch.as_tensor(x, dtype=dtype, device=device)


def divide_no_nan(x, y):
    """`x / y`, with 0 wherever `y == 0` (no NaN or inf from empty counts)."""
    return torch.where(y == 0, torch.zeros_like(x), x / torch.where(y == 0, torch.ones_like(y), y))


class Metric:
    """Base class of stateful metrics: `update_state` accumulates, `result` reads.

    Subclasses create their state in `__init__` (or lazily, on the first batch) with `add_weight`,
    and implement `update_state(*args, **kwargs)` and `result()`. `reset_state()` zeroes every
    variable in place, as Keras does, whatever the initializer was.

    Args:
        dtype: Dtype of the state and of the result; `None` means `floatx()`.
        name: Name of the metric (and prefix of its variables' paths); by default a unique snake
            case form of the class name.
    """

    # A subclass's own constructor arguments, kept as attributes of the same name; in config order.
    _config_keys = ()

    def __init__(self, dtype=None, name=None):
        if name is not None and not isinstance(name, str):
            raise ValueError(f"Argument `name` must be a string, got name={name!r}.")
        self._name = name or naming.unique_name(naming.to_snake_case(type(self).__name__))
        self._dtype = config.dtype_name(config.standardize_dtype(dtype))
        self._variables = []
        self._constants = {}
        self._device = None

    @property
    def name(self):
        """Name of the metric, used as its log key and as its variables' path prefix."""
        return self._name

    @name.setter
    def name(self, value):
        self._name = value
        for variable in self._variables:
            variable._set_path(f"{value}/{variable.name}")

    @property
    def dtype(self):
        """Keras dtype name of the state, e.g. `"float32"`."""
        return self._dtype

    @property
    def variables(self):
        """The state variables, in creation order."""
        return list(self._variables)

    @property
    def device(self):
        """Device of the state: where `to()` put it, else where new state is created."""
        return self._device or torch.get_default_device()

    def add_weight(self, shape=(), initializer="zeros", dtype=None, aggregation="sum", name=None):
        """Creates a non-trainable state `Variable` on the metric's device and returns it.

        Args:
            shape: Shape of the variable.
            initializer: `"zeros"`, `"ones"`, a value or an initializer callable.
            dtype: Dtype name; `None` means the metric's dtype.
            aggregation: Distributed aggregation (kept for Keras compatibility).
            name: Variable name; its path is `"<metric name>/<name>"`.
        """
        with torch.device(self.device):
            variable = Variable(
                initializer=initializer,
                shape=shape,
                dtype=dtype or self.dtype,
                trainable=False,
                aggregation=aggregation,
                name=name,
            )
        variable._set_path(f"{self.name}/{variable.name}")
        self._variables.append(variable.to(self.device))
        return variable

    def _add_constant(self, name, values):
        """Stores a fixed tensor (thresholds, label weights) that `to()` moves with the state."""
        dtype = config.standardize_dtype(self.dtype)
        self._constants[name] = torch.tensor(values, dtype=dtype, device=self.device)
        return self._constants[name]

    def update_state(self, *args, **kwargs):
        """Accumulates statistics from one batch; subclasses define the arguments."""
        raise TypeError(f"Metric {type(self).__name__} must implement `update_state()`.")

    def result(self):
        """The metric's value from the accumulated state, as a tensor."""
        raise TypeError(f"Metric {type(self).__name__} must implement `result()`.")

    def reset_state(self):
        """Zeroes every state variable in place (Keras' behaviour for any initializer)."""
        with torch.no_grad():
            for variable in self._variables:
                variable.value.zero_()

    def __call__(self, *args, **kwargs):
        """Updates the state with one batch, then returns `result()`."""
        self.update_state(*args, **kwargs)
        return self.result()

    def to(self, device):
        """Moves the state to `device` (and creates later state there); returns self.

        Call it once before updating with device tensors (the trainer does): inputs are brought
        to the state's device, which for CUDA inputs and CPU state means a copy per batch.
        """
        self._device = torch.device(device)
        for variable in self._variables:
            variable.to(self._device)
        for name, tensor in self._constants.items():
            self._constants[name] = tensor.to(self._device)
        return self

    def get_config(self):
        """Constructor arguments as a JSON-friendly dict: name, dtype, then `_config_keys`."""
        own = {key: getattr(self, key) for key in self._config_keys}
        return {"name": self.name, "dtype": self.dtype, **own}

    @classmethod
    def from_config(cls, config):
        """Builds the metric from `get_config()`'s output."""
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"
