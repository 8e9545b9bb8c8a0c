"""History: records each epoch's logs; `fit` returns it."""

from torchkeras.callbacks.callback import Callback
from torchkeras.registry import CALLBACKS


@CALLBACKS.register()
class History(Callback):
    """Collects the epoch-end logs of `fit` in `history` (`{"loss": [...], "val_loss": [...]}`).

    `epoch` lists the epoch indices seen; values are Python floats.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self
