"""EarlyStopping: stop `fit` once the monitored quantity has stopped improving."""

import warnings

import torch

from torchkeras.callbacks.messages import print_msg
from torchkeras.callbacks.monitor_callback import MonitorCallback
from torchkeras.registry import CALLBACKS


@CALLBACKS.register()
class EarlyStopping(MonitorCallback):
    """Sets `model.stop_training` after `patience` epochs without improvement of `monitor`.

    Decisions follow Keras 3: an epoch improves when it beats `best` by more than `min_delta`;
    `wait` resets only if it also beats `baseline` (when given); stopping needs `epoch > 0`;
    epochs before `start_from_epoch` are ignored; a missing `monitor` warns and is skipped.
    `restore_best_weights` keeps device copies of the model's `state_dict` tensors (one copy,
    refreshed in place on each improvement, with no host transfer) and puts them back when
    training ends.

    Args:
        monitor: Name of the logged quantity to watch.
        min_delta: Smallest change that counts as an improvement.
        patience: Epochs without improvement after which training stops.
        verbose: 1 prints "Epoch N: early stopping" and the restore message.
        mode: `"auto"`, `"min"` or `"max"` (see `MonitorCallback`).
        baseline: A value the monitored quantity must beat for `wait` to reset.
        restore_best_weights: Whether to restore the weights of the best epoch at the end.
        start_from_epoch: Number of warm-up epochs not monitored.
    """

    def __init__(
        self,
        monitor="val_loss",
        min_delta=0,
        patience=0,
        verbose=0,
        mode="auto",
        baseline=None,
        restore_best_weights=False,
        start_from_epoch=0,
    ):
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.best_epoch = 0
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self._keep_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self._keep_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            _copy(_state_tensors(self.model), self.best_weights)

    def get_monitor_value(self, logs):
        """`logs[monitor]`, or `None` with Keras' warning listing the available keys."""
        logs = logs or {}
        monitor_value = logs.get(self.monitor)
        if monitor_value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is not "
                f"available. Available metrics are: {','.join(list(logs.keys()))}",
                stacklevel=2,
            )
        return monitor_value

    def _keep_weights(self):
        """Copies the model's weights and buffers into `best_weights` (allocated once)."""
        tensors = _state_tensors(self.model)
        if self.best_weights is None or len(self.best_weights) != len(tensors):
            self.best_weights = [tensor.clone() for tensor in tensors]
        else:
            _copy(self.best_weights, tensors)


def _state_tensors(model):
    """The model's parameters and persistent buffers, in `state_dict` order, shared storage."""
    return [tensor.detach() for tensor in model.state_dict(keep_vars=True).values()]


def _copy(targets, sources):
    """In-place device copies, one multi-tensor kernel (`_foreach_copy_` refuses empty lists)."""
    if targets:
        with torch.no_grad():
            torch._foreach_copy_(targets, sources)
