"""Models count, shape and summarise their weights exactly as real Keras 3.15.1 does.

Each case of `tests/models/model_cases.py` is built with torchkeras and compared with
`compat/references/models.json` (`compat/make_model_references.py`): `count_params()`, weight
shapes in `model.weights` order, the number of trainable and non-trainable weights (recorded as
`Model.count_params`), and `summary()` cell by cell (layer name and type, output shape, params,
connected to) with its three totals (recorded as `Model.summary`). All exact.
"""

import re

import pytest

import torchkeras
from compat.conformance import check_equal
from compat.tables import ROOT, model_cases

CASES = {case.name: case for case in model_cases.CASES}
_RECORD_KEYS = (
    "count_params",
    "weight_shapes",
    "num_trainable_weights",
    "num_non_trainable_weights",
)
_TOTAL_KEYS = ("name", "columns", "total", "trainable", "non_trainable")
_BATCH_AXIS = re.compile(r"\((None|\d+)")  # the first axis of every tuple in a shape cell


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


def test_package_is_this_repository():
    # An unrelated PyPI package shares the name; make sure this repository's is the one tested.
    assert torchkeras.__file__.startswith(str(ROOT)), torchkeras.__file__


def test_reference_lists_every_case(references):
    assert sorted(references("models")["cases"]) == sorted(CASES)


@pytest.mark.parametrize("name", list(CASES))
def test_model(name, references):
    case = CASES[name]
    expected = references("models")["cases"][name]
    actual = model_cases.describe(case, case.build(torchkeras))
    record = {key: actual[key] for key in _RECORD_KEYS}
    wanted = {key: expected[key] for key in _RECORD_KEYS}
    check_equal("Model.count_params", name, "counts and weight shapes", record, wanted)
    diffs = differences(case, expected, actual)
    check_equal("Model.summary", name, "summary differences (keras vs torchkeras)", diffs, [])
