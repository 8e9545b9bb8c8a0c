"""LearningRateScheduler: set the optimizer's learning rate from a function of the epoch."""

import numpy as np

from torchkeras.callbacks.callback import Callback
from torchkeras.callbacks.messages import print_msg
from torchkeras.registry import CALLBACKS


@CALLBACKS.register()
class LearningRateScheduler(Callback):
    """Sets `model.optimizer.learning_rate = schedule(epoch, lr)` at the start of each epoch.

    As in Keras, `schedule` is first called as `schedule(epoch, lr)` (0-based epoch, current
    rate as a float) and, if that raises `TypeError`, as `schedule(epoch)`; it must return a
    float. The epoch's logs gain `learning_rate`. Reading the rate is one host read per epoch.

    Args:
        schedule: A function `(epoch, lr) -> float` or `epoch -> float`.
        verbose: 1 prints the rate set at each epoch.
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:
            learning_rate = self.schedule(epoch, float(optimizer.learning_rate))
        except TypeError:  # Keras 2's one-argument schedules
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, (float, np.float32, np.float64)):
            raise ValueError(
                f"The output of the `schedule` function should be a float. Got: {learning_rate}"
            )
        optimizer.learning_rate = learning_rate
        if self.verbose > 0:
            print_msg(
                f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                f"{learning_rate}."
            )

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
