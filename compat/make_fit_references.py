"""Records real Keras's fit / evaluate / predict results in `compat/references/fit.npz`.

Run with real Keras 3 on its torch backend:

    KERAS_BACKEND=torch python -m compat.make_fit_references

For every case of `tests/trainer/fit_cases.py` it builds and compiles the model with Keras,
records its initial weights (`model.get_weights()`), runs `fit(epochs=3, shuffle=False)`, then
`evaluate` (as a dict and as a list) and `predict` on a fixed batch, and saves the History, the
evaluations, the predictions and the final weights under `<case>/...`. Members are sorted and
dated 1980-01-01, so regenerating gives identical bytes.
"""

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "compat" / "references" / "fit.npz"
sys.path.insert(0, str(ROOT / "tests" / "trainer"))  # tests/ is not a package

import fit_cases  # noqa: E402  (needs the path above)
from compat.reference_io import import_keras, write_npz




def keras_references(keras):
    """`{"<case>/<key>": array}` for every case, run with `keras` from its own initial weights."""
    refs = {}
    for name in sorted(fit_cases.CASES):
        keras.utils.set_random_seed(0)
        record = fit_cases.run_case(keras, name)
        for key, array in fit_cases.flat(record).items():
            refs[f"{name}/{key}"] = array
        keras.backend.clear_session()
    return refs


def main():
    keras = import_keras()
    refs = keras_references(keras)
    refs["keras_version"] = np.array(keras.__version__)
    write_npz(REFERENCE, refs)
    size = REFERENCE.stat().st_size
    print(
        f"Wrote {len(fit_cases.CASES)} fit cases to {REFERENCE.relative_to(ROOT)} ({size} bytes)"
    )


if __name__ == "__main__":
    main()
