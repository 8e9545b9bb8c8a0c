"""keras.ops.image against real Keras 3.15.1 (`ops_image.npz`, its `make_ops_image_references`).

Each case of `tests/ops/image_cases.py` runs on `torchkeras.ops.image` exactly as the generator
ran it on `keras.ops.image`: outputs (the case's rtol, 1e-6 unless the table says why), their
dtype names, and the gradients of float outputs with respect to the float inputs.
"""

import importlib

import pytest

import torchkeras
import torchkeras.ops.image
from compat.conformance import check, check_equal
from compat.tables import op_case

image_cases = importlib.import_module("image_cases")  # tests/ops/image_cases.py
CASES = {case.id: case for case in image_cases.CASES}


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_image_op_matches_keras(case_id, references):
    refs, case = references("ops_image"), CASES[case_id]
    expected = {k[len(case_id) + 1 :]: v for k, v in refs.items() if k.startswith(f"{case_id}/")}
    if not expected:
        pytest.skip(f"Keras has no reference for {case_id} (it failed when recorded)")
    with torchkeras.device("cpu"):
        found = op_case.run_case(torchkeras.ops.image, case)
    public = f"ops.image.{case.op}"
    check_equal(public, case_id, "outputs", sorted(found), sorted(expected))
    for key in sorted(expected):
        if key.startswith("dtype/"):
            check_equal(public, case_id, key, str(found[key]), str(expected[key]))
        else:
            check(public, case_id, key, found[key], expected[key], case.rtol, case.rtol * 1e-2)
