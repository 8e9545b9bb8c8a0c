"""Writes `.weights.h5` files with real Keras for every case of `tests/saving/weights_cases.py`.

Run with real Keras 3 on its torch backend:

    KERAS_BACKEND=torch python -m compat.make_weights_references

For each case it builds the model with Keras, gives every weight seeded random values, saves
`compat/references/weights/<case>.weights.h5` with `model.save_weights`, and records the inputs
and Keras' outputs in `compat/references/weights/outputs.json`. Keras 3.15.1's HDF5 files hold
no timestamps, so regenerating gives identical bytes (checked); the JSON has sorted keys.
`tests/saving/test_weights_files.py` loads these files into torchkeras without Keras installed.
"""

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
REFERENCES = ROOT / "compat" / "references" / "weights"
sys.path.insert(0, str(ROOT / "tests" / "saving"))  # tests/ is not a package

import weights_cases  # noqa: E402  (needs the path above)
from compat.reference_io import import_keras



def write_case(keras, case, seed):
    """Saves one case's weights file; returns its record for outputs.json."""
    keras.utils.clear_session()
    keras.utils.set_random_seed(seed)
    model = case.build(keras)
    weights_cases.randomize(model, np.random.default_rng(seed))
    model.save_weights(str(REFERENCES / f"{case.name}.weights.h5"))
    inputs = case.inputs(np.random.default_rng(seed + 1000))
    outputs = weights_cases.predict(model, inputs)
    listed = inputs if isinstance(inputs, list) else [inputs]
    return {
        "input_is_list": isinstance(inputs, list),
        "inputs": [{"dtype": str(x.dtype), "values": x.tolist()} for x in listed],
        "outputs": [o.astype("float32").tolist() for o in outputs],
    }


def main():
    keras = import_keras()
    REFERENCES.mkdir(parents=True, exist_ok=True)
    records = {"keras_version": keras.__version__, "cases": {}}
    for seed, case in enumerate(weights_cases.CASES):
        records["cases"][case.name] = write_case(keras, case, seed)
    text = json.dumps(records, sort_keys=True, indent=1)
    (REFERENCES / "outputs.json").write_text(text + "\n")
    print(f"wrote {len(weights_cases.CASES)} cases to {REFERENCES}")


if __name__ == "__main__":
    main()
