"""`OpCase`: one call of a `keras.ops` function, and how the tests run it on any ops module.

`args(rng)` builds the positional arguments (NumPy arrays, Python scalars, lists) from a generator
seeded by the case id, so Keras and torchkeras see identical inputs. `run_case` calls the op with
float arrays as torch tensors requiring grad, flattens the result into NumPy outputs with their
dtype names, and, for float outputs, the gradients of `sum(output * cotangent)` with respect to
each float input (a fixed cotangent that differs per element).
"""

import dataclasses
import zlib

import numpy as np
import torch


@dataclasses.dataclass(frozen=True)
class OpCase:
    """One call of `keras.ops.<op>`; `id` names it in tests and references.

    Attributes:
        op: The `keras.ops` name.
        args: `rng -> tuple` of positional arguments.
        kwargs: Keyword arguments.
        id: Unique case id.
        rtol: Tolerance of values and gradients against Keras (1e-6 unless a comment says why).
        grad: Whether gradients of float outputs are compared.
    """

    op: str
    args: object
    kwargs: dict
    id: str
    rtol: float = 1e-6
    grad: bool = True

    def make_args(self):
        return self.args(np.random.default_rng(zlib.crc32(self.id.encode())))


def _leaf(value, grad):
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return torch.tensor(value, requires_grad=grad)
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, np.ndarray) and v.dtype.kind == "f" for v in value)
    ):
        return [torch.tensor(v, requires_grad=grad) for v in value]
    return value


def _flatten(value):
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _flatten(item)]
    return [value]


def _to_numpy(tensor):
    if isinstance(tensor, torch.Tensor):
        tensor = tensor.detach().cpu()
        if tensor.dtype == torch.bfloat16:
            tensor = tensor.float()
        if tensor.is_complex():  # compared as (real, imag) pairs
            tensor = torch.view_as_real(tensor)
        return tensor.numpy()
    return np.asarray(tensor)


def _dtype_name(value):
    if isinstance(value, torch.Tensor):
        return str(value.dtype).replace("torch.", "")
    return type(value).__name__


def _cotangent(tensor):
    count = tensor.numel()
    steps = torch.arange(count, dtype=torch.float64) % 7 / 7.0 + 0.5
    return steps.reshape(tensor.shape).to(tensor.dtype)


def run_case(ops_module, case):
    """`{key: array}` of `case` run on `ops_module`: `out/i`, `dtype/i`, `grad/j`."""
    args = [_leaf(a, case.grad) for a in case.make_args()]
    outputs = _flatten(getattr(ops_module, case.op)(*args, **case.kwargs))
    found = {}
    for i, out in enumerate(outputs):
        found[f"out/{i}"] = _to_numpy(out)
        found[f"dtype/{i}"] = np.array(_dtype_name(out))
    leaves = [
        leaf
        for a in args
        for leaf in _flatten(a)
        if isinstance(leaf, torch.Tensor) and leaf.requires_grad
    ]
    targets = [
        out
        for out in outputs
        if isinstance(out, torch.Tensor) and out.requires_grad and out.dtype.is_floating_point
    ]
    if case.grad and leaves and targets:
        loss = sum((out * _cotangent(out)).sum() for out in targets)
        try:
            grads = torch.autograd.grad(loss, leaves, allow_unused=True)
        except RuntimeError:  # torch has no derivative for this op (floor_divide ...)
            grads = ()
        for j, grad in enumerate(grads):
            if grad is not None:
                found[f"grad/{j}"] = _to_numpy(grad)
    return found
