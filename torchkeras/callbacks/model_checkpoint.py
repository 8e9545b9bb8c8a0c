"""ModelCheckpoint: save the model (or its weights) every epoch or every N batches."""

import collections
import os
import warnings

from torchkeras.callbacks.messages import print_msg
from torchkeras.callbacks.monitor_callback import MonitorCallback
from torchkeras.registry import CALLBACKS

_WEIGHT_SUFFIXES = (".weights.h5", ".safetensors")
_MODEL_SUFFIXES = (".keras", ".h5")


@CALLBACKS.register()
class ModelCheckpoint(MonitorCallback):
    """Saves the model to `filepath` during `fit`, optionally only when `monitor` improves.

    `filepath` may hold format fields: `{epoch}` (1-based, as Keras), `{batch}` (1-based, with
    an int `save_freq`) and any log key, e.g. `"ckpt-{epoch:02d}-{val_loss:.2f}.keras"`; only
    the keys it names are read. Missing directories are created. `model.save` and
    `model.save_weights` write to a temporary file and rename it, so a crash mid-write leaves
    the previous checkpoint intact. With `save_freq="epoch"` the callback has no batch hook.
    Besides Keras' `.weights.h5`, weights-only checkpoints may be `.safetensors`.

    Args:
        filepath: Path or template of the file: `.keras` (or legacy `.h5`) for whole models,
            `.weights.h5` (or `.safetensors`) with `save_weights_only`.
        monitor: Logged quantity judged by `save_best_only`.
        verbose: 1 prints a message per save decision.
        save_best_only: Whether to save only when `monitor` improves on the best so far.
        save_weights_only: Whether to save weights only (`model.save_weights`).
        mode: `"auto"`, `"min"` or `"max"` (see `MonitorCallback`).
        save_freq: `"epoch"`, or an int: save every that many training batches.
        initial_value_threshold: Initial `best`; a first save needs to beat it.
    """

    def __init__(
        self,
        filepath,
        monitor="val_loss",
        verbose=0,
        save_best_only=False,
        save_weights_only=False,
        mode="auto",
        save_freq="epoch",
        initial_value_threshold=None,
    ):
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = None
        self._current_epoch = 0
        _check_arguments(self.filepath, save_freq, save_weights_only)

    def overrides(self, hook):
        """The batch hook is live only when `save_freq` counts batches (or a subclass adds one)."""
        if hook == "on_train_batch_end" and self.save_freq == "epoch":
            return any(
                getattr(type(self), name) is not getattr(ModelCheckpoint, name)
                for name in ("on_train_batch_end", "on_batch_end")
            )
        return super().overrides(hook)

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model(epoch=self._current_epoch, batch=batch, logs=logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.save_freq == "epoch":
            self._save_model(epoch=epoch, batch=None, logs=logs)

    def _should_save_on_batch(self, batch):
        """Counts batches (hooks may skip some with `steps_per_execution`) up to `save_freq`."""
        if self.save_freq == "epoch":
            return False
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            added = batch + 1  # a new epoch: batches are 0-based
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _save_model(self, epoch, batch, logs):
        """Formats the path, decides (save_best_only) and saves through a temporary file."""
        logs = {} if logs is None else logs
        filepath = self._get_file_path(epoch, batch, logs)
        if not self._should_save_model(epoch, logs, filepath):
            return
        if os.path.isdir(filepath):
            raise OSError(
                "Please specify a non-directory filepath for ModelCheckpoint. Filepath used is "
                f"an existing directory: {filepath}"
            )
        dirname = os.path.dirname(filepath)
        if dirname:
            os.makedirs(dirname, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")

    def _should_save_model(self, epoch, logs, filepath):
        """Keras' rules: always without `save_best_only`; else when `monitor` improved."""
        if not self.save_best_only:
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=3)
            return True
        if getattr(current, "ndim", 0) > 0:
            warnings.warn(
                f"Can save best model only when `monitor` is a scalar value. Received: "
                f"{current}. Falling back to `save_best_only=False`.",
                stacklevel=3,
            )
            return True
        if self.monitor_op is None:  # a batch-level save before the first epoch ended
            self._set_monitor_op()
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print_msg(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                    f"{current:.5f}, saving model to {filepath}"
                )
            self.best = current
            return True
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _get_file_path(self, epoch, batch, logs):
        """`filepath` formatted with the 1-based epoch (and batch) and the logs it names."""
        fields = {"epoch": epoch + 1}
        if batch is not None and "batch" not in logs:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format_map(collections.ChainMap(fields, logs))
        except KeyError as error:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: {error}'
            ) from None


def _check_arguments(filepath, save_freq, save_weights_only):
    if save_freq != "epoch" and not isinstance(save_freq, int):
        raise ValueError(
            f"Unrecognized save_freq: {save_freq}. Expected save_freq are 'epoch' or integer "
            "values"
        )
    if save_weights_only:
        if not filepath.endswith(_WEIGHT_SUFFIXES):
            raise ValueError(
                "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided "
                "must end in `.weights.h5` (Keras weights format). Received: "
                f"filepath={filepath}"
            )
    elif not filepath.endswith(_MODEL_SUFFIXES):
        raise ValueError(
            "The filepath provided must end in `.keras` (Keras model format). Received: "
            f"filepath={filepath}"
        )
