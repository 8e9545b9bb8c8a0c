"""Metrics against real Keras 3.15.1 (`metrics.npz`, `compat/make_metric_references.py`).

Every case of `tests/metrics/metric_cases.py` and each of its sample weightings feeds three
batches and compares `result()` after each; configs must equal Keras' (floats to float32
precision) and survive `from_config`; function forms compare their output on the first batch.
Tolerance rtol = atol = 1e-6: both sides run float32 kernels, but summation order differs (AUC's
bucketed cumulative sums, F1's per-class sums), which moves results by a few float32 ulps.
"""

import json

import numpy as np
import pytest

import torchkeras.metrics as tk_metrics
from compat.conformance import check, check_equal
from compat.tables import metric_cases
from torchkeras.utils import naming

# Keras and torchkeras both warn when IoU's int32 confusion matrix truncates float weights.
pytestmark = pytest.mark.filterwarnings("ignore:You are passing weight as `float`")
WEIGHTED_CASES = [
    pytest.param(case, weighting, id=f"{case.name}-{weighting}")
    for case in metric_cases.CASES
    for weighting in case.weightings
]


def _inputs(refs):
    inputs = {}
    for name, value in refs.items():
        if name.startswith("input/"):
            _, kind, key = name.split("/")
            inputs.setdefault(kind, {})[key] = value
    return inputs


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist"):
        return _jsonable(np.asarray(value).tolist())
    return value


def _config_equal(name, case, actual, expected, path="config"):
    """Equal structure and values; floats equal to float32 precision (Keras keeps some float32)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        check_equal(name, case, path + " keys", sorted(actual), sorted(expected))
        for key in expected:
            _config_equal(name, case, actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list) and isinstance(actual, list) and len(actual) == len(expected):
        for i, (a, e) in enumerate(zip(actual, expected)):
            _config_equal(name, case, a, e, f"{path}[{i}]")
    elif isinstance(expected, float) and isinstance(actual, (int, float)) and not isinstance(
        actual, bool
    ):
        check(name, case, path, actual, expected)
    else:
        check_equal(name, case, path, (type(actual), actual), (type(expected), expected))


def test_inputs_are_reproducible(references):
    stored = _inputs(references("metrics"))
    for kind, batches in metric_cases.make_inputs().items():
        for key, value in batches.items():
            np.testing.assert_array_equal(stored[kind][key], value, err_msg=f"{kind}/{key}")


@pytest.mark.parametrize("case, weighting", WEIGHTED_CASES)
def test_metric_results(case, weighting, references):
    refs = references("metrics")
    actual = metric_cases.run(tk_metrics, case, _inputs(refs)[case.data], weighting)
    expected = refs[f"result/{case.name}/{weighting}"]
    public = f"metrics.{case.class_name}"
    check(public, case.name, f"result/{weighting}", actual, expected, atol=1e-6)


@pytest.mark.parametrize("case", metric_cases.CASES, ids=lambda c: c.name)
def test_metric_config(case, references):
    naming.reset_names()
    metric = getattr(tk_metrics, case.class_name)(**case.kwargs)
    expected = json.loads(str(references("metrics")[f"config/{case.name}"]))
    public = f"metrics.{case.class_name}"
    _config_equal(public, case.name, _jsonable(metric.get_config()), expected)
    clone = type(metric).from_config(metric.get_config())
    _config_equal(public, case.name, _jsonable(clone.get_config()), expected)


@pytest.mark.parametrize("fn_case", metric_cases.FUNCTION_CASES, ids=metric_cases.function_id)
def test_metric_function(fn_case, references):
    refs = references("metrics")
    key = metric_cases.function_id(fn_case)
    actual = metric_cases.run_function(tk_metrics, fn_case, _inputs(refs)[fn_case[1]])
    check(f"metrics.{fn_case[0]}", key, "output", actual, refs[f"function/{key}"], atol=1e-6)
