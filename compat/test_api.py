"""`get` / `serialize` / `deserialize`, custom bases and utils against Keras 3.15.1 (`api.json`).

Every family's `get`, `serialize` and `deserialize` (`compat/api_cases.py`): what `get` returns
for names, class names, config dicts and None; the configs `serialize` writes; and what
`deserialize` makes of the configs *Keras* wrote. Then one custom subclass per public base and
the utils (`compat/api_custom_cases.py`, `compat/api_training_cases.py`), leaf by leaf. Strings,
bools, None and structure must be equal; numbers within rtol 1e-6, atol 1e-7 (configs Keras keeps
as float32, `L1(0.2)` -> 0.20000000298, compare at that precision), or rtol 1e-5, atol 1e-7 for
the cases that train (two or three epochs compound ~1e-7 differences, as in `test_fit.py`).
`set_random_seed` (Python's, NumPy's and torch's first draws after it, and seeded initializer
draws), `to_categorical` and `clear_session` must be bit-identical. Unseeded initializer draws
after `set_random_seed` are not: Keras gives each unseeded initializer a seed of its own, torchkeras
draws from torch's global generator (`compat/known_differences.md`).

Where Keras 3.15.1 is wrong, torchkeras is compared with the right behaviour instead:
`metrics.deserialize` of the config `metrics.serialize` writes for a function raises `TypeError`
in Keras (it maps the name to the metric class, then finds a string config); torchkeras returns
the function. Keras' torch backend writes its optimizers from backend subclasses
(`module: keras.src.backend.torch.optimizers...`); both sides are compared in the backend-neutral
form `keras.optimizers` that Keras' other backends write (`api_cases.canonical`).
"""

import json

import pytest

import torchkeras
from compat import api_cases
from compat import make_api_references as generator
from compat.conformance import check_equal
from compat.record_compare import RTOL, compare

TRAINING_RTOL = 1e-5
# bit-identical: the global streams and seeded initializer draws right after set_random_seed
EXACT_CASES = {"set_random_seed", "clear_session", "to_categorical"}
TRAINING_CASES = {"custom_metric_rmse", "custom_regularizer", "custom_constraint", "py_dataset"}
FAMILY_KINDS = [
    (family, kind)
    for family in api_cases.SERIALIZE_OBJECTS
    for kind in ("get", "serialize", "deserialize")
    if kind != "get" or family in api_cases.GET_IDENTIFIERS
]


def _keras_fixed(family, configs, records):
    """Keras' deserialize records, with its function-config `TypeError` replaced (see top)."""
    fixed = []
    for config, record in zip(configs, records):
        if family == "metrics" and record == {"error": "TypeError"}:
            assert config["class_name"] == "function", config
            record = {"function": config["config"]}
        fixed.append(record)
    return fixed


@pytest.mark.parametrize("family, kind", FAMILY_KINDS)
def test_serialization(family, kind, references):
    expected = references("api")["serialization"][family]
    if kind == "get":
        ours = api_cases.get_record(torchkeras, family)
    elif kind == "serialize":
        ours = api_cases.serialize_record(torchkeras, family)
    else:
        keras_configs = expected["serialize"]
        ours = api_cases.deserialize_record(torchkeras, family, keras_configs)
        expected = {kind: _keras_fixed(family, keras_configs, expected[kind])}
    # JSON turns tuples into lists: compare ours as the file holds it
    ours = json.loads(json.dumps(ours))
    public = f"{family}.{kind}"
    for index, (mine, theirs) in enumerate(zip(ours, expected[kind])):
        compare(public, f"{kind}[{index}]", "record", mine, theirs)
    check_equal(public, kind, "number of objects", len(ours), len(expected[kind]))


_CUSTOM_MODULE = (
    "torchkeras serializes an unregistered custom object with the module of its base's family "
    "(`keras.constraints`) and registered_name None; Keras writes the class' own `__module__` "
    "and registered_name = the class name"
)
# case -> {path in its record: why torchkeras differs from Keras 3.15.1 there}
KNOWN_MISMATCHES = {
}
KNOWN = [
    pytest.param(case, path, marks=pytest.mark.xfail(strict=True, reason=reason),
                 id=f"{case}-{path}")
    for case, paths in sorted(KNOWN_MISMATCHES.items())
    for path, reason in sorted(paths.items())
]


def _pop(record, path):
    """Removes `record[a][b]` for the path `"a.b"` and returns it."""
    *parents, last = path.split(".")
    for key in parents:
        record = record[key]
    return record.pop(last)


_RUNS = {}  # case -> our record as JSON text: test_case and test_known_mismatch share one run


def _records(case, references):
    expected = json.loads(json.dumps(references("api")["cases"][case]))
    if case not in _RUNS:
        _RUNS[case] = json.dumps(generator.run_case(torchkeras, case))
    return json.loads(_RUNS[case]), expected


# case -> {path: (torchkeras' value, Keras' value)}: deliberate differences, each listed with
# its reason in compat/known_differences.md; both sides are checked to be exactly these.
DELIBERATE = {"custom_object_scope": {"outside_deserialize": ("ValueError", "TypeError")}}


@pytest.mark.parametrize("case", sorted(generator.CASES))
def test_case(case, references):
    ours, expected = _records(case, references)
    for path in KNOWN_MISMATCHES.get(case, {}):  # compared by test_known_mismatch
        _pop(ours, path), _pop(expected, path)
    for path, (mine, theirs) in DELIBERATE.get(case, {}).items():
        assert (_pop(ours, path), _pop(expected, path)) == (mine, theirs), (case, path)
    if case in EXACT_CASES:
        compare(generator.CASES[case][0], case, "record", ours, expected, rtol=0.0, atol=0.0)
        return
    rtol = TRAINING_RTOL if case in TRAINING_CASES else RTOL
    compare(generator.CASES[case][0], case, "record", ours, expected, rtol)


@pytest.mark.parametrize("case, path", KNOWN)
def test_known_mismatch(case, path, references):
    ours, expected = _records(case, references)
    public = generator.CASES[case][0]
    compare(public, case, path, _pop(ours, path), _pop(expected, path))


def test_schedules_submodule_has_every_keras_name(references):
    expected = references("api")["submodules"]["optimizers.schedules"]
    ours = generator.public_names(torchkeras.optimizers.schedules)
    missing = [name for name in expected if name not in ours]
    check_equal("optimizers.schedules", "public names", "missing from torchkeras", missing, [])


def test_reference_is_current(references, live):
    refs = references("api")
    if not live:
        assert refs["keras_version"] == "3.15.1"
    assert sorted(refs["cases"]) == sorted(generator.CASES)
