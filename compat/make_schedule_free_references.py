"""Records Keras' ScheduleFreeAdamW steps in `compat/references/schedule_free.npz`, on JAX.

Keras 3.15.1's ScheduleFreeAdamW keeps `momentum_old = momentum.value` before updating the
`momentum` (`z`) slot in place; on its torch and TensorFlow backends `.value` is the slot itself,
so `x_old` is then computed from the *updated* `z`. On its JAX backend arrays are immutable and
the update follows the published algorithm, as torchkeras does. So this family is generated
with real Keras 3.15.1 on its JAX backend; when the running interpreter has no JAX it reruns
itself with the interpreter named by `TORCHKERAS_JAX_PYTHON` (jax, keras==3.15.1 and numpy):

    TORCHKERAS_JAX_PYTHON=/path/to/jaxvenv/bin/python python -m compat.make_schedule_free_references

Each case of `SCHEDULE_FREE_CASES` in `tests/optimizers/optimizer_cases.py` applies the same six
seeded gradient steps as the other optimizer cases; stored are the final variables,
`optimizer.variables` and, with EMA, the finalized variables. Members are sorted and dated
1980-01-01, so regenerating gives identical bytes.
"""

import importlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from compat.reference_io import write_npz
from compat.tables import optimizer_cases

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "compat" / "references" / "schedule_free.npz"


def references(keras):
    """`{"<case>/<kind>": float32 vector}` for every ScheduleFreeAdamW case, run with `keras`."""
    def numpy(value):
        return np.array(keras.ops.convert_to_numpy(value))

    refs = {"keras_version": np.array(keras.__version__),
            "keras_backend": np.array(keras.backend.backend())}
    for name in optimizer_cases.SCHEDULE_FREE_CASES:
        record = optimizer_cases.run_case(
            keras.optimizers, name, keras.Variable, keras.ops.convert_to_tensor, numpy)
        refs.update({f"{name}/{kind}": optimizer_cases.flat(a) for kind, a in record.items()})
    return refs


def main():
    if importlib.util.find_spec("jax") is None:
        python = os.environ.get("TORCHKERAS_JAX_PYTHON")
        if not python:
            sys.exit("ScheduleFreeAdamW's reference needs Keras on JAX: set TORCHKERAS_JAX_PYTHON "
                     "to an interpreter with jax, keras==3.15.1 and numpy.")
        env = {**os.environ, "KERAS_BACKEND": "jax"}
        command = [python, "-m", "compat.make_schedule_free_references"]
        sys.exit(subprocess.run(command, cwd=ROOT, env=env, check=False).returncode)
    os.environ["KERAS_BACKEND"] = "jax"
    keras = importlib.import_module("keras")
    refs = references(keras)
    write_npz(REFERENCE, refs)
    print(f"Wrote {len(optimizer_cases.SCHEDULE_FREE_CASES)} ScheduleFreeAdamW cases to "
          f"{REFERENCE.relative_to(ROOT)} ({REFERENCE.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
