"""Records real Keras' `utils.timeseries_dataset_from_array` batches in `timeseries.json`.

Keras builds that dataset with `tf.data`, so this generator needs TensorFlow installed beside
Keras 3.15.1 and torch (Keras still runs on its torch backend). When the running interpreter has
no TensorFlow it reruns itself with the interpreter named by `TORCHKERAS_TF_PYTHON`:

    TORCHKERAS_TF_PYTHON=/path/to/tfvenv/bin/python KERAS_BACKEND=torch \\
        python -m compat.make_timeseries_references

Per case of `CASES` (window length, stride, sampling rate, start/end, batching, a seeded
shuffle, no targets), the record holds every batch the dataset yields: each element's values,
shape and dtype. The JSON is written with sorted keys, so regenerating gives identical bytes.
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from compat.reference_io import import_keras

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "compat" / "references" / "timeseries.json"
DATA = np.arange(40, dtype="float32").reshape(20, 2)
TARGETS = np.arange(100, 120)

# case id -> (with targets, keyword arguments)
CASES = {
    "basic": (True, {"sequence_length": 3, "batch_size": 4}),
    "stride_sampling": (True, {"sequence_length": 3, "sequence_stride": 2, "sampling_rate": 2,
                               "batch_size": 2}),
    "start_end": (True, {"sequence_length": 4, "start_index": 3, "end_index": 15,
                         "batch_size": 5}),
    "no_targets_unbatched": (False, {"sequence_length": 5, "sequence_stride": 3,
                                     "batch_size": None}),
    "shuffle_seed": (True, {"sequence_length": 2, "shuffle": True, "seed": 7, "batch_size": 3}),
    "shuffle_seed_stride": (False, {"sequence_length": 3, "sequence_stride": 2, "shuffle": True,
                                    "seed": 123, "batch_size": 4}),
}


def _element(value):
    array = np.asarray(value)
    return {"values": array.tolist(), "shape": list(array.shape), "dtype": str(array.dtype)}


def timeseries_record(lib, case):
    """Every batch (or window) the dataset of `case` yields, element by element."""
    with_targets, kwargs = CASES[case]
    dataset = lib.utils.timeseries_dataset_from_array(
        DATA, TARGETS if with_targets else None, **kwargs
    )
    batches = []
    for item in dataset:
        items = item if isinstance(item, (tuple, list)) else (item,)
        batches.append([_element(value) for value in items])
    return batches


def references(keras):
    return {
        "keras_version": keras.__version__,
        "cases": {case: timeseries_record(keras, case) for case in CASES},
    }


def main():
    if importlib.util.find_spec("tensorflow") is None:
        python = os.environ.get("TORCHKERAS_TF_PYTHON")
        if not python:
            sys.exit("Keras' timeseries_dataset_from_array needs TensorFlow: set "
                     "TORCHKERAS_TF_PYTHON to an interpreter with tensorflow, keras==3.15.1 "
                     "and torch.")
        command = [python, "-m", "compat.make_timeseries_references"]
        env = {**os.environ, "KERAS_BACKEND": "torch"}
        sys.exit(subprocess.run(command, cwd=ROOT, env=env, check=False).returncode)
    text = json.dumps(references(import_keras()), sort_keys=True, indent=1) + "\n"
    REFERENCE.write_text(text, encoding="utf-8")
    print(f"Wrote {len(CASES)} cases to {REFERENCE.relative_to(ROOT)} ({len(text)} bytes)")


if __name__ == "__main__":
    main()
