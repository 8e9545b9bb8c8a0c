"""Records real Keras' `keras.random` draws in `compat/references/random.npz`.

    KERAS_BACKEND=torch python -m compat.make_random_references

For every case of `tests/random_ops/random_cases.py`: the values drawn with an int seed, with a
`SeedGenerator` (three draws) and with `seed=None` after `keras.utils.set_random_seed` (three
draws), on CPU. `compat/test_random.py` checks torchkeras draws the same numbers.
"""

import sys
from pathlib import Path

import numpy as np

from compat.reference_io import import_keras, write_npz

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "compat" / "references" / "random.npz"
if str(ROOT / "tests" / "random_ops") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests" / "random_ops"))  # tests/ is not a package

import random_cases  # noqa: E402  (needs the path above)


def references(keras):
    """`{"<case id>/<draw>": array}` for every case, plus `keras_version`."""
    refs = {}
    with keras.device("cpu"):
        for case in random_cases.CASES:
            found = random_cases.draws(
                keras.random, keras.utils.set_random_seed, keras.ops.convert_to_numpy, case
            )
            refs.update({f"{case.id}/{key}": value for key, value in found.items()})
    refs["keras_version"] = np.array(keras.__version__)
    return refs


def main():
    write_npz(REFERENCE, references(import_keras()))
    print(f"Wrote {len(random_cases.CASES)} random cases to {REFERENCE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
