"""`keras.Variable`: a named, assignable torch tensor with Keras' attributes.

Layers keep their weights as `nn.Parameter`s and buffers; `Variable` serves the places where Keras
scripts hold state outside a layer: `keras.Variable(...)` in low-level training loops and metric
state (`Metric.add_weight`). Updates are in-place tensor ops, so they never read values back to the
host, and torch functions accept a Variable in place of its tensor (`torch.sqrt(v)`).
"""

import numbers

import numpy as np
import torch
from torch import nn

from torchkeras import config
from torchkeras.utils import naming

_AGGREGATIONS = (None, "none", "mean", "sum", "only_first_replica")
_SYNCHRONIZATIONS = (None, "none", "on_read", "on_write", "auto")
# Name strings this level can resolve; other initializer names go through
# `keras.initializers.get(name)` first, whose result is a callable Variable accepts.
_NAMED_INITIALIZERS = {"zeros": torch.zeros, "ones": torch.ones}


def _unwrap(value):
    """The tensor behind a Variable or a slice of one (containers walked); others unchanged."""
    if isinstance(value, (Variable, VariableSlice)):
        return value.value
    if isinstance(value, (list, tuple)):
        return type(value)(_unwrap(v) for v in value)
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    return value


def _inferred_dtype(value):
    """Keras' dtype for an initial value: tensors and arrays keep theirs, Python floats floatx."""
    if isinstance(value, torch.Tensor):
        return value.dtype
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        return config.standardize_dtype(value.dtype)
    kind = np.asarray(value).dtype.kind
    if kind == "f":
        return config.standardize_dtype(None)
    if kind in "iu":
        return torch.int32
    return config.standardize_dtype(np.asarray(value).dtype)


class TensorOperators:
    """Python operators of a tensor-like wrapper, computed on the tensor `self.value`.

    Results are plain tensors, as with Keras' Variables on the torch backend. `__torch_function__`
    lets every torch function (`torch.matmul(x, v)`, `F.relu(v)`) take the wrapper directly.
    """

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return func(*_unwrap(args), **_unwrap(kwargs or {}))

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.numpy(), dtype=dtype)

    def numpy(self):
        """The value as a NumPy array (a host copy; bfloat16 is widened to float32)."""
        tensor = self.value.detach()
        if tensor.dtype == torch.bfloat16:
            tensor = tensor.float()
        return tensor.cpu().numpy()

    @property
    def shape(self):
        """The shape as a tuple of ints."""
        return tuple(self.value.shape)

    @property
    def ndim(self):
        """Number of dimensions."""
        return self.value.dim()

    @property
    def device(self):
        """The torch device holding the value."""
        return self.value.device

    def __float__(self):
        return float(self.value.detach())

    def __int__(self):
        return int(self.value.detach())

    def __bool__(self):
        raise TypeError("A Keras Variable cannot be used as a boolean.")

    def __getitem__(self, key):
        return VariableSlice(self, key)

    __hash__ = object.__hash__


def _operand_for(tensor, other):
    """`other` ready for a binary op with `tensor`: arrays and lists become tensors."""
    other = _unwrap(other)
    if isinstance(other, (np.ndarray, list, tuple)):
        return torch.as_tensor(np.asarray(other), device=tensor.device)
    return other


def _binary_operator(name):
    def operator(self, other):
        tensor = self.value
        return getattr(tensor, name)(_operand_for(tensor, other))

    operator.__name__ = name
    return operator


def _unary_operator(name):
    def operator(self):
        return getattr(self.value, name)()

    operator.__name__ = name
    return operator


for _name in (
    "add radd sub rsub mul rmul truediv rtruediv floordiv rfloordiv mod rmod pow rpow matmul "
    "rmatmul and rand or ror xor rxor lt le gt ge eq ne"
).split():
    setattr(TensorOperators, f"__{_name}__", _binary_operator(f"__{_name}__"))
for _name in ("neg", "pos", "abs", "invert"):
    setattr(TensorOperators, f"__{_name}__", _unary_operator(f"__{_name}__"))


class Variable(TensorOperators):
    """A named tensor that is updated in place with `assign`, `assign_add` and `assign_sub`.

    Unlike Keras on torch, `assign*` return the Variable itself (TensorFlow's convention, which
    also makes chaining work) and `v[i, j]` returns a slice whose `.assign(x)` writes into `v`.

    Args:
        initializer: Initial value (array, tensor, number) or initializer callable
            `f(shape, dtype=None)`; the strings `"zeros"` and `"ones"` are accepted here, other
            names resolve through `keras.initializers.get(name)`.
        shape: Shape of the variable; required when `initializer` is a callable or a name.
        dtype: Keras dtype name; by default inferred from the value (floats get `floatx()`).
        trainable: Whether gradients flow to the value (float dtypes only).
        autocast: Kept for Keras compatibility (mixed precision reads).
        aggregation: Distributed aggregation, one of `"none"`, `"mean"`, `"sum"`,
            `"only_first_replica"`.
        synchronization: Distributed synchronization, one of `"none"`, `"on_read"`,
            `"on_write"`, `"auto"`.
        name: Name without `/`; by default a unique `"variable"`, `"variable_1"` ...

    Shapes: any; fixed at creation (`assign` needs the same shape).
    """

    def __init__(
        self,
        initializer=None,
        shape=None,
        dtype=None,
        trainable=True,
        autocast=True,
        aggregation="none",
        synchronization="auto",
        name=None,
    ):
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(
                "Argument `name` must be a string and cannot contain character `/`. "
                f"Received: name={name!r}"
            )
        if aggregation not in _AGGREGATIONS:
            raise ValueError(
                f"Invalid value for argument `aggregation`. Expected one of {_AGGREGATIONS}. "
                f"Received: aggregation={aggregation!r}"
            )
        if synchronization not in _SYNCHRONIZATIONS:
            raise ValueError(
                "Invalid value for argument `synchronization`. Expected one of "
                f"{_SYNCHRONIZATIONS}. Received: synchronization={synchronization!r}"
            )
        self.name = name or naming.unique_name("variable")
        self._path = self.name
        self.autocast = autocast
        self.aggregation = aggregation or "none"
        self.synchronization = synchronization or "auto"
        self.constraint = None
        self.regularizer = None
        self.overwrite_with_gradient = False
        self._trainable = bool(trainable)
        self._value = self._wrap(self._initial_tensor(initializer, shape, dtype))

    def _initial_tensor(self, initializer, shape, dtype):
        """The first value, as a fresh tensor that aliases nothing the caller holds."""
        if initializer is None:
            raise ValueError("A Variable needs an `initializer`: a value or a callable.")
        named = isinstance(initializer, str)
        if named and initializer not in _NAMED_INITIALIZERS:
            raise ValueError(
                f"Unknown initializer name {initializer!r} for a Variable: only 'zeros' and "
                "'ones' are accepted here; pass `keras.initializers.get(name)` instead."
            )
        if named or callable(initializer):
            if shape is None:
                raise ValueError(
                    "When creating a Variable from an initializer, the `shape` argument should "
                    f"be specified. Received: initializer={initializer!r} and shape=None"
                )
            torch_dtype = config.standardize_dtype(dtype)
            shape = tuple(int(d) for d in shape)
            if named:
                return _NAMED_INITIALIZERS[initializer](shape, dtype=torch_dtype)
            value = initializer(shape, dtype=config.dtype_name(torch_dtype))
            return torch.as_tensor(_unwrap(value)).detach().to(torch_dtype).clone()
        value = _unwrap(initializer)
        torch_dtype = config.standardize_dtype(dtype) if dtype else _inferred_dtype(value)
        if isinstance(value, torch.Tensor):
            return value.detach().to(torch_dtype).clone()
        return torch.tensor(np.asarray(value), dtype=torch_dtype)

    def _wrap(self, tensor):
        """Trainable float values are `nn.Parameter`s (usable by torch optimizers)."""
        if self._trainable and (tensor.is_floating_point() or tensor.is_complex()):
            return nn.Parameter(tensor, requires_grad=True)
        return tensor.requires_grad_(False) if tensor.requires_grad else tensor

    @property
    def value(self):
        """The torch tensor holding the current value."""
        return self._value

    @property
    def dtype(self):
        """Keras dtype name, e.g. `"float32"`."""
        return config.dtype_name(self._value.dtype)

    @property
    def path(self):
        """Full name including the owner's scope, e.g. `"mean/total"`."""
        return self._path

    def _set_path(self, path):
        """Used by owners (metrics) to scope the variable under their own name."""
        self._path = path

    @property
    def trainable(self):
        """Whether gradients flow to this variable."""
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        self._value = self._wrap(self._value.detach())

    def _operand(self, value):
        """`value` ready for an in-place op on the value: a Python number or a matching tensor."""
        value = _unwrap(value)
        if isinstance(value, numbers.Number) and not isinstance(value, complex):
            if self._value.is_floating_point() or isinstance(value, numbers.Integral):
                return value
        target = self._value
        if isinstance(value, torch.Tensor):
            if value.dtype != target.dtype or value.device != target.device:
                value = value.to(device=target.device, dtype=target.dtype)
            return value
        return torch.as_tensor(np.asarray(value), dtype=target.dtype, device=target.device)

    def assign(self, value):
        """Overwrites the value in place; `value` must have the variable's shape. Returns self."""
        value = self._operand(value)
        value_shape = tuple(value.shape) if isinstance(value, torch.Tensor) else ()
        if value_shape != self.shape:
            raise ValueError(
                "The shape of the target variable and the shape of the target value in "
                f"`variable.assign(value)` must match. variable.shape={self.shape}, "
                f"Received: value.shape={value_shape}. Target variable: {self!r}"
            )
        with torch.no_grad():
            if isinstance(value, torch.Tensor):
                self._value.copy_(value)
            else:
                self._value.fill_(value)
        return self

    def assign_add(self, value):
        """Adds `value` in place (as `+=`); returns self."""
        with torch.no_grad():
            self._value.add_(self._operand(value))
        return self

    def assign_sub(self, value):
        """Subtracts `value` in place (as `-=`); returns self."""
        with torch.no_grad():
            self._value.sub_(self._operand(value))
        return self

    def to(self, *args, **kwargs):
        """Moves the value to a device in place and returns self; a dtype gives a cast copy.

        `v.to("cuda")` moves the variable (as a module's `.to` would). `v.to(torch.float32)` (any
        call naming a dtype) returns a new tensor and leaves the variable as it is, as
        `tf.cast(v, tf.float32)` does.
        """
        if any(isinstance(a, torch.dtype) for a in (*args, *kwargs.values())):
            return self._value.to(*args, **kwargs)
        if not args and "device" not in kwargs:
            raise TypeError("Variable.to() needs a device (or a dtype for a cast copy).")
        device = torch.device(args[0] if args else kwargs["device"])
        current = self._value.device
        if current.type != device.type or device.index not in (None, current.index):
            self._value = self._wrap(self._value.detach().to(device))
        return self

    def __repr__(self):
        return (
            f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, "
            f"value={self.numpy()}>"
        )

    __str__ = __repr__


class VariableSlice(TensorOperators):
    """`variable[key]`: reads as the indexed tensor; `assign*` write through into the variable.

    Args:
        variable: The Variable (or slice) indexed.
        key: Any torch index: ints, slices, `...`, `None`, index arrays, boolean masks.
    """

    def __init__(self, variable, key):
        self._variable = variable
        self._key = _unwrap(key)

    @property
    def value(self):
        """The indexed tensor (a view for basic indexing)."""
        return self._variable.value[self._key]

    @property
    def dtype(self):
        """Keras dtype name of the variable."""
        return self._variable.dtype

    def assign(self, value):
        """Writes `value` (broadcast to the slice's shape) into the variable; returns self."""
        root, key = self._root_and_keys()
        with torch.no_grad():
            _set_nested(root.value, key, _unwrap(value))
        return self

    def assign_add(self, value):
        """Adds `value` to the slice in place; returns self."""
        with torch.no_grad():
            return self.assign(self.value + _operand_for(self.value, value))

    def assign_sub(self, value):
        """Subtracts `value` from the slice in place; returns self."""
        with torch.no_grad():
            return self.assign(self.value - _operand_for(self.value, value))

    def _root_and_keys(self):
        """The Variable under nested slices, and the keys applied to it, outermost last."""
        keys, node = [], self
        while isinstance(node, VariableSlice):
            keys.append(node._key)
            node = node._variable
        return node, keys[::-1]

    def __repr__(self):
        return repr(self.value)


def _set_nested(tensor, keys, value):
    """`tensor[k0][k1]...[kn] = value`, writing through views where indexing makes copies."""
    if len(keys) == 1:
        tensor[keys[0]] = value
        return
    inner = tensor[keys[0]]
    _set_nested(inner, keys[1:], value)
    tensor[keys[0]] = inner
