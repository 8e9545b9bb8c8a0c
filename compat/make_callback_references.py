"""Records what real Keras' callbacks produce in `compat/references/callbacks.json`.

Run with real Keras 3 on its torch backend:

    KERAS_BACKEND=torch python -m compat.make_callback_references

Every case of `CASES` (`compat/callback_cases.py`, `compat/callback_files_cases.py`) trains a
small seeded model with one callback and records what it produced: History values and epochs,
EarlyStopping's `stopped_epoch` / `best` / `best_epoch` / `wait` and restored weights,
learning-rate trajectories, CSV rows, checkpoint file names and the weights they hold, the hooks a
recording Callback sees in fit / evaluate / predict, TerminateOnNaN's last batch, the printed
progress lines, EMA-swapped validation, a BackupAndRestore resume after an interruption. Each case
starts from `clear_session()` and `set_random_seed(0)` in a fresh scratch folder. TensorBoard has
its own file (`compat/make_tensorboard_references.py`): Keras writes its events through
TensorFlow. The JSON is written with sorted keys, so regenerating gives identical bytes.
"""

import json
import tempfile
from pathlib import Path

from compat import callback_cases as cases
from compat import callback_files_cases as files
from compat.api_cases import as_stored
from compat.reference_io import import_keras

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "compat" / "references" / "callbacks.json"

# case id -> (Keras public name, record function, whether it takes a scratch folder)
CASES = {
    "history": ("callbacks.History", cases.history_record, False),
    "early_stopping": ("callbacks.EarlyStopping", cases.early_stopping_record, False),
    "reduce_lr_on_plateau": ("callbacks.ReduceLROnPlateau", cases.reduce_lr_record, False),
    "learning_rate_scheduler": (
        "callbacks.LearningRateScheduler", cases.lr_scheduler_record, False
    ),
    "hooks": ("callbacks.Callback", cases.hooks_record, False),
    "callback_list": ("callbacks.CallbackList", cases.callback_list_record, False),
    "lambda_callback": ("callbacks.LambdaCallback", cases.lambda_record, False),
    "terminate_on_nan": ("callbacks.TerminateOnNaN", cases.terminate_on_nan_record, False),
    "swap_ema_weights": ("callbacks.SwapEMAWeights", cases.swap_ema_record, False),
    "progbar_logger": ("callbacks.ProgbarLogger", cases.progbar_record, False),
    "csv_logger": ("callbacks.CSVLogger", files.csv_logger_record, True),
    "model_checkpoint": ("callbacks.ModelCheckpoint", files.model_checkpoint_record, True),
    "backup_and_restore": ("callbacks.BackupAndRestore", files.backup_and_restore_record, True),
}
# cases whose record holds one entry per configuration: each is its own conformance case
PER_CONFIGURATION = {
    "early_stopping", "reduce_lr_on_plateau", "learning_rate_scheduler", "csv_logger",
    "model_checkpoint", "backup_and_restore", "tensorboard",
}


def run_case(lib, table, case):
    """`table[case]` with `lib` from a fresh session, seed 0 and (if it needs one) folder."""
    lib.backend.clear_session()
    lib.utils.set_random_seed(0)
    _, record, needs_folder = table[case]
    if not needs_folder:
        return as_stored(record(lib))
    with tempfile.TemporaryDirectory() as folder:
        return as_stored(record(lib, folder))


def references(keras, table=None):
    table = CASES if table is None else table
    return {
        "keras_version": keras.__version__,
        "cases": {case: run_case(keras, table, case) for case in table},
    }


def write(path, refs):
    text = json.dumps(refs, sort_keys=True, indent=1) + "\n"
    path.write_text(text, encoding="utf-8")
    print(f"Wrote {len(refs['cases'])} cases to {path.relative_to(ROOT)} ({len(text)} bytes)")


def main():
    write(REFERENCE, references(import_keras()))


if __name__ == "__main__":
    main()
