"""CSVLogger: one CSV row of epoch logs per epoch."""

import collections.abc
import csv
import os

import numpy as np

from torchkeras.callbacks.callback import Callback
from torchkeras.registry import CALLBACKS


@CALLBACKS.register()
class CSVLogger(Callback):
    """Writes `epoch` and the epoch's logs to `filename`, one row per epoch, as Keras does.

    Columns are fixed at the first epoch: its keys sorted, plus a `val_` twin of each when no
    validation key is present; absent values are written `NA`. The file stays open during
    `fit` and is flushed after every row, so completed rows survive a crash (a crash in the
    middle of a row can cut only that row). Rows end in `\\r\\n` (the `csv` module's excel
    dialect, as in Keras).

    Args:
        filename: Path of the CSV file.
        separator: Column delimiter.
        append: Whether to append to an existing file (writing a header only if it is empty).
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        mode = "w"
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, encoding="utf-8") as existing:
                    self.append_header = not existing.readline()
            mode = "a"
        self._close()
        self.csv_file = open(self.filename, mode, encoding="utf-8")  # kept open; flushed per row
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs.keys())
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                self.keys.extend([f"val_{key}" for key in self.keys])
        if self.writer is None:
            self.writer = csv.DictWriter(
                self.csv_file, fieldnames=["epoch"] + self.keys, delimiter=self.sep
            )
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        self._close()
        self.writer = None

    def _close(self):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()


def _cell(value):
    """Keras' cell text: strings and scalars as they are, sequences as `"[a, b]"`."""
    if isinstance(value, str):
        return value
    if isinstance(value, collections.abc.Iterable) and not (
        isinstance(value, np.ndarray) and value.ndim == 0
    ):
        return f'"[{", ".join(map(str, value))}]"'
    return value
