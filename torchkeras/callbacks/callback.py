"""Callback: the base class whose hooks `fit`, `evaluate` and `predict` call as they run."""

from torchkeras.registry import CALLBACKS

_TRAIN_BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end")


@CALLBACKS.register()
class Callback:
    """Base class of callbacks: override the hooks you need; each receives `logs`, a mapping.

    `self.model` is the model being trained and `self.params` holds `epochs`, `steps` and
    `verbose`. Batch hooks that a callback does not override are never called, so a callback
    with only epoch hooks costs nothing per step.
    """

    def __init__(self):
        self.params = None
        self._model = None

    def set_params(self, params):
        """Receives the run's parameters (`epochs`, `steps`, `verbose`)."""
        self.params = params

    def set_model(self, model):
        """Receives the model being trained, evaluated or used to predict."""
        self._model = model

    @property
    def model(self):
        """The model this callback is attached to."""
        return self._model

    def on_batch_begin(self, batch, logs=None):
        """Alias of `on_train_batch_begin`, kept from Keras 2."""

    def on_batch_end(self, batch, logs=None):
        """Alias of `on_train_batch_end`, kept from Keras 2."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of each training epoch."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of each epoch with the epoch's mean loss and metrics (and `val_*`)."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before each training batch; calls `on_batch_begin` as in Keras."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after each training batch with running means; calls `on_batch_end`."""
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Called before each batch of `evaluate` (and of validation)."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after each batch of `evaluate` (and of validation)."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before each batch of `predict`."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after each batch of `predict`; `logs["outputs"]` holds the batch's outputs."""

    def on_train_begin(self, logs=None):
        """Called once when `fit` starts."""

    def on_train_end(self, logs=None):
        """Called once when `fit` ends, with the last epoch's logs."""

    def on_test_begin(self, logs=None):
        """Called when `evaluate` (or a validation pass) starts."""

    def on_test_end(self, logs=None):
        """Called when `evaluate` (or a validation pass) ends."""

    def on_predict_begin(self, logs=None):
        """Called when `predict` starts."""

    def on_predict_end(self, logs=None):
        """Called when `predict` ends."""

    def overrides(self, hook):
        """Whether this callback's class defines `hook` itself (so it must be called)."""
        if hook in ("on_train_batch_begin", "on_train_batch_end"):
            alias = hook.replace("train_", "")
            return _defined_below_base(self, hook) or _defined_below_base(self, alias)
        return _defined_below_base(self, hook)


def _defined_below_base(callback, hook):
    return getattr(type(callback), hook) is not getattr(Callback, hook)
