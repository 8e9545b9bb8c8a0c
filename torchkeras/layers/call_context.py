"""State shared by nested layer calls: the explicit `training` flag and pending `add_loss` owners."""

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
