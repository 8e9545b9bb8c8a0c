"""CallbackList: calls one hook on every callback that implements it."""

from torchkeras import distribution
from torchkeras.callbacks.backup_and_restore import BackupAndRestore
from torchkeras.callbacks.callback import Callback
from torchkeras.callbacks.csv_logger import CSVLogger
from torchkeras.callbacks.history import History
from torchkeras.callbacks.model_checkpoint import ModelCheckpoint
from torchkeras.callbacks.progbar_logger import ProgbarLogger
from torchkeras.callbacks.tensorboard import TensorBoard

_HOOKS = (
    "on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
    "on_train_batch_begin", "on_train_batch_end",
    "on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end",
    "on_predict_begin", "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end",
)
# Under data parallelism only rank 0 prints and writes files; BackupAndRestore still restores
# (and replays random state) on every rank, so that all ranks resume at the same point.
_CHIEF_ONLY = (ProgbarLogger, CSVLogger, ModelCheckpoint, TensorBoard)
_RESTORE_HOOKS = ("on_train_begin", "on_epoch_begin")


class CallbackList(Callback):
    """The callbacks of one `fit`/`evaluate`/`predict` run, plus History and the progress bar.

    Which callbacks implement which hook is decided once, here, so that a batch hook nobody
    overrides costs one empty-tuple loop per step. On ranks other than 0 of a distributed
    run, the progress bar and the file-writing callbacks are left out, while the others see
    the same (rank-aggregated) epoch logs and so take the same decisions.

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
        chief = distribution.is_chief()
        self._live = dict.fromkeys(_HOOKS, ())  # no callbacks (predict's usual case): no scan
        if self.callbacks:
            self._live = {
                hook: tuple(
                    c for c in self.callbacks if c.overrides(hook) and (chief or _runs(c, hook))
                )
                for hook in _HOOKS
            }
        # Ranks stop together: `stop_training` set on any rank (TerminateOnNaN on a rank's
        # local loss, a user callback) is agreed on after the hooks that may set it.
        self._agree = distribution.sharding_mode() is not None and model is not None
        self._agree_batches = self._agree and any(
            _runs(c, "on_train_batch_end") for c in self._live["on_train_batch_end"]
        )

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
        if self._agree:
            self._model.stop_training = distribution.any_true(self._model.stop_training)

    def on_train_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", batch, logs)
        if self._agree_batches:
            self._model.stop_training = distribution.any_true(self._model.stop_training)

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


def _runs(callback, hook):
    """Whether `callback` runs `hook` on a rank other than 0.

    Under ModelParallel saving gathers the sharded weights on every rank (rank 0 writes), so
    the checkpointing callbacks run everywhere and keep their own file work to rank 0."""
    if isinstance(callback, (ModelCheckpoint, BackupAndRestore)) and _weights_sharded():
        return True
    if isinstance(callback, BackupAndRestore):
        return hook in _RESTORE_HOOKS
    return not isinstance(callback, _CHIEF_ONLY)


def _weights_sharded():
    return isinstance(distribution.distribution(), distribution.ModelParallel)
