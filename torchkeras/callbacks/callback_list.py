"""CallbackList: calls one hook on every callback that implements it."""

from torchkeras.callbacks.callback import Callback
from torchkeras.callbacks.history import History
from torchkeras.callbacks.progbar_logger import ProgbarLogger

_HOOKS = (
    "on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
    "on_train_batch_begin", "on_train_batch_end",
    "on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end",
    "on_predict_begin", "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end",
)


class CallbackList(Callback):
    """The callbacks of one `fit`/`evaluate`/`predict` run, plus History and the progress bar.

    Which callbacks implement which hook is decided once, here, so that a batch hook nobody
    overrides costs one empty-tuple loop per step.

    Args:
        callbacks: User callbacks (None or a list).
        add_history: Whether to append a `History` (fit does; its object is `self.history`).
        add_progbar: Whether to append a `ProgbarLogger` (when `verbose` is not 0).
        model: The model, given to every callback.
        **params: `epochs`, `steps`, `verbose` ... given to every callback as `params`.
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        super().__init__()
        self.callbacks = list(callbacks or [])
        self.history = None
        if add_progbar and not any(isinstance(c, ProgbarLogger) for c in self.callbacks):
            self.callbacks.append(ProgbarLogger())
        if add_history:
            self.history = next((c for c in self.callbacks if isinstance(c, History)), None)
            if self.history is None:
                self.history = History()
                self.callbacks.append(self.history)
        for callback in self.callbacks:
            callback.set_model(model)
            callback.set_params(params)
        self._model = model
        self.params = params
        self._live = {hook: tuple(c for c in self.callbacks if c.overrides(hook)) for hook in _HOOKS}

    def wants(self, hook):
        """Whether any callback implements `hook` (so its logs need to be built)."""
        return bool(self._live[hook])

    def _call(self, hook, *args):
        for callback in self._live[hook]:
            getattr(callback, hook)(*args)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", batch, logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call("on_test_batch_end", batch, logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call("on_predict_batch_end", batch, logs)
