"""Symbolic tensors and graph nodes: how calling layers on `keras.Input` records a model."""

import itertools

import numpy as np
import torch

from torchkeras import config, ops
from torchkeras.layers import call_context, masking_support
from torchkeras.ops import numpy_indexing, symbolic_dispatch
from torchkeras.ops.symbolic_dispatch import SymbolicTensor
from torchkeras.utils import naming, nest

_node_ids = itertools.count()
# Sizes that stand in for unknown (None) axes when a layer is run to find its output shape.
_PROBE_BATCH = (2, 3)
_PROBE_AXIS = (16, 17)


_get_item = symbolic_dispatch.symbolic_aware("get_item", numpy_indexing.get_item)


def _binary(function_name, reflected=False):
    """A KerasTensor operator method recording `keras.ops.<function_name>`, as Keras' does."""

    def operator(self, other):
        function = getattr(ops, function_name)
        return function(other, self) if reflected else function(self, other)

    return operator


def _unary(function_name):
    return lambda self: getattr(ops, function_name)(self)


class KerasTensor(SymbolicTensor):
    """A placeholder with a shape (batch axis `None`) and a dtype, produced by `keras.Input`.

    It carries no data: calling a layer on it records a `Node`, from which a functional
    `Model` later reads its graph. Python operators, indexing, `reshape`/`squeeze` and
    `keras.ops` functions on it record operations (`layers/operation.py`).
    """

    __add__, __radd__ = _binary("add"), _binary("add", True)
    __sub__, __rsub__ = _binary("subtract"), _binary("subtract", True)
    __mul__, __rmul__ = _binary("multiply"), _binary("multiply", True)
    __matmul__, __rmatmul__ = _binary("matmul"), _binary("matmul", True)
    __truediv__, __rtruediv__ = _binary("true_divide"), _binary("true_divide", True)
    __floordiv__, __rfloordiv__ = _binary("floor_divide"), _binary("floor_divide", True)
    __mod__, __rmod__ = _binary("mod"), _binary("mod", True)
    __pow__, __rpow__ = _binary("power"), _binary("power", True)
    __and__, __rand__ = _binary("logical_and"), _binary("logical_and", True)
    __or__, __ror__ = _binary("logical_or"), _binary("logical_or", True)
    __xor__, __rxor__ = _binary("logical_xor"), _binary("logical_xor", True)
    __lt__, __le__ = _binary("less"), _binary("less_equal")
    __gt__, __ge__ = _binary("greater"), _binary("greater_equal")
    __ne__ = _binary("not_equal")  # `==` stays identity, so KerasTensors can key dicts
    __neg__, __abs__, __invert__ = _unary("negative"), _unary("absolute"), _unary("logical_not")
    __hash__ = object.__hash__

    def __getitem__(self, key):
        return _get_item(self, key)

    def __round__(self, ndigits=None):
        return ops.round(self, ndigits or 0)

    def reshape(self, newshape):
        return ops.reshape(self, newshape)

    def squeeze(self, axis=None):
        return ops.squeeze(self, axis)

    def __init__(self, shape, dtype="float32", name=None, history=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        if dtype != "string":  # "string": a text layer's input (numpy strings, never a tensor)
            dtype = config.dtype_name(config.standardize_dtype(dtype))
        self.dtype = dtype
        self.name = name or naming.unique_name("keras_tensor")
        self.history = history  # (layer, node_index, tensor_index) that produced it

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __len__(self):
        raise TypeError(
            f"A symbolic tensor has no length: its shape is {self.shape}. Use `.shape` instead."
        )

    def __bool__(self):
        raise TypeError("A symbolic KerasTensor cannot be used as a Python bool.")


class Node:
    """One call of a layer on symbolic tensors: its arguments and the tensors it produced."""

    def __init__(self, layer, call_args, call_kwargs, outputs):
        self.id = next(_node_ids)
        self.layer = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.input_tensors = [
            t for t in nest.flatten((call_args, call_kwargs)) if isinstance(t, KerasTensor)
        ]
        self.outputs = outputs
        self.output_tensors = nest.flatten(outputs)
        self.index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for i, tensor in enumerate(self.output_tensors):
            tensor.history = (layer, self.index, i)


def is_symbolic(structure):
    """Whether any leaf of a nested call argument is a KerasTensor."""
    return any(isinstance(leaf, KerasTensor) for leaf in nest.flatten(structure))


def placeholders(shapes, dtype="float32"):
    """KerasTensors for a shape, or a list / dict of shapes (batch axis first, may be None)."""
    if isinstance(shapes, dict):
        return {key: placeholders(value, dtype) for key, value in shapes.items()}
    if _is_shape(shapes):
        return KerasTensor(tuple(shapes), dtype)
    return [placeholders(shape, dtype) for shape in shapes]


def unbatched_shapes(structure):
    """Shapes of the tensors of a call argument, with the batch axis as `None`."""

    def shape(x):
        if isinstance(x, KerasTensor):
            return x.shape
        if isinstance(x, torch.Tensor):
            return (None, *x.shape[1:]) if x.ndim else ()
        return x

    return nest.map_structure(shape, structure)


def _is_shape(value):
    return isinstance(value, (tuple, list)) and all(d is None or isinstance(d, int) for d in value)


def probe_output_spec(layer, args, kwargs):
    """Output KerasTensors of `layer(*args, **kwargs)`, found by running it on zeros.

    The layer runs twice in inference mode, with different sizes for each unknown axis; an
    output axis whose size changed between the runs is unknown (`None`) too. Inputs with a
    symbolic `_keras_mask` get an all-True mask of that shape, so the outputs' masks (set by
    the layer as in an eager call) become symbolic `_keras_mask`s of the output specs.
    """
    device = layer.weight_device()
    runs = [_run_on_zeros(layer, args, kwargs, i, device) for i in range(2)]
    return nest.map_structure(_merge_specs, _zip_structures(runs[0], runs[1]))


def add_mask_specs(layer, args, kwargs, outputs):
    """Gives `outputs` (from a layer's own `compute_output_spec`) their symbolic masks.

    Only when masks are involved (a masked input, or a layer computing its own masks) is the
    layer probed like `probe_output_spec`, which finds the masks its eager call would set.
    """
    inputs_masked = any(
        masking_support.get_mask(t) is not None for t in nest.flatten((args, kwargs))
    )
    if not inputs_masked and not (layer._computes_mask and layer.supports_masking):
        return
    probed = nest.flatten(probe_output_spec(layer, args, kwargs))
    for output, spec in zip(nest.flatten(outputs), probed):
        mask = masking_support.get_mask(spec)
        if mask is not None and masking_support.get_mask(output) is None:
            masking_support.set_mask(output, mask)


def _run_on_zeros(layer, args, kwargs, run, device):
    def concrete(t):
        if not isinstance(t, KerasTensor):
            return t
        if t.dtype == "string":  # raw text stays NumPy, as in an eager call
            return np.full(_probe_sizes(t, run), "", dtype=str)
        dtype = config.standardize_dtype(t.dtype)
        tensor = torch.zeros(_probe_sizes(t, run), dtype=dtype, device=device)
        mask = masking_support.get_mask(t)
        if isinstance(mask, KerasTensor):
            ones = torch.ones(_probe_sizes(mask, run), dtype=torch.bool, device=device)
            masking_support.set_mask(tensor, ones)
        return tensor

    owners_before = set(call_context.loss_owners)
    with torch.no_grad(), call_context.TrainingScope(False):
        out = layer.forward(*nest.map_structure(concrete, args), **nest.map_structure(concrete, kwargs))
    for owner in call_context.loss_owners - owners_before:
        owner._losses.clear()  # losses of a probe are not real losses
    call_context.loss_owners.intersection_update(owners_before)
    return out


def _probe_sizes(t, run):
    """Concrete sizes for a KerasTensor's shape in probe run `run` (unknown axes filled in)."""
    return [
        d if d is not None else (_PROBE_BATCH[run] if axis == 0 else _PROBE_AXIS[run])
        for axis, d in enumerate(t.shape)
    ]


def _zip_structures(a, b):
    if isinstance(a, (list, tuple)):
        return type(a)(_zip_structures(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return {key: _zip_structures(a[key], b[key]) for key in a}
    return _Pair(a, b)


class _Pair:
    def __init__(self, first, second):
        self.first, self.second = first, second


def _merge_specs(pair):
    first, second = pair.first, pair.second
    if not isinstance(first, torch.Tensor):
        return first
    shape = tuple(
        a if a == b else None for a, b in zip(first.shape, second.shape, strict=True)
    )
    spec = KerasTensor(shape, dtype=first.dtype)
    mask = masking_support.get_mask(first)
    if isinstance(mask, torch.Tensor):
        second_mask = masking_support.get_mask(second)
        masking_support.set_mask(spec, _merge_specs(_Pair(mask, second_mask)))
    return spec
