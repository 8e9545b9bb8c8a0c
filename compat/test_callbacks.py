"""Callbacks against real Keras 3.15.1 (`callbacks.json`, `tensorboard.json`).

Each case of `compat/make_callback_references.py` (and TensorBoard's of
`compat/make_tensorboard_references.py`) trains the same seeded model with one callback in
torchkeras and compares what the callback produced with what Keras' did, leaf by leaf: History
values and epochs, EarlyStopping's `stopped_epoch` / `best` / `best_epoch` / `wait` and restored
weights, ReduceLROnPlateau / LearningRateScheduler learning rates, CSV headers and rows,
ModelCheckpoint file names (epoch / batch / metric formatting, save_best_only, thresholds) and the
weights or predictions loaded back from the last file, the hooks (with indices and log keys) a
recording Callback sees in fit / evaluate / predict and through a CallbackList, TerminateOnNaN's
last batch, ProgbarLogger's printed lines (timings masked), EMA-swapped validation, TensorBoard's
scalar tags, steps and values. Strings, counts and structure must be equal; numbers within
rtol 1e-5, atol 1e-7: several epochs of float32 training compound the ~1e-7 differences of
single steps, as in `test_fit.py`.

Deliberate differences, compared against what torchkeras does instead:
- BackupAndRestore resumes at the batch after the backup and restores the History of the epochs
  finished before the interruption (see its docstring); Keras restarts the interrupted epoch and
  its History holds only the epochs run after resuming. Compared: the resumed epochs' History
  (ours' tail), the final weights, and that the resumed run equals the uninterrupted one; not the
  backup folder's file names (each library's own layout).
- TensorBoard with `update_freq=N`: Keras 3.15.1 wraps the whole of training in
  `tf.summary.record_if(global_batch % N == 0)`, so its epoch summaries are dropped unless an
  epoch ends on such a batch; torchkeras writes every epoch's. Compared at the steps Keras kept.
"""

import importlib.util
import json

import pytest

import torchkeras
from compat import make_callback_references as generator
from compat import make_tensorboard_references as tensorboard_generator
from compat.conformance import check_equal
from compat.record_compare import compare

RTOL = 1e-5
# Keras' torch backend hands numpy a tensor without `copy=`: numpy 2 warns on every read.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _configurations(table, family):
    return [(family, case) for case in sorted(table)]


CASES = _configurations(generator.CASES, "callbacks") + _configurations(
    tensorboard_generator.CASES, "tensorboard")


def _backup_and_restore(ours, expected):
    """Ours with the History of the epochs Keras did not rerun cut off (see top)."""
    for key, theirs in expected.items():
        if "epoch" not in theirs:
            continue
        kept = len(theirs["epoch"])
        mine = ours[key]
        check_equal("callbacks.BackupAndRestore", key, "resumed epochs", mine["epoch"][-kept:],
                    theirs["epoch"])
        mine["epoch"] = theirs["epoch"]
        mine["history"] = {k: v[-kept:] for k, v in mine["history"].items()}
        mine["files_left"] = theirs["files_left"]
    straight = ours["uninterrupted"]
    for key in ("epoch", "keep"):
        compare("callbacks.BackupAndRestore", key, "weights == uninterrupted run",
                ours[key]["weights"], straight["weights"], RTOL)
    return ours


def _tensorboard(ours, expected):
    """Ours' epoch scalars at the steps Keras kept under its `record_if` (see top)."""
    for key, runs in expected.items():
        for run, tags in runs.items():
            for tag, values in tags.items():
                if tag.startswith("epoch_"):
                    steps = {step for step, _ in values}
                    ours[key][run][tag] = [v for v in ours[key][run][tag] if v[0] in steps]
    return ours


ADJUST = {"backup_and_restore": _backup_and_restore, "tensorboard": _tensorboard}
# case -> {key of its record: why torchkeras differs from Keras 3.15.1 there}
KNOWN_MISMATCHES = {}  # case -> {key: why torchkeras differs from Keras 3.15.1 there}
_RUNS = {}  # case -> our record as JSON text, shared by test_callback and test_known_mismatch


def _records(family, case, references):
    table = generator.CASES if family == "callbacks" else tensorboard_generator.CASES
    expected = json.loads(json.dumps(references(family)["cases"][case]))
    if case not in _RUNS:
        _RUNS[case] = json.dumps(generator.run_case(torchkeras, table, case))
    return table, json.loads(_RUNS[case]), expected


@pytest.mark.parametrize("family, case", CASES)
def test_callback(family, case, references):
    if family == "tensorboard":
        pytest.importorskip("tensorboard")
        if references.live and importlib.util.find_spec("tensorflow") is None:
            pytest.skip("live: Keras' TensorBoard callback needs TensorFlow, not installed")
    table, ours, expected = _records(family, case, references)
    for key in KNOWN_MISMATCHES.get(case, {}):  # compared by test_known_mismatch
        ours.pop(key), expected.pop(key)
    ours = ADJUST.get(case, lambda mine, _: mine)(ours, expected)
    public = table[case][0]
    if case not in generator.PER_CONFIGURATION:
        compare(public, case, "record", ours, expected, RTOL)
        return
    check_equal(public, case, "configurations", sorted(ours), sorted(expected))
    for key in sorted(expected):
        compare(public, f"{case}/{key}", "record", ours[key], expected[key], RTOL)


@pytest.mark.parametrize("case, key", [
    pytest.param(case, key, marks=pytest.mark.xfail(strict=True, reason=reason),
                 id=f"{case}-{key}")
    for case, keys in sorted(KNOWN_MISMATCHES.items())
    for key, reason in sorted(keys.items())
])
def test_known_mismatch(case, key, references):
    table, ours, expected = _records("callbacks", case, references)
    compare(table[case][0], case, key, ours[key], expected[key], RTOL)


@pytest.mark.parametrize("family", ["callbacks", "tensorboard"])
def test_reference_is_current(family, references, live):
    refs = references(family) if not live or family == "callbacks" else None
    if refs is None:
        pytest.skip("live TensorBoard references need TensorFlow")
    if not live:
        assert refs["keras_version"] == "3.15.1"
    table = generator.CASES if family == "callbacks" else tensorboard_generator.CASES
    assert sorted(refs["cases"]) == sorted(table)
