"""Records real Keras' `keras.ops.image` results in `compat/references/ops_image.npz`.

    KERAS_BACKEND=torch python -m compat.make_ops_image_references

For every case of `tests/ops/image_cases.py`: each output, its dtype name and the gradients of a
fixed weighted sum of the float outputs with respect to the float inputs (`op_case.run_case` on
`keras.ops.image`), on CPU. `compat/test_ops_image.py` checks torchkeras against them.
"""

import sys
from pathlib import Path

import numpy as np

from compat.reference_io import import_keras, write_npz

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "compat" / "references" / "ops_image.npz"
if str(ROOT / "tests" / "ops") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests" / "ops"))  # tests/ is not a package

import image_cases  # noqa: E402
import op_case  # noqa: E402


def references(keras):
    """`{"<case id>/<key>": array}` for every case, and `keras_version`."""
    refs = {}
    with keras.device("cpu"):
        for case in image_cases.CASES:
            try:
                found = op_case.run_case(keras.ops.image, case)
            except Exception as error:  # noqa: BLE001  (report every failing case at once)
                print(f"{case.id}: Keras raised {type(error).__name__}: {error}")
                continue
            refs.update({f"{case.id}/{key}": value for key, value in found.items()})
    refs["keras_version"] = np.array(keras.__version__)
    return refs


def main():
    write_npz(REFERENCE, references(import_keras()))
    print(f"Wrote {len(image_cases.CASES)} ops.image cases to {REFERENCE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
