"""`check`: compare torchkeras with Keras and remember the worst deviation per public name and case.

Every comparison of the suite goes through `check`, so a failure always names the public Keras
name, the case, the quantity and the worst deviation (absolute and relative, with its index), and
`RESULTS` holds, per `(public name, case)`, the worst relative deviation seen in this session;
`compat/conftest.py` writes it to `compat/results.json` for `compat/make_report.py`.
"""

import numpy as np

# (public name, case) -> {"worst_rel": float, "worst_abs": float, "failed": bool}
RESULTS = {}


def record(name, case, worst_rel=0.0, worst_abs=0.0, failed=False):
    """Adds one compared quantity of `case` to the session registry."""
    entry = RESULTS.setdefault((name, case), {"worst_rel": 0.0, "worst_abs": 0.0, "failed": False})
    entry["worst_rel"] = max(entry["worst_rel"], float(worst_rel))
    entry["worst_abs"] = max(entry["worst_abs"], float(worst_abs))
    entry["failed"] = entry["failed"] or failed


def _is_numeric(array):
    return array.dtype.kind in "biufc"


def _fail(name, case, quantity, detail):
    record(name, case, failed=True)
    raise AssertionError(f"{name} [{case}] {quantity}: {detail}")


def _deviations(actual, expected):
    """Elementwise absolute and relative deviations (relative only where `expected` != 0)."""
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    both_nan = np.isnan(a) & np.isnan(e)
    same_inf = np.isinf(e) & (a == e)
    absolute = np.where(both_nan | same_inf, 0.0, np.abs(a - e))
    absolute = np.where(np.isnan(absolute), np.inf, absolute)  # NaN on one side only
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(e != 0, absolute / np.abs(e), np.where(absolute > 0, np.inf, 0.0))
    relative = np.where(both_nan | same_inf, 0.0, relative)
    return a, e, absolute, relative


def check(name, case, quantity, actual, expected, rtol=1e-6, atol=0.0):
    """Asserts `|actual - expected| <= atol + rtol * |expected|` elementwise, and records it.

    Args:
        name: Public Keras name, module-qualified: `"layers.Dense"`, `"losses.Huber"`.
        case: The case id within that name.
        quantity: What is compared: `"output"`, `"grad/kernel"`, `"history/loss"`.
        actual: torchkeras' value (array-like).
        expected: Keras' value (array-like); strings and other non-numbers must be equal.
        rtol, atol: Tolerances, as `numpy.testing.assert_allclose`.

    The recorded relative deviation is the worst `|actual - expected| / |expected|` over the
    elements where the relative tolerance governs, `rtol * |expected| > atol` (near zero, `atol`
    does); a failure reports the worst over all elements.
    """
    actual, expected = np.asarray(actual), np.asarray(expected)
    if actual.shape != expected.shape:
        _fail(name, case, quantity, f"shape {actual.shape} != Keras' {expected.shape}")
    if not (_is_numeric(actual) and _is_numeric(expected)):
        if not np.array_equal(actual, expected):
            detail = f"torchkeras {actual.tolist()!r} != Keras {expected.tolist()!r}"
            _fail(name, case, quantity, detail)
        record(name, case)
        return
    if actual.size == 0:
        record(name, case)
        return
    a, e, absolute, relative = _deviations(actual, expected)
    # Relative deviations count where the relative tolerance governs (rtol * |e| > atol).
    governed = (np.abs(e) * rtol > atol) & np.isfinite(e) if rtol else np.zeros(e.shape, bool)
    finite_rel = np.where(governed, relative, 0.0)
    worst_rel, worst_abs = float(finite_rel.max()), float(absolute.max())
    bad = absolute > atol + rtol * np.abs(np.where(np.isfinite(e), e, 0.0))
    if bad.any():
        at_abs = np.unravel_index(int(np.argmax(absolute)), absolute.shape)
        at_rel = np.unravel_index(int(np.argmax(np.where(bad, relative, -1.0))), relative.shape)
        record(name, case, worst_rel, worst_abs, failed=True)
        raise AssertionError(
            f"{name} [{case}] {quantity}: {int(bad.sum())} of {bad.size} values outside "
            f"rtol={rtol:g}, atol={atol:g}; worst absolute deviation {worst_abs:.3g} at "
            f"{tuple(int(i) for i in at_abs)} (torchkeras {a[at_abs]:.9g}, Keras {e[at_abs]:.9g}); "
            f"worst relative deviation {float(relative[at_rel]):.3g} at "
            f"{tuple(int(i) for i in at_rel)} (torchkeras {a[at_rel]:.9g}, Keras {e[at_rel]:.9g})"
        )
    record(name, case, worst_rel, worst_abs)


def check_equal(name, case, quantity, actual, expected):
    """Asserts exact equality of plain values (keys, configs, shapes), and records it."""
    if actual != expected:
        _fail(name, case, quantity, f"torchkeras {actual!r} != Keras {expected!r}")
    record(name, case)


def summary():
    """`{public name: {"cases", "worst_rel", "worst_abs", "failed"}}` over the session, sorted."""
    names = {}
    for (name, _case), entry in sorted(RESULTS.items()):
        item = names.setdefault(name, dict(cases=0, worst_rel=0.0, worst_abs=0.0, failed=0))
        item["cases"] += 1
        item["worst_rel"] = max(item["worst_rel"], entry["worst_rel"])
        item["worst_abs"] = max(item["worst_abs"], entry["worst_abs"])
        item["failed"] += int(entry["failed"])
    return names
