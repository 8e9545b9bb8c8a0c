"""SwapEMAWeights: evaluate (and optionally checkpoint) with the optimizer's EMA weights."""

import torch

from torchkeras.callbacks.callback import Callback
from torchkeras.registry import CALLBACKS


@CALLBACKS.register()
class SwapEMAWeights(Callback):
    """Swaps the optimizer's moving-average weights into the model for evaluation and back.

    Needs an optimizer built with `use_ema=True`. Validation, `evaluate` and `predict` run
    with the EMA weights; training continues on the raw weights. With `swap_on_epoch=True`
    the EMA weights are also in the model from the end of each epoch to the start of the next,
    so callbacks listed after this one (e.g. `ModelCheckpoint`) see them; at the last epoch
    (or when an earlier callback already set `stop_training`) the average is set equal to them,
    so `fit`'s final EMA copy keeps them. A callback listed after this one that stops training
    early leaves the raw weights in the model at the end, as in Keras.
    Swaps are device copies (`torch._foreach_copy_`), no host transfer. Unlike Keras 3.15.1,
    whose `on_predict_end` leaves the EMA weights in the model, `predict` swaps back.

    Args:
        swap_on_epoch: Whether to swap the EMA weights in at each epoch end.
    """

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch and self._ema_weights_in_model:
            self._swap(False)

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap(True)
            last = self.params and epoch == self.params.get("epochs", 0) - 1
            if last or getattr(self.model, "stop_training", False):
                self._finalize()

    def _finalize(self):
        """Sets the average equal to the EMA weights now in the model.

        `fit`'s final `finalize_variable_values` runs before `on_train_end`; this makes it keep
        the EMA weights instead of copying the raw ones back.
        """
        variables, averages = self._pairs()
        with torch.no_grad():
            torch._foreach_copy_(averages, variables)

    def on_test_begin(self, logs=None):
        if not self._ema_weights_in_model:
            self._swap(True)

    def on_test_end(self, logs=None):
        if self._ema_weights_in_model:
            self._swap(False)

    def on_predict_begin(self, logs=None):
        self.on_test_begin(logs)

    def on_predict_end(self, logs=None):
        self.on_test_end(logs)

    def _swap(self, ema_in_model):
        variables, averages = self._pairs()
        with torch.no_grad():
            held = [variable.clone() for variable in variables]
            torch._foreach_copy_(variables, averages)
            torch._foreach_copy_(averages, held)
        self._ema_weights_in_model = ema_in_model

    def _pairs(self):
        """The optimizer's variables and their moving averages; raises without EMA."""
        optimizer = self.model.optimizer
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        if hasattr(optimizer, "optimizers"):  # a MultiOptimizer: those of its EMA optimizers
            return _multi_pairs(optimizer.optimizers)
        if not hasattr(optimizer, "_model_variables_moving_average"):
            raise ValueError(
                "SwapEMAWeights must be used when `use_ema=True` is set on the optimizer. "
                f"Received: use_ema={getattr(optimizer, 'use_ema', False)}"
            )
        return list(optimizer._trainable_variables), list(optimizer._model_variables_moving_average)


def _multi_pairs(optimizers):
    """The variables and averages of every inner optimizer with `use_ema=True`."""
    keeping = [opt for opt in optimizers if getattr(opt, "use_ema", False)]
    if not keeping:
        raise ValueError(
            "SwapEMAWeights must be used when at least one inner optimizer has `use_ema=True` "
            "set. Received a MultiOptimizer with all inner optimizers having `use_ema=False`."
        )
    variables, averages = [], []
    for opt in keeping:
        variables.extend(opt._trainable_variables)
        averages.extend(opt._model_variables_moving_average)
    return variables, averages
