"""`keras.ops.core` scans and autodiff helpers: scan, associative_scan, custom_gradient, jvp.

Scans run as Python loops over the leading axis (as Keras' torch backend does), nested inputs
and carries may be tuples, lists or dicts; gradients flow through torch autograd.
"""

import torch
from torch.utils import _pytree as pytree

from torchkeras.ops import convert


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """`carry, y = f(carry, x)` over the slices `x` of `xs`; returns `(carry, stacked ys)`.

    Args:
        f: `(carry, x) -> (carry, y)`.
        init: Initial carry (nested structure of tensors).
        xs: Nested tensors scanned along axis 0; None needs `length` (then `x` is None).
        length: Number of steps when `xs` is None.
        reverse: Whether to scan from the end (outputs stay in input order).
        unroll: Accepted for Keras compatibility (a positive int or bool).
    """
    if not callable(f):
        raise TypeError(f"`scan`: f must be callable, got f={f!r}.")
    if xs is None and length is None:
        raise ValueError("`scan`: give `xs` or `length`.")
    leaves, spec = pytree.tree_flatten(xs)
    leaves = [convert.tensor(leaf) for leaf in leaves]
    steps = int(length) if length is not None else leaves[0].shape[0]
    carry = pytree.tree_map(convert.tensor, init)
    ys = []
    order = reversed(range(steps)) if reverse else range(steps)
    for i in order:
        x = pytree.tree_unflatten([leaf[i] for leaf in leaves], spec) if leaves else None
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys.reverse()
    if not ys or ys[0] is None:
        return carry, None
    return carry, pytree.tree_map(lambda *items: torch.stack(items), *ys)


def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive scan of the associative `f` along `axis` (`f(a, b)` combines prefixes).

    Args:
        f: Associative `(a, b) -> c` on nested tensors of one structure.
        elems: Nested tensors scanned along `axis`.
        reverse: Whether to scan from the end.
        axis: The scanned axis.
    """
    leaves, spec = pytree.tree_flatten(elems)
    leaves = [convert.tensor(leaf) for leaf in leaves]
    if reverse:
        leaves = [torch.flip(leaf, (axis,)) for leaf in leaves]
    steps = leaves[0].shape[axis]
    prefix = [leaf.select(axis, 0) for leaf in leaves]
    outputs = [prefix]
    for i in range(1, steps):
        current = pytree.tree_unflatten([leaf.select(axis, i) for leaf in leaves], spec)
        combined = f(pytree.tree_unflatten(prefix, spec), current)
        prefix = pytree.tree_flatten(combined)[0]
        outputs.append(prefix)
    stacked = [torch.stack([o[j] for o in outputs], dim=axis) for j in range(len(leaves))]
    if reverse:
        stacked = [torch.flip(leaf, (axis,)) for leaf in stacked]
    return pytree.tree_unflatten(stacked, spec)


class _CustomGradient(torch.autograd.Function):
    @staticmethod
    def forward(ctx, forward_fn, *args):
        output, ctx.grad_fn = forward_fn(*args)
        return output

    @staticmethod
    def backward(ctx, *upstream):
        grads = ctx.grad_fn(*upstream)
        grads = grads if isinstance(grads, (list, tuple)) else (grads,)
        return (None, *grads)


def custom_gradient(f):
    """Decorates `f(*args) -> (output, grad_fn)`: `grad_fn(upstream)` gives the gradients of
    the tensor arguments, replacing autograd's."""

    def wrapped(*args):
        return _CustomGradient.apply(f, *[convert.unwrap(a) for a in args])

    wrapped.__name__ = getattr(f, "__name__", "custom_gradient")
    wrapped.__doc__ = f.__doc__
    return wrapped


def jvp(fun, primals, tangents, has_aux=False):
    """Forward-mode product of `fun`'s Jacobian at `primals` with `tangents`.

    Returns: `(fun(*primals), jvp)`, plus `aux` when `has_aux` (`fun` then returns `(out, aux)`).
    """
    primals = tuple(convert.tensor(p) for p in primals)
    tangents = tuple(convert.tensor(t) for t in tangents)
    return torch.func.jvp(fun, primals, tangents, has_aux=has_aux)
