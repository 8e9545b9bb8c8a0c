"""Compares two JSON-able records leaf by leaf through `conformance.check` / `check_equal`."""

import numpy as np

from compat.conformance import check, check_equal

RTOL, ATOL = 1e-6, 1e-7


def _numeric(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _numeric_array(value):
    try:
        array = np.asarray(value)
    except ValueError:  # ragged
        return None
    return array if array.dtype.kind in "biuf" and array.size else None


def compare(name, case, path, actual, expected, rtol=RTOL, atol=ATOL):
    """Walks two JSON-able records; records each leaf with `check` / `check_equal`."""
    if isinstance(expected, dict):
        check_equal(name, case, f"{path} keys", sorted(actual), sorted(expected))
        for key in sorted(expected):
            compare(name, case, f"{path}.{key}", actual[key], expected[key], rtol, atol)
    elif isinstance(expected, list):
        check_equal(name, case, f"{path} type", type(actual).__name__, "list")
        wanted, got = _numeric_array(expected), _numeric_array(actual)
        if wanted is not None and got is not None:
            check(name, case, path, got, wanted, rtol=rtol, atol=atol)
            return
        check_equal(name, case, f"{path} length", len(actual), len(expected))
        for index, (mine, theirs) in enumerate(zip(actual, expected)):
            compare(name, case, f"{path}[{index}]", mine, theirs, rtol, atol)
    elif _numeric(expected) and _numeric(actual):
        check(name, case, path, actual, expected, rtol=rtol, atol=atol)
    else:
        check_equal(name, case, path, actual, expected)
