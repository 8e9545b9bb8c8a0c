"""torchkeras models count, shape and summarise their weights exactly as real Keras 3 does.

Each case of `model_cases.CASES` is built with torchkeras and compared with
`compat/references/models.json`, written by real Keras 3.15.1 (`compat/make_references.py`):
`count_params()`, weight shapes in `model.weights` order, the number of trainable and
non-trainable weights, and `summary()` cell by cell (layer name and type, output shape, params,
connected to) with its three totals. When `keras` imports, the same comparison also runs against
a reference regenerated in-process.
"""

import importlib
import json
import os
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # model_cases, summary_table

import model_cases  # noqa: E402  (needs the path above)

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "compat" / "references" / "models.json"
CASES = {case.name: case for case in model_cases.CASES}
_RECORD_KEYS = (
    "count_params",
    "weight_shapes",
    "num_trainable_weights",
    "num_non_trainable_weights",
)
_TOTAL_KEYS = ("name", "columns", "total", "trainable", "non_trainable")
_BATCH_AXIS = re.compile(r"\((None|\d+)")  # the first axis of every tuple in a shape cell


@pytest.fixture(scope="module")
def reference():
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def torchkeras():
    module = importlib.import_module("torchkeras")
    # An unrelated PyPI package shares the name; make sure this repository's is the one tested.
    assert Path(module.__file__).resolve().is_relative_to(ROOT), module.__file__
    return module


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        module = importlib.import_module("keras")
    except ImportError:
        pytest.skip("real keras is not installed")
    if module.backend.backend() != "torch":
        pytest.skip(f"keras runs on {module.backend.backend()!r}, not torch")
    return module


def _shape_cell(cell, eager_batch):
    # Keras prints the concrete batch size of the eager call that built a subclassed model (or a
    # Sequential built by calling it), `(4, 23)`, where torchkeras may print `(None, 23)`: for
    # those cases only the axes after the first are compared.
    return _BATCH_AXIS.sub("(_", cell) if eager_batch else cell


def _summary_differences(label, expected, actual, eager_batch):
    diffs = [
        f"{label} {key}: keras {expected[key]!r}, torchkeras {actual[key]!r}"
        for key in _TOTAL_KEYS
        if expected[key] != actual[key]
    ]
    columns = expected["columns"]
    shape_column = columns.index("Output Shape") if "Output Shape" in columns else None
    for i, (want, got) in enumerate(zip(expected["rows"], actual["rows"])):
        if len(want) != len(got):
            diffs.append(f"{label} row {i}: keras {want!r}, torchkeras {got!r}")
            continue
        for column, (want_cell, got_cell) in enumerate(zip(want, got)):
            if column == shape_column:
                want_cell, got_cell = (_shape_cell(c, eager_batch) for c in (want_cell, got_cell))
            if want_cell != got_cell:
                diffs.append(
                    f"{label} row {i} ({want[0]!r}) column {columns[column]!r}: "
                    f"keras {want[column]!r}, torchkeras {got[column]!r}"
                )
    for i in range(len(actual["rows"]), len(expected["rows"])):
        diffs.append(f"{label} row {i}: keras {expected['rows'][i]!r}, torchkeras has no row")
    for i in range(len(expected["rows"]), len(actual["rows"])):
        diffs.append(f"{label} row {i}: keras has no row, torchkeras {actual['rows'][i]!r}")
    return diffs


def differences(case, expected, actual):
    """Every way `actual` (torchkeras) differs from `expected` (Keras), one line each."""
    diffs = [
        f"{key}: keras {expected[key]!r}, torchkeras {actual[key]!r}"
        for key in _RECORD_KEYS
        if expected[key] != actual[key]
    ]
    for key in ("summary", "summary_expanded"):
        if key in expected:
            diffs += _summary_differences(key, expected[key], actual[key], case.eager_batch)
    return diffs


def _describe(case, module):
    return model_cases.describe(case, case.build(module))


def test_reference_lists_every_case(reference):
    assert sorted(reference["cases"]) == sorted(CASES)
    assert len(CASES) >= 12


@pytest.mark.parametrize("name", list(CASES))
def test_matches_keras_reference(name, reference, torchkeras):
    case = CASES[name]
    diffs = differences(case, reference["cases"][name], _describe(case, torchkeras))
    version = reference["keras_version"]
    assert not diffs, f"{name} differs from Keras {version}:\n" + "\n".join(diffs)


@pytest.mark.parametrize("name", list(CASES))
def test_matches_live_keras(name, keras, torchkeras):
    case = CASES[name]
    diffs = differences(case, _describe(case, keras), _describe(case, torchkeras))
    assert not diffs, f"{name} differs from Keras {keras.__version__}:\n" + "\n".join(diffs)


@pytest.mark.parametrize("name", list(CASES))
def test_reference_is_current(name, keras, reference):
    version = reference["keras_version"]
    if keras.__version__ != version:
        pytest.skip(f"reference is from Keras {version}, live Keras is {keras.__version__}")
    expected = dict(reference["cases"][name])
    expected.pop("weight_paths")  # informative only: torchkeras weights are nn.Parameters
    assert _describe(CASES[name], keras) == expected
