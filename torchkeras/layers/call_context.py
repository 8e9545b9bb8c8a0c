"""State shared by nested layer calls: the explicit `training` flag and pending `add_loss` owners,
and whether a call needs `nn.Module.__call__` (hooks, compiled calls, tracing)."""

import torch
from torch.nn.modules import module as _module_hooks  # torch's global hook tables

# Explicit `training=` values given to an enclosing call; inner layers inherit the innermost.
_training_stack = []
# How many `Layer.__call__`s are running; 0 means the next call is an outermost one.
depth = 0
# Device on which layers built by an enclosing build (e.g. a lazy Sequential) create weights.
build_device = None
# Layers holding losses from `add_loss` since they were last cleared.
loss_owners = set()


def current_training():
    """The innermost explicit `training` value of the enclosing calls, or None."""
    return _training_stack[-1] if _training_stack else None


class TrainingScope:
    """Makes `training` the value inner layers see when they are called without one."""

    __slots__ = ("training",)

    def __init__(self, training):
        self.training = bool(training)

    def __enter__(self):
        _training_stack.append(self.training)

    def __exit__(self, *exc_info):
        _training_stack.pop()


def clear_losses():
    """Forgets the `add_loss` losses of the previous outermost call (Keras' per-call rule)."""
    for layer in loss_owners:
        layer._losses.clear()
    loss_owners.clear()


# While a file is loaded: how many more weight scalars layers may create (None: no limit).
_weight_budget = [None]


class WeightBudget:
    """Within this scope layers may create at most `limit` weight scalars in all.

    Loading a file sets it to what the file's weights hold, so a config that declares a huge
    layer fails before anything is allocated instead of exhausting memory.
    """

    def __init__(self, limit):
        self.limit = int(limit)

    def __enter__(self):
        self.outer = _weight_budget[0]
        _weight_budget[0] = self.limit

    def __exit__(self, *exc_info):
        _weight_budget[0] = self.outer


def spend_weights(count, layer_name):
    """Counts `count` new weight scalars against the active budget; raises when it runs out."""
    if _weight_budget[0] is None:
        return
    _weight_budget[0] -= count
    if _weight_budget[0] < 0:
        raise ValueError(
            f"Layer '{layer_name}' would create more weights than the file being loaded holds; "
            "the file's config does not match its weights (refusing to allocate them)."
        )


def needs_module_call(module):
    """Whether `nn.Module.__call__` has work besides calling `forward`: module or global hooks
    (FSDP, DDP, profilers), a `module.compile()`d call, or `torch.jit.trace` recording."""
    return bool(
        module._forward_pre_hooks
        or module._forward_hooks
        or module._backward_pre_hooks
        or module._backward_hooks
        or module._compiled_call_impl is not None
        or _module_hooks._global_forward_pre_hooks
        or _module_hooks._global_forward_hooks
        or _module_hooks._global_backward_pre_hooks
        or _module_hooks._global_backward_hooks
        or torch._C._get_tracing_state()
    )
