"""Every metric case of `metric_cases.py` against real Keras' numbers.

The stored references (`compat/references/metrics.npz`, written by
`compat/make_metric_references.py`) are always checked; when Keras itself imports, the same cases
also run live beside it.
"""

import json
import os
import pathlib

import numpy as np
import pytest

import metric_cases
import torchkeras.metrics as tk_metrics
from torchkeras.utils import naming

REFERENCE = pathlib.Path(__file__).resolve().parents[2] / "compat" / "references" / "metrics.npz"
# Both sides run float32 kernels; summation order differs (e.g. AUC's bucketed cumulative sums,
# F1's per-class sums), which moves results by a few float32 ulps: 1e-6 covers that.
RTOL = ATOL = 1e-6

# Keras and torchkeras both warn when IoU's int32 confusion matrix truncates float weights.
pytestmark = pytest.mark.filterwarnings("ignore:You are passing weight as `float`")

WEIGHTED_CASES = [
    pytest.param(case, weighting, id=f"{case.name}-{weighting}")
    for case in metric_cases.CASES
    for weighting in case.weightings
]


def _load_reference():
    with np.load(REFERENCE, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    inputs = {}
    for name, value in arrays.items():
        if name.startswith("input/"):
            _, kind, key = name.split("/")
            inputs.setdefault(kind, {})[key] = value
    return arrays, inputs


ARRAYS, INPUTS = _load_reference()


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    module = pytest.importorskip("keras")
    if module.backend.backend() != "torch":
        pytest.skip("real Keras is not on its torch backend")
    return module


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist"):
        return _jsonable(np.asarray(value).tolist())
    return value


def assert_config_equal(actual, expected, path="config"):
    """Equal structure and values; floats equal to float32 precision (Keras keeps some float32)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and sorted(actual) == sorted(expected), path
        for key in expected:
            assert_config_equal(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), path
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_config_equal(a, e, f"{path}[{i}]")
    elif isinstance(expected, float) and not isinstance(actual, bool):
        assert actual == pytest.approx(expected, rel=1e-6), path
    else:
        assert actual == expected and type(actual) is type(expected), path


def test_inputs_are_reproducible():
    fresh = metric_cases.make_inputs()
    for kind, batches in fresh.items():
        for key, value in batches.items():
            np.testing.assert_array_equal(INPUTS[kind][key], value, err_msg=f"{kind}/{key}")


@pytest.mark.parametrize("case, weighting", WEIGHTED_CASES)
def test_result_matches_reference(case, weighting):
    expected = ARRAYS[f"result/{case.name}/{weighting}"]
    actual = metric_cases.run(tk_metrics, case, INPUTS[case.data], weighting)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", metric_cases.CASES, ids=lambda c: c.name)
def test_config_matches_reference(case):
    naming.reset_names()
    metric = getattr(tk_metrics, case.class_name)(**case.kwargs)
    expected = json.loads(str(ARRAYS[f"config/{case.name}"]))
    assert_config_equal(_jsonable(metric.get_config()), expected)
    clone = type(metric).from_config(metric.get_config())
    assert_config_equal(_jsonable(clone.get_config()), expected)


@pytest.mark.parametrize("fn_case", metric_cases.FUNCTION_CASES, ids=metric_cases.function_id)
def test_function_matches_reference(fn_case):
    expected = ARRAYS[f"function/{metric_cases.function_id(fn_case)}"]
    actual = metric_cases.run_function(tk_metrics, fn_case, INPUTS[fn_case[1]])
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", metric_cases.CASES, ids=lambda c: c.name)
def test_live_against_keras(keras, case):
    inputs = INPUTS[case.data]
    for weighting in case.weightings:
        expected = metric_cases.run(keras.metrics, case, inputs, weighting)
        actual = metric_cases.run(tk_metrics, case, inputs, weighting)
        np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL)
