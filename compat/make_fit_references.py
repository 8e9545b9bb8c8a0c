"""Records real Keras's fit / evaluate / predict results in `compat/references/fit.npz`.

Run with real Keras 3 on its torch backend:

    KERAS_BACKEND=torch python compat/make_fit_references.py

For every case of `tests/trainer/fit_cases.py` it builds and compiles the model with Keras,
records its initial weights (`model.get_weights()`), runs `fit(epochs=3, shuffle=False)`, then
`evaluate` (as a dict and as a list) and `predict` on a fixed batch, and saves the History, the
evaluations, the predictions and the final weights under `<case>/...`. Members are sorted and
dated 1980-01-01, so regenerating gives identical bytes.
"""

import importlib
import io
import os
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "compat" / "references" / "fit.npz"
sys.path.insert(0, str(ROOT / "tests" / "trainer"))  # tests/ is not a package

import fit_cases  # noqa: E402  (needs the path above)


def import_keras():
    """Real Keras on its torch backend; refuses torchkeras or a Keras with another backend."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = importlib.import_module("keras")
    if keras.backend.backend() != "torch":
        raise RuntimeError(f"Run with KERAS_BACKEND=torch, got {keras.backend.backend()!r}.")
    if not hasattr(keras, "__version__") or "torchkeras" in keras.__file__:
        raise RuntimeError(f"`keras` must be real Keras 3, got {keras.__file__}.")
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
