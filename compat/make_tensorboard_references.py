"""Records the scalars real Keras' TensorBoard callback logs in `references/tensorboard.json`.

Keras' TensorBoard callback writes through `tensorflow.summary`, so this generator needs
TensorFlow installed beside Keras 3.15.1 and torch (Keras still runs on its torch backend).
When the running interpreter has no TensorFlow it reruns itself with the interpreter named by
`TORCHKERAS_TF_PYTHON` (a virtual environment with tensorflow-cpu, keras==3.15.1 and torch):

    TORCHKERAS_TF_PYTHON=/path/to/tfvenv/bin/python KERAS_BACKEND=torch \\
        python -m compat.make_tensorboard_references

The record holds, per configuration (`update_freq="epoch"` and `2`) and per run folder
(`train`, `validation`), every numeric scalar tag with its `(step, value)` pairs, read back with
TensorBoard's `EventAccumulator` (`compat/callback_files_cases.py`).
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from compat import callback_files_cases as files
from compat import make_callback_references as callbacks
from compat.reference_io import import_keras

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "compat" / "references" / "tensorboard.json"
CASES = {"tensorboard": ("callbacks.TensorBoard", files.tensorboard_record, True)}


def references(keras):
    return callbacks.references(keras, CASES)


def main():
    if importlib.util.find_spec("tensorflow") is None:
        python = os.environ.get("TORCHKERAS_TF_PYTHON")
        if not python:
            sys.exit("Keras' TensorBoard callback needs TensorFlow: set TORCHKERAS_TF_PYTHON to "
                     "an interpreter with tensorflow, keras==3.15.1 and torch.")
        command = [python, "-m", "compat.make_tensorboard_references"]
        env = {**os.environ, "KERAS_BACKEND": "torch"}
        sys.exit(subprocess.run(command, cwd=ROOT, env=env, check=False).returncode)
    callbacks.write(REFERENCE, references(import_keras()))


if __name__ == "__main__":
    main()
