"""LambdaCallback: a callback built from plain functions."""

from torchkeras.callbacks.callback import Callback
from torchkeras.registry import CALLBACKS

_ALIASES = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


@CALLBACKS.register()
class LambdaCallback(Callback):
    """Calls the given functions at the matching hooks; the other hooks are absent.

    Signatures as Keras: `on_epoch_begin(epoch, logs)`, `on_epoch_end(epoch, logs)`,
    `on_train_begin(logs)`, `on_train_end(logs)`, `on_train_batch_begin(batch, logs)`,
    `on_train_batch_end(batch, logs)`. Only hooks given here count as overridden, so a
    LambdaCallback without batch functions is never called per batch.

    Args:
        on_epoch_begin, on_epoch_end, on_train_begin, on_train_end, on_train_batch_begin,
            on_train_batch_end: Functions, or None.
        **kwargs: Further attributes set on the callback, such as other hooks
            (`on_test_end=...`, `on_batch_end=...`), as Keras allows.
    """

    def __init__(
        self,
        on_epoch_begin=None,
        on_epoch_end=None,
        on_train_begin=None,
        on_train_end=None,
        on_train_batch_begin=None,
        on_train_batch_end=None,
        **kwargs,
    ):
        super().__init__()
        self.__dict__.update(kwargs)
        given = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin,
            "on_train_batch_end": on_train_batch_end,
        }
        for hook, function in given.items():
            if function is not None:
                setattr(self, hook, function)

    def overrides(self, hook):
        """A hook counts when a function was given for it (or for its Keras 2 alias)."""
        names = (hook, _ALIASES.get(hook))
        return super().overrides(hook) or any(name in self.__dict__ for name in names if name)
