"""Records real Keras's optimizer updates and schedules in `compat/references/optimizers.npz`.

Run with real Keras 3 on its torch backend:

    KERAS_BACKEND=torch python compat/make_optimizer_references.py

For every case of `tests/optimizers/optimizer_cases.py` (each optimizer with its own options and
every base option: weight decay, the three clippings, gradient accumulation, a schedule, EMA,
loss scaling, missing gradients) it applies the seeded gradients with `apply_gradients` and saves
the final variables, `optimizer.variables` in order and, with EMA, the values after
`finalize_variable_values`; for every schedule, its values at `SCHEDULE_STEPS`. Members are
sorted and dated 1980-01-01, so regenerating gives identical bytes.
ScheduleFreeAdamW is left out: Keras 3.15.1's torch backend reads its `z` slot after updating it
in place, unlike its JAX and TensorFlow backends (see tests/optimizers/test_optimizers.py).
"""

import importlib
import io
import os
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "compat" / "references" / "optimizers.npz"
sys.path.insert(0, str(ROOT / "tests" / "optimizers"))  # tests/ is not a package

import optimizer_cases  # noqa: E402  (needs the path above)


def import_keras():
    """Real Keras on its torch backend; refuses torchkeras or a Keras with another backend."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = importlib.import_module("keras")
    if keras.backend.backend() != "torch":
        raise RuntimeError(f"Run with KERAS_BACKEND=torch, got {keras.backend.backend()!r}.")
    return keras


def write_npz(path, arrays):
    """`np.savez` with sorted members and a fixed date, so identical arrays give identical bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asarray(arrays[key]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, member.getvalue())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def main():
    keras = import_keras()
    refs = optimizer_cases.keras_references(keras)
    refs["keras_version"] = np.array(keras.__version__)
    write_npz(REFERENCE, refs)
    size = REFERENCE.stat().st_size
    print(
        f"Wrote {len(optimizer_cases.CASES)} optimizer cases and "
        f"{len(optimizer_cases.SCHEDULES)} schedules to {REFERENCE.relative_to(ROOT)} "
        f"({size} bytes)"
    )


if __name__ == "__main__":
    main()
