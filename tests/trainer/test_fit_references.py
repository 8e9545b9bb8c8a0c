"""torchkeras' fit / evaluate / predict give real Keras 3's numbers from the same weights.

Each case of `fit_cases.CASES` is built with torchkeras, given the initial weights that Keras
recorded in `compat/references/fit.npz` (`compat/make_fit_references.py`, Keras 3.15.1 on its
torch backend), and run like Keras did: `fit(epochs=3, shuffle=False)` with validation, sample
and class weights, then `evaluate` and `predict`. Compared: History keys (same list) and values
within 1e-5 relative, `evaluate` as a dict (same keys) and as a list (same order), predictions
and final weights within 1e-5 relative. When `keras` imports, the same comparisons also run
against Keras live, in process.
"""

import os
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # fit_cases

import fit_cases  # noqa: E402  (needs the path above)

import torchkeras  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "compat" / "references" / "fit.npz"
RTOL = 1e-5
ATOL = 1e-7  # for values that end up near zero (a bias, a loss of a fitted output)
NAMES = sorted(fit_cases.CASES)


@pytest.fixture(scope="module")
def reference():
    with np.load(REFERENCE) as archive:
        return {key: archive[key] for key in archive.files}


@pytest.fixture(scope="module")
def live():
    """Real Keras's records of every case, from its own initial weights."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch" or "torchkeras" in keras.__file__:
        pytest.skip("`keras` is not real Keras on its torch backend")
    records = {}
    for name in NAMES:
        keras.utils.set_random_seed(0)
        records[name] = fit_cases.flat(fit_cases.run_case(keras, name))
        keras.backend.clear_session()
    return records


def _case_arrays(reference, name):
    prefix = f"{name}/"
    return {key[len(prefix):]: value for key, value in reference.items() if key.startswith(prefix)}


def _listed(arrays, kind):
    return [arrays[key] for key in sorted(arrays) if key.startswith(f"{kind}/")]


_RUNS = {}


def _ours(name, expected, source):
    """Case `name` run with torchkeras from `expected`'s initial weights (once per source)."""
    if (source, name) not in _RUNS:
        initial = _listed(expected, "initial")
        record = fit_cases.run_case(torchkeras, name, initial_weights=initial)
        _RUNS[source, name] = fit_cases.flat(record)
    return _RUNS[source, name]


def _close(mine, theirs, message):
    mine, theirs = np.asarray(mine), np.asarray(theirs)
    assert mine.shape == theirs.shape, f"{message}: torchkeras {mine}, Keras {theirs}"
    np.testing.assert_allclose(mine, theirs, rtol=RTOL, atol=ATOL, err_msg=message)


def check_history_keys(ours, expected, name):
    assert list(ours["history_keys"]) == list(expected["history_keys"]), f"{name}: History keys"


def check_history(ours, expected, name):
    assert sorted(ours["history_keys"]) == sorted(expected["history_keys"]), f"{name}: History keys"
    for key in expected["history_keys"]:
        _close(ours[f"history/{key}"], expected[f"history/{key}"], f"{name}: history[{key!r}]")


def check_evaluate_dict(ours, expected, name):
    assert list(ours["evaluate_keys"]) == list(expected["evaluate_keys"]), f"{name}: dict keys"
    keys = list(expected["evaluate_keys"])
    _close(ours["evaluate_dict"], expected["evaluate_dict"], f"{name}: evaluate dict {keys}")


def check_evaluate_list(ours, expected, name):
    _close(ours["evaluate_list"], expected["evaluate_list"], f"{name}: evaluate list")


def _check_arrays(kind):
    def check(ours, expected, name):
        want, got = _listed(expected, kind), _listed(ours, kind)
        assert len(got) == len(want), f"{name}: {len(got)} {kind} arrays, Keras has {len(want)}"
        for index, (mine, theirs) in enumerate(zip(got, want)):
            _close(mine, theirs, f"{name}: {kind}[{index}]")

    return check


CHECKS = {
    "history_keys": check_history_keys,
    "history": check_history,
    "evaluate_dict": check_evaluate_dict,
    "evaluate_list": check_evaluate_list,
    "predict": _check_arrays("predict"),
    "final_weights": _check_arrays("final"),
}


@pytest.mark.parametrize("check", list(CHECKS))
@pytest.mark.parametrize("name", NAMES)
def test_matches_reference(name, check, reference):
    expected = _case_arrays(reference, name)
    CHECKS[check](_ours(name, expected, "reference"), expected, name)


@pytest.mark.parametrize("check", list(CHECKS))
@pytest.mark.parametrize("name", NAMES)
def test_matches_live_keras(name, check, live):
    expected = live[name]
    CHECKS[check](_ours(name, expected, "live"), expected, name)


def test_reference_is_current(reference):
    """The stored file covers exactly the cases of the table, written by Keras 3.15.1."""
    assert str(reference["keras_version"]) == "3.15.1"
    assert sorted({key.split("/")[0] for key in reference if "/" in key}) == NAMES
