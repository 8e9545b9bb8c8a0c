"""`fit` / `evaluate` / `predict` give real Keras 3.15.1's numbers from the same initial weights.

Each case of `tests/trainer/fit_cases.py` is built with torchkeras, given the initial weights that
Keras recorded (`compat/references/fit.npz`, `compat/make_fit_references.py`) and run as Keras
did: `fit(epochs=3, shuffle=False)` with validation, sample and class weights, regularizers and
schedules, then `evaluate` and `predict`. Compared: History keys (same order) and values, the
final weights (`Model.fit`); `evaluate` as a dict (same keys) and as a list (`Model.evaluate`);
predictions (`Model.predict`). Tolerance rtol 1e-5, atol 1e-7: three epochs of float32 training
compound the ~1e-7 differences of single losses and updates (fused kernels, summation order);
the absolute floor is for values that end near zero (a bias, the loss of a fitted output).
"""

import pytest

import torchkeras
from compat.conformance import check, check_equal
from compat.tables import fit_cases

RTOL, ATOL = 1e-5, 1e-7
NAMES = sorted(fit_cases.CASES)
_RUNS = {}


def _case_arrays(refs, name):
    prefix = f"{name}/"
    return {key[len(prefix) :]: value for key, value in refs.items() if key.startswith(prefix)}


def _listed(arrays, kind):
    return [arrays[key] for key in sorted(arrays) if key.startswith(f"{kind}/")]


def _ours(name, expected, live):
    """Case `name` run with torchkeras from `expected`'s initial weights (once per session)."""
    if (live, name) not in _RUNS:
        record = fit_cases.run_case(torchkeras, name, initial_weights=_listed(expected, "initial"))
        _RUNS[live, name] = fit_cases.flat(record)
    return _RUNS[live, name]


def check_history(ours, expected, name):
    keys = list(expected["history_keys"])
    check_equal("Model.fit", name, "History keys", list(ours["history_keys"]), keys)
    for key in keys:
        want = expected[f"history/{key}"]
        check("Model.fit", name, f"history[{key!r}]", ours[f"history/{key}"], want, RTOL, ATOL)


def check_evaluate(ours, expected, name):
    keys = list(expected["evaluate_keys"])
    check_equal("Model.evaluate", name, "dict keys", list(ours["evaluate_keys"]), keys)
    for kind in ("evaluate_dict", "evaluate_list"):
        check("Model.evaluate", name, kind, ours[kind], expected[kind], RTOL, ATOL)


def _check_arrays(public, kind):
    def check_all(ours, expected, name):
        want, got = _listed(expected, kind), _listed(ours, kind)
        check_equal(public, name, f"number of {kind} arrays", len(got), len(want))
        for index, (mine, theirs) in enumerate(zip(got, want)):
            check(public, name, f"{kind}[{index}]", mine, theirs, RTOL, ATOL)

    return check_all


CHECKS = {
    "history": check_history,
    "evaluate": check_evaluate,
    "predict": _check_arrays("Model.predict", "predict"),
    "final_weights": _check_arrays("Model.fit", "final"),
}


@pytest.mark.parametrize("check_name", list(CHECKS))
@pytest.mark.parametrize("name", NAMES)
def test_fit_evaluate_predict(name, check_name, references, live):
    expected = _case_arrays(references("fit"), name)
    CHECKS[check_name](_ours(name, expected, live), expected, name)


def test_reference_is_current(references, live):
    """The stored file covers exactly the cases of the table, written by Keras 3.15.1."""
    refs = references("fit")
    if not live:
        assert str(refs["keras_version"]) == "3.15.1"
    assert sorted({key.split("/")[0] for key in refs if "/" in key}) == NAMES
