"""Callback cases that write files: CSVLogger, ModelCheckpoint, BackupAndRestore, TensorBoard.

Each `*_record(lib, folder)` works in `folder` (a fresh scratch directory) and returns a
JSON-able record without that path: CSV headers and rows, the names of the files written, the
weights loaded back from them, the scalars TensorBoard logged (read back with TensorBoard's own
`EventAccumulator`, so neither side needs TensorFlow to be read).
"""

import csv
import os

from compat.api_custom_cases import data, history, small_model
from compat.callback_cases import compiled, fit, weights


def _rows(path, separator):
    with open(path, newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file, delimiter=separator))
    return {"header": rows[0], "rows": [[float(v) for v in row] for row in rows[1:]]}


def csv_logger_record(lib, folder):
    record = {}
    for separator in (",", ";"):
        path = os.path.join(folder, f"log{len(record)}.csv")
        fit(compiled(lib), [lib.callbacks.CSVLogger(path, separator=separator)], epochs=3)
        fit(compiled(lib), [lib.callbacks.CSVLogger(path, separator=separator, append=True)],
            epochs=2)
        record[separator] = _rows(path, separator)
    return record


CHECKPOINTS = {
    "every_epoch": {"filepath": "w-{epoch:02d}.weights.h5", "save_weights_only": True},
    "best_val_loss": {"filepath": "b-{epoch}-{val_loss:.2f}.weights.h5",
                      "save_weights_only": True, "save_best_only": True},
    "best_max": {"filepath": "best.weights.h5", "save_weights_only": True,
                 "save_best_only": True, "monitor": "val_accuracy", "mode": "max"},
    "threshold": {"filepath": "t{epoch}.weights.h5", "save_weights_only": True,
                  "save_best_only": True, "monitor": "loss", "initial_value_threshold": 1.2},
    "batches": {"filepath": "s-{epoch}-{batch}.weights.h5", "save_weights_only": True,
                "save_freq": 2},
    "full_model": {"filepath": "m-{epoch}.keras"},
}


def _load_weights(lib, path):
    model = small_model(lib)
    model.load_weights(path)
    return weights(model)


def model_checkpoint_record(lib, folder):
    record = {}
    x = data()[0]
    for key, kwargs in CHECKPOINTS.items():
        where = os.path.join(folder, key)
        os.makedirs(where)
        kwargs = {**kwargs, "filepath": os.path.join(where, kwargs["filepath"])}
        fitted = fit(compiled(lib), [lib.callbacks.ModelCheckpoint(**kwargs)], epochs=5)
        files = sorted(os.listdir(where))
        last = os.path.join(where, files[-1])
        entry = {"files": files, "history": history(fitted)}
        if key == "full_model":
            entry["predict"] = lib.saving.load_model(last).predict(x, verbose=0).tolist()
        else:
            entry["last_file_weights"] = _load_weights(lib, last)
        record[key] = entry
    return record


def _interrupter(lib, epoch):
    class Interrupt(lib.callbacks.Callback):
        def on_epoch_begin(self, index, logs=None):
            if index == epoch:
                raise RuntimeError("interrupted")

    return Interrupt()


def backup_and_restore_record(lib, folder):
    record = {}
    for key, kwargs in {"epoch": {}, "keep": {"delete_checkpoint": False}}.items():
        backup = os.path.join(folder, key)
        try:
            fit(compiled(lib), [lib.callbacks.BackupAndRestore(backup, **kwargs),
                                _interrupter(lib, 2)], epochs=4)
        except RuntimeError:
            pass
        model = compiled(lib)
        resumed = fit(model, [lib.callbacks.BackupAndRestore(backup, **kwargs)], epochs=4)
        record[key] = {
            "epoch": list(resumed.epoch),
            "history": history(resumed),
            "weights": weights(model),
            "files_left": sorted(os.listdir(backup)) if os.path.isdir(backup) else None,
        }
    straight = compiled(lib)
    record["uninterrupted"] = {"history": history(fit(straight, [], epochs=4)),
                               "weights": weights(straight)}
    return record


def _scalars(path):
    """`{tag: [[step, value]]}`: scalar summaries, or (as tf.summary writes them) 0-d tensors."""
    # imported here: tensorboard is optional, and only the TensorBoard case reads event files
    from tensorboard.backend.event_processing import event_accumulator
    from tensorboard.util import tensor_util

    accumulator = event_accumulator.EventAccumulator(
        path, size_guidance={"scalars": 0, "tensors": 0}, purge_orphaned_data=False)
    accumulator.Reload()
    tags = accumulator.Tags()
    found = {tag: [[e.step, e.value] for e in accumulator.Scalars(tag)] for tag in tags["scalars"]}
    for tag in tags["tensors"]:
        values = [[e.step, tensor_util.make_ndarray(e.tensor_proto)]
                  for e in accumulator.Tensors(tag)]
        if all(value.ndim == 0 and value.dtype.kind in "fiu" for _, value in values):
            found[tag] = [[step, float(value)] for step, value in values]
    return dict(sorted(found.items()))


def tensorboard_record(lib, folder):
    record = {}
    for key, kwargs in {"epoch": {}, "batch": {"update_freq": 2}}.items():
        log_dir = os.path.join(folder, key)
        fit(compiled(lib), [lib.callbacks.TensorBoard(log_dir=log_dir, **kwargs)], epochs=3)
        record[key] = {
            sub: _scalars(os.path.join(log_dir, sub)) for sub in sorted(os.listdir(log_dir))
        }
    return record
