"""BackupAndRestore: back up the training state during `fit` and resume exactly after a crash."""

import json
import os
import re
import warnings

from torchkeras import distribution
from torchkeras.callbacks import training_state
from torchkeras.callbacks.callback import Callback
from torchkeras.registry import CALLBACKS
from torchkeras.utils.atomic_io import atomic_write

_POINTER = "checkpoint.json"
_WEIGHTS = "backup-{}.weights.h5"
_STATE = "backup-{}.state.npz"
_OWN_FILE = re.compile(r"^backup-(\d+)\.(weights\.h5|state\.npz)$")
_TEMP_FILE = re.compile(r"^\.(backup-\d+\.(weights\.h5|state\.npz)|checkpoint\.json)\..*\.tmp$")


@CALLBACKS.register()
class BackupAndRestore(Callback):
    """Backs up the training state into `backup_dir`; a rerun of the same `fit` resumes from it.

    A backup holds the weights and optimizer state (`model.save_weights`), the position (epoch
    and next batch), the History so far, the metrics' running state and the states of torch's
    (CPU and CUDA), NumPy's and Python's random generators, both at the start of the epoch
    (so the epoch's shuffling is drawn again identically) and at the backup. Unlike Keras,
    which restarts the interrupted epoch, `fit` resumes at the batch after the backup, and its
    History holds the epochs finished before the interruption too: a run killed and rerun ends
    with the same weights, optimizer state and History as an uninterrupted one (for in-memory
    arrays and re-iterable sources such as DataLoaders, not for one-shot generators).

    Every backup is a new generation of files, each written to a temporary name and renamed;
    `checkpoint.json`, renamed last, names the complete generation, so a crash while writing
    leaves the previous backup in place. With `save_freq="epoch"` there is no batch hook.

    Args:
        backup_dir: Directory of the backup; it must not hold other runs' files.
        save_freq: `"epoch"`, an int (back up every that many training batches), or `False`
            (never back up; only restore).
        double_checkpoint: Whether to keep the previous backup too, used when the latest one
            cannot be read.
        delete_checkpoint: Whether to delete the backup (and `backup_dir`, if then empty) when
            `fit` ends normally.
    """

    def __init__(
        self,
        backup_dir,
        save_freq="epoch",
        double_checkpoint=False,
        delete_checkpoint=True,
    ):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(
                "Invalid value for argument `save_freq`. "
                f"Received: save_freq={save_freq}. "
                "Expected either 'epoch' or an integer value."
            )
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0
        self._generation = 0
        self._epoch_rng = None
        self._pending_epoch_rng = None
        self._history, self._epochs = {}, []

    def overrides(self, hook):
        """The batch hook is live only when `save_freq` counts batches."""
        if hook == "on_train_batch_end" and not self._counts_batches():
            return any(
                getattr(type(self), name) is not getattr(BackupAndRestore, name)
                for name in ("on_train_batch_end", "on_batch_end")
            )
        return super().overrides(hook)

    # ---- restoring -----------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        if not getattr(self.model, "built", True):
            raise ValueError(
                "To use the BackupAndRestore callback, you model must be built before you call "
                f"`fit()`. Model {self.model} is unbuilt. You can build it beforehand by "
                "calling it on a batch of data."
            )
        self._history, self._epochs = {}, []
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._pending_epoch_rng = None
        generation = self._read_pointer()
        self._generation = generation or 0
        if generation is not None:
            vars(self.model)["_training_resume"] = self._restore(generation)

    def _restore(self, generation):
        """Loads the generation the pointer names, or the one before if that is unreadable."""
        try:
            return self._load(generation)
        except (OSError, ValueError, KeyError) as error:
            previous = generation - 1
            if not all(os.path.exists(path) for path in self._paths(previous)):
                raise
            warnings.warn(
                f"BackupAndRestore: the latest backup in {self.backup_dir} cannot be read "
                f"({error}); restoring the previous one.",
                stacklevel=3,
            )
            return self._load(previous)

    def _load(self, generation):
        weights_path, state_path = self._paths(generation)
        metadata, rng, metric_values = training_state.read_state(state_path)
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and not getattr(optimizer, "built", True):
            optimizer.build(self.model.trainable_weights)  # its state must exist to be loaded
        self.model.load_weights(weights_path)
        epoch, step = metadata["epoch"], metadata["step"]
        self._history = {key: list(values) for key, values in metadata["history"].items()}
        self._epochs = list(metadata["epochs"])
        self._current_epoch = epoch
        self._last_batch_seen = max(step - 1, 0)
        self._pending_epoch_rng = (epoch, rng["epoch"])
        return training_state.TrainingResume(
            epoch, step, metadata["history"], metadata["epochs"], rng.get("step"), metric_values
        )

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch
        if self._pending_epoch_rng is not None and self._pending_epoch_rng[0] == epoch:
            training_state.restore_rng(self._pending_epoch_rng[1])  # before the epoch's shuffle
        self._pending_epoch_rng = None
        if self._counts_batches():
            self._epoch_rng = training_state.capture_rng()

    # ---- backing up ----------------------------------------------------------------------
    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            rng = {"epoch": self._epoch_rng, "step": training_state.capture_rng()}
            metric_values = [variable.numpy() for variable in self.model.metrics_variables]
            self._save(self._current_epoch, batch + 1, rng, metric_values)

    def on_epoch_end(self, epoch, logs=None):
        self._epochs.append(epoch)
        for key, value in (logs or {}).items():
            self._history.setdefault(key, []).append(value)
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save(epoch + 1, 0, {"epoch": training_state.capture_rng()})

    def _counts_batches(self):
        return isinstance(self.save_freq, int) and not isinstance(self.save_freq, bool)

    def _should_save_on_batch(self, batch):
        """Counts batches (hooks may skip some with `steps_per_execution`) up to `save_freq`."""
        if not self._counts_batches():
            return False
        if batch <= self._last_batch_seen:  # a new epoch: batches are 0-based
            added = batch + 1
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _save(self, epoch, step, rng, metric_values=()):
        """Writes a new generation, then points `checkpoint.json` at it, then drops old ones."""
        os.makedirs(self.backup_dir, exist_ok=True)
        generation = self._generation + 1
        weights_path, state_path = self._paths(generation)
        self.model.save_weights(weights_path, overwrite=True)  # sharded: every rank gathers
        self._generation = generation
        if not distribution.is_chief():  # the rest is rank 0's files
            return
        metadata = {
            "epoch": epoch,
            "step": step,
            "epochs": self._epochs,
            "history": self._history,
            "metric_count": len(metric_values),
        }
        training_state.write_state(state_path, metadata, rng, metric_values)
        with atomic_write(os.path.join(self.backup_dir, _POINTER), "w") as file:
            json.dump({"generation": generation}, file)
        keep = {generation, generation - 1} if self.double_checkpoint else {generation}
        self._remove_files(keep)

    # ---- files ---------------------------------------------------------------------------
    def on_train_end(self, logs=None):
        if not self.delete_checkpoint or not distribution.is_chief():
            return
        if not os.path.isdir(self.backup_dir):
            return
        self._remove_files(keep=())
        pointer = os.path.join(self.backup_dir, _POINTER)
        if os.path.exists(pointer):
            os.remove(pointer)
        try:
            os.rmdir(self.backup_dir)
        except OSError:  # the directory holds other files: leave them
            pass

    def _paths(self, generation):
        return (
            os.path.join(self.backup_dir, _WEIGHTS.format(generation)),
            os.path.join(self.backup_dir, _STATE.format(generation)),
        )

    def _read_pointer(self):
        path = os.path.join(self.backup_dir, _POINTER)
        if not os.path.exists(path):
            return None
        with open(path, encoding="utf-8") as file:
            return int(json.load(file)["generation"])

    def _remove_files(self, keep):
        """Deletes backup generations not in `keep` and temporary files left by a crash."""
        for name in os.listdir(self.backup_dir):
            own = _OWN_FILE.match(name)
            if (own and int(own.group(1)) not in keep) or _TEMP_FILE.match(name):
                os.remove(os.path.join(self.backup_dir, name))
