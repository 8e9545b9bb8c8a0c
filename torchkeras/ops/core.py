"""`keras.ops.core`: conversion, dtypes, control flow and scatter/slice ops on torch tensors.

Control flow runs eagerly in Python (`cond` evaluates `pred`, loops are Python loops), as Keras'
torch backend does; everything stays differentiable through torch autograd.
"""

import builtins

import numpy as np
import torch

from torchkeras.ops import convert, dtypes, symbolic_dispatch
from torchkeras.ops.symbolic_dispatch import SymbolicTensor


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """`x` as a torch tensor (Keras' rules: Python ints int32, floats floatx; arrays keep dtype).

    Args:
        x: Tensor, Variable, NumPy array, Python scalar or nested list.
        dtype: Target dtype; None infers it.
        sparse, ragged: Unsupported on torch (as in Keras' torch backend); must be falsy.
    """
    if sparse:
        raise ValueError("`convert_to_tensor`: `sparse=True` is not supported with torch.")
    if ragged:
        raise ValueError("`convert_to_tensor`: `ragged=True` is not supported with torch.")
    return convert.tensor(x, dtype)


def convert_to_numpy(x):
    """A NumPy copy of `x` (detached, on the host; bfloat16 as float32)."""

    def transform(value):
        value = convert.unwrap(value)
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu()
            if value.dtype == torch.bfloat16:
                value = value.float()
            return value.numpy()
        return np.array(value)

    if isinstance(x, (list, tuple)):
        return np.array([transform(item) for item in x])
    return transform(x)


def is_tensor(x):
    """Whether `x` is a torch tensor."""
    return isinstance(x, torch.Tensor)


def shape(x):
    """The shape of `x` as a tuple of ints (of a symbolic tensor: with `None` for the batch)."""
    if isinstance(x, SymbolicTensor):
        return x.shape
    return tuple(convert.tensor(x).shape)


def dtype(x):
    """Keras' dtype name of `x`, e.g. `'float32'`."""
    if isinstance(x, SymbolicTensor):
        return x.dtype
    return dtypes.name(convert.tensor(x).dtype)


def cast(x, dtype):
    """`x` as a tensor of dtype `dtype` (a Keras name, torch or numpy dtype)."""
    return convert.tensor(x, dtype)


def saturate_cast(x, dtype):
    """Casts `x` to `dtype`, clipping values to the target's range first (no wrap-around)."""
    x = convert.tensor(x)
    target = dtypes.to_torch(dtype)
    if x.dtype.is_floating_point and not target.is_floating_point and target != torch.bool:
        info = torch.iinfo(target)
        x = torch.clamp(torch.nan_to_num(x), info.min, info.max)
    elif not x.dtype.is_floating_point and not target.is_floating_point and target != torch.bool:
        info = torch.iinfo(target)
        x = torch.clamp(x, info.min, info.max)
    elif target.is_floating_point and x.dtype.is_floating_point:
        info = torch.finfo(target)
        x = torch.clamp(x, info.min, info.max)
    return x.to(target)


def stop_gradient(variable):
    """`variable` detached from autograd (no gradient flows through it)."""
    return convert.tensor(variable).detach()


def cond(pred, true_fn, false_fn):
    """`true_fn()` if `pred` else `false_fn()`, evaluated eagerly."""
    return true_fn() if pred else false_fn()


def switch(index, branches, *operands):
    """`branches[index](*operands)`, with `index` clipped to the valid range."""
    index = int(convert.tensor(index, "int32"))
    return branches[builtins.min(builtins.max(index, 0), len(branches) - 1)](*operands)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Runs `loop_vars = body(*loop_vars)` while `cond(*loop_vars)`, at most
    `maximum_iterations` times; returns the final `loop_vars` (same structure)."""
    is_sequence = isinstance(loop_vars, (list, tuple))
    values = tuple(loop_vars) if is_sequence else (loop_vars,)
    values = tuple(convert.tensor(v) for v in values)
    step = 0
    while cond(*values) and (maximum_iterations is None or step < maximum_iterations):
        values = body(*values)
        values = tuple(values) if isinstance(values, (list, tuple)) else (values,)
        step += 1
    return values if is_sequence else values[0]


def fori_loop(lower, upper, body_fun, init_val):
    """`val = body_fun(i, val)` for `i` in `range(lower, upper)`, starting at `init_val`."""
    value = init_val
    for i in range(int(lower), int(upper)):
        value = body_fun(i, value)
    return value


def map(f, xs):
    """`f` applied to each slice `xs[i]` along the first axis; the results stacked."""
    xs = convert.tensor(xs)
    return torch.stack([f(item) for item in xs.unbind(0)])


def vectorized_map(function, elements):
    """`function` vectorized over the first axis of `elements` with `torch.vmap`."""
    return torch.vmap(function)(elements)


def unstack(x, num=None, axis=0):
    """The slices of `x` along `axis`, as a list of tensors."""
    x = convert.tensor(x)
    if num is not None and num != x.shape[axis]:
        raise ValueError(f"`unstack`: num={num} but axis {axis} has size {x.shape[axis]}.")
    return list(x.unbind(axis))


def scatter(indices, values, shape):
    """A zero tensor of `shape` with `values` added at `indices` (duplicates accumulate).

    Shapes: `indices` `(..., k)`, `values` `(..., *shape[k:])`.
    """
    values = convert.tensor(values)
    indices = convert.tensor(indices, device=values.device).long()
    depth = indices.shape[-1]
    indices = indices.reshape(-1, depth)
    values = values.reshape(-1, *shape[depth:])
    out = torch.zeros(tuple(shape), dtype=values.dtype, device=values.device)
    return out.index_put(tuple(indices.T), values, accumulate=True)


_REDUCTIONS = {"max": torch.maximum, "min": torch.minimum, "mul": torch.mul}


def scatter_update(inputs, indices, updates, reduction=None):
    """A copy of `inputs` with `updates` written (or combined by `reduction`) at `indices`.

    Args:
        inputs: Tensor to update (not modified).
        indices: `(n, k)` integer positions into the first `k` axes.
        updates: `(n, *inputs.shape[k:])` values, cast to `inputs`' dtype.
        reduction: None (overwrite), `"add"`, `"max"`, `"min"` or `"mul"`.
    """
    inputs = convert.tensor(inputs)
    indices = convert.tensor(indices, device=inputs.device).long()
    updates = convert.tensor(updates, inputs.dtype, device=inputs.device)
    index = tuple(indices.T)
    if reduction is None:
        return inputs.index_put(index, updates)
    if reduction == "add":
        return inputs.index_put(index, updates, accumulate=True)
    if reduction not in _REDUCTIONS:
        raise ValueError(
            "`scatter_update`: `reduction` must be None, 'add', 'max', 'min' or 'mul', "
            f"got reduction={reduction!r}."
        )
    out = inputs.clone()
    for i, position in enumerate(indices.tolist()):
        out[tuple(position)] = _REDUCTIONS[reduction](out[tuple(position)], updates[i])
    return out


def slice(inputs, start_indices, shape):
    """The block of `inputs` starting at `start_indices` with size `shape`."""
    inputs = convert.tensor(inputs)
    starts = [int(s) for s in start_indices]
    return inputs[tuple(builtins.slice(s, s + int(n)) for s, n in zip(starts, shape))]


def slice_update(inputs, start_indices, updates):
    """A copy of `inputs` with the block at `start_indices` replaced by `updates`."""
    inputs = convert.tensor(inputs)
    updates = convert.tensor(updates, device=inputs.device)
    starts = [int(s) for s in start_indices]
    out = inputs.clone()
    out[tuple(builtins.slice(s, s + n) for s, n in zip(starts, updates.shape))] = updates
    return out

symbolic_dispatch.accept_symbolic_tensors(globals())  # `keras.ops.core.*` on KerasTensors record
