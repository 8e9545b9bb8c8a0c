"""Records Keras' adapt, hashing and inversion results in `preprocessing_text_scenarios.npz`.

Keras' StringLookup, IntegerLookup, Hashing and TextVectorization need TensorFlow even on the
torch backend, so this runs where both are installed (TensorFlow is not a project dependency):

    KERAS_BACKEND=torch python -m compat.make_preprocessing_text_references

The scenarios live in `tests/layers/preprocessing_text_scenarios.py` (`SCENARIOS`): each runs on a
namespace of layer classes, so the same code runs on Keras' and torchkeras' layers;
`tests/layers/test_preprocessing_text.py` replays them against the committed file.
"""

import importlib
import sys
from pathlib import Path

import numpy as np

from compat.reference_io import import_keras, write_npz

ROOT = Path(__file__).resolve().parent.parent
PATH = ROOT / "compat" / "references" / "preprocessing_text_scenarios.npz"
if str(ROOT / "tests" / "layers") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests" / "layers"))  # tests/ is not a package

scenarios = importlib.import_module("preprocessing_text_scenarios")


def references(keras):
    """`{"<scenario>/<name>": array}` computed with Keras' layers."""
    refs = {}
    for scenario, run in scenarios.SCENARIOS.items():
        refs.update({f"{scenario}/{key}": value for key, value in run(keras.layers).items()})
    refs["keras_version"] = np.array(keras.__version__)
    return refs


def main():
    keras = import_keras()
    write_npz(PATH, references(keras))
    print(f"Wrote {PATH.relative_to(ROOT)} ({PATH.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
