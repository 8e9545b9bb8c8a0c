"""Records real Keras' `keras.ops` results in `compat/references/ops.npz`.

    KERAS_BACKEND=torch python -m compat.make_ops_references

For every case of `tests/ops/ops_cases.py`: each output, its dtype name and the gradients of a
fixed weighted sum of the float outputs with respect to the float inputs (`op_case.run_case`), on
CPU; plus Keras' `result_type` of every pair of `ops_cases.RESULT_TYPE_DTYPES`.
`compat/test_ops.py` checks torchkeras against them.
"""

import sys
from pathlib import Path

import numpy as np

from compat.reference_io import import_keras, write_npz

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "compat" / "references" / "ops.npz"
if str(ROOT / "tests" / "ops") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests" / "ops"))  # tests/ is not a package

import op_case
import ops_cases


def result_types(result_type):
    """Keras' `result_type` of every ordered pair of the table's dtypes, as a 2-D string array."""
    names = ops_cases.RESULT_TYPE_DTYPES
    table = [
        [str(result_type(ops_cases.as_dtype(a), ops_cases.as_dtype(b))) for b in names]
        for a in names
    ]
    return np.array(table)


def references(keras):
    """`{"<case id>/<key>": array}` for every case, the result_type table and `keras_version`."""
    refs = {}
    with keras.device("cpu"):
        for case in ops_cases.CASES:
            try:
                found = op_case.run_case(keras.ops, case)
            except Exception as error:  # noqa: BLE001  (report every failing case at once)
                print(f"{case.id}: Keras raised {type(error).__name__}: {error}")
                continue
            refs.update({f"{case.id}/{key}": value for key, value in found.items()})
    refs["result_type"] = result_types(keras.backend.result_type)
    refs["keras_version"] = np.array(keras.__version__)
    return refs


def main():
    write_npz(REFERENCE, references(import_keras()))
    print(f"Wrote {len(ops_cases.CASES)} ops cases to {REFERENCE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
