"""TerminateOnNaN: stop training when a batch's loss is NaN or infinite."""

import numpy as np

from torchkeras.callbacks.callback import Callback
from torchkeras.callbacks.messages import print_msg
from torchkeras.registry import CALLBACKS


@CALLBACKS.register()
class TerminateOnNaN(Callback):
    """Checks `logs["loss"]` after every training batch; stops (or raises) when it is not finite.

    Reading the loss makes it a Python float, so this callback costs one host sync per batch
    (on a GPU the step waits for the device); leave it out where that matters.

    Args:
        raise_error: Whether to raise `RuntimeError` instead of setting `model.stop_training`.
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        loss = logs.get("loss")
        if loss is None or not (np.isnan(loss) or np.isinf(loss)):
            return
        if self.raise_error:
            raise RuntimeError(
                f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                "Terminating training immediately."
            )
        print_msg(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True
