"""Records real Keras's optimizer updates and schedules in `compat/references/optimizers.npz`.

Run with real Keras 3 on its torch backend:

    KERAS_BACKEND=torch python -m compat.make_optimizer_references

For every case of `tests/optimizers/optimizer_cases.py` (each optimizer with its own options and
every base option: weight decay, the three clippings, gradient accumulation, a schedule, EMA,
loss scaling, missing gradients) it applies the seeded gradients with `apply_gradients` and saves
the final variables, `optimizer.variables` in order and, with EMA, the values after
`finalize_variable_values`; for every `LOSS_SCALE_CASES` entry, LossScaleOptimizer's dynamic
scale, step counter and iterations after each scripted step (finite and non-finite gradients),
its final variables, state and config; for every schedule, its values at `SCHEDULE_STEPS`. Members are
sorted and dated 1980-01-01, so regenerating gives identical bytes.
ScheduleFreeAdamW is left out: Keras 3.15.1's torch backend reads its `z` slot after updating it
in place, unlike its JAX and TensorFlow backends (see tests/optimizers/test_optimizers.py).
"""

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "compat" / "references" / "optimizers.npz"
sys.path.insert(0, str(ROOT / "tests" / "optimizers"))  # tests/ is not a package

import optimizer_cases  # noqa: E402  (needs the path above)
from compat.reference_io import import_keras, write_npz




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
