"""pytest setup of the compat suite: committed references or live Keras, and the results file.

`pytest compat` compares torchkeras with the references committed in `compat/references/`;
`pytest compat --live` (or `TORCHKERAS_COMPAT_LIVE=1`) computes Keras' values in-process instead,
with real Keras 3 on its torch backend, skipping with the reason when it is missing. With
`TORCHKERAS_COMPAT_RECORD=1` the session writes `compat/results.json`: per public name, the number
of cases compared and the worst relative deviation (`compat/make_report.py` reads it).
"""

import json
import os
import warnings
from pathlib import Path

import pytest

import torchkeras
from compat import conformance, tables

RESULTS = Path(__file__).resolve().parent / "results.json"


def pytest_addoption(parser):
    parser.addoption(
        "--live",
        action="store_true",
        default=False,
        help="compat: compare with real Keras computed in-process, not the committed references",
    )


def is_live(config):
    return config.getoption("--live", default=False) or os.environ.get(
        "TORCHKERAS_COMPAT_LIVE"
    ) == "1"


def import_real_keras():
    """Real Keras 3 on its torch backend, or a pytest skip that says why not."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        import keras  # noqa: PLC0415  (optional: only the live mode needs it)
    except ImportError:
        pytest.skip("--live needs real Keras 3 (pip install keras==3.15.1); it is not installed")
    if "torchkeras" in (keras.__file__ or "") or not hasattr(keras, "__version__"):
        pytest.skip(f"--live needs real Keras 3, `import keras` gives {keras.__file__}")
    if keras.backend.backend() != "torch":
        pytest.skip(f"--live needs KERAS_BACKEND=torch, Keras runs on {keras.backend.backend()!r}")
    return keras


class References:
    """Per family, the Keras values the tests compare with: committed, or computed live."""

    def __init__(self, live):
        self.live = live
        self._cache = {}

    def __call__(self, family):
        if family not in self._cache:
            if self.live:
                keras = import_real_keras()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # Keras' own deprecation warnings
                    self._cache[family] = tables.SOURCES[family][1](keras)
            else:
                self._cache[family] = tables.load_committed(family)
        return self._cache[family]


@pytest.fixture(scope="session")
def references(pytestconfig):
    """`references(family)`: `{key: value}` of the committed file, or Keras' live values."""
    return References(is_live(pytestconfig))


@pytest.fixture(scope="session")
def live(pytestconfig):
    return is_live(pytestconfig)


@pytest.fixture(autouse=True)
def fresh_session():
    """Auto names restart at `dense`, `dense_1` ... and random draws repeat, in every test."""
    torchkeras.backend.clear_session(free_memory=False)
    torchkeras.utils.set_random_seed(0)
    yield


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("TORCHKERAS_COMPAT_RECORD") != "1":
        return
    results = {
        "live": is_live(session.config),
        "exitstatus": int(exitstatus),
        "names": conformance.summary(),
    }
    RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", encoding="utf-8")
