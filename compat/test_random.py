"""keras.random against real Keras 3.15.1 (`random.npz`, `compat/make_random_references.py`).

Seeded draws must be bit-identical (same torch generator seeds, same sampling calls): compared
exactly, dtype included.
"""

import pytest

import torchkeras
from compat.conformance import check, check_equal
from compat.tables import random_cases

CASES = {case.id: case for case in random_cases.CASES}


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_random_draws(case_id, references):
    refs, case = references("random"), CASES[case_id]
    with torchkeras.device("cpu"):
        found = random_cases.draws(
            torchkeras.random, torchkeras.utils.set_random_seed, lambda t: t.cpu().numpy(), case
        )
    for key, value in sorted(found.items()):
        # The SeedGenerator draws are that class's conformance; the others the function's.
        public = "random.SeedGenerator" if key.startswith("generator/") else f"random.{case.function}"
        expected = refs[f"{case_id}/{key}"]
        check_equal(public, case_id, f"{key} dtype", str(value.dtype), str(expected.dtype))
        check(public, case_id, key, value, expected, 0.0, 0.0)
