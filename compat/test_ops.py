"""keras.ops against real Keras 3.15.1 (`ops.npz`, `compat/make_ops_references.py`).

Each case of `tests/ops/ops_cases.py` runs on `torchkeras.ops` exactly as the generator ran it on
`keras.ops`: the outputs must match Keras' values (the case's rtol, 1e-6 unless the table says
why), their dtype names must be Keras', and so must the gradients of float outputs.
"""

import numpy as np
import pytest

import torchkeras
import torchkeras.ops
from compat.conformance import check, check_equal
from compat.tables import op_case, ops_cases
from torchkeras.ops import dtypes

CASES = {case.id: case for case in ops_cases.CASES}


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_op_matches_keras(case_id, references):
    refs, case = references("ops"), CASES[case_id]
    expected = {k[len(case_id) + 1 :]: v for k, v in refs.items() if k.startswith(f"{case_id}/")}
    if not expected:
        pytest.skip(f"Keras has no reference for {case_id} (it failed when recorded)")
    with torchkeras.device("cpu"):
        found = op_case.run_case(torchkeras.ops, case)
    public = f"ops.{case.op}"
    check_equal(public, case_id, "outputs", sorted(found), sorted(expected))
    for key in sorted(expected):
        if key.startswith("dtype/"):
            check_equal(public, case_id, key, str(found[key]), str(expected[key]))
        else:
            check(public, case_id, key, found[key], expected[key], case.rtol, case.rtol * 1e-2)


def test_result_type_matches_keras(references):
    table = references("ops")["result_type"]
    names = ops_cases.RESULT_TYPE_DTYPES
    ours = np.array(
        [
            [dtypes.result_type(ops_cases.as_dtype(a), ops_cases.as_dtype(b)) for b in names]
            for a in names
        ]
    )
    for row, name in enumerate(names):
        check_equal("backend.result_type", name, "row", ours[row].tolist(), table[row].tolist())
