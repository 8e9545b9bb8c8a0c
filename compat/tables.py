"""The case tables the compat suite shares with `tests/`, and where each family's Keras values live.

The tables stay beside the unit tests that also run them (`tests/<family>/*_cases.py`, imported
there by their bare module names); this module puts those folders on `sys.path` once, so the compat
tests import the very same modules: `from compat.tables import layer_families`.
`SOURCES` maps each reference family to its committed file and to the function of its generator
that computes the same `{key: value}` with real Keras in-process (the `--live` mode).
"""

import importlib
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCES = ROOT / "compat" / "references"
for _folder in ("layers", "metrics", "optimizers", "models", "trainer", "random_ops", "ops"):
    if str(ROOT / "tests" / _folder) not in sys.path:
        sys.path.insert(0, str(ROOT / "tests" / _folder))

layer_families = importlib.import_module("case_families")  # tests/layers/case_families.py
metric_cases = importlib.import_module("metric_cases")
optimizer_cases = importlib.import_module("optimizer_cases")
model_cases = importlib.import_module("model_cases")
fit_cases = importlib.import_module("fit_cases")
random_cases = importlib.import_module("random_cases")
op_case = importlib.import_module("op_case")  # tests/ops/op_case.py
ops_cases = importlib.import_module("ops_cases")


def generator(family):
    """The module `compat/make_<family>_references.py`."""
    return importlib.import_module(f"compat.make_{family}_references")


def _optimizers(keras):
    return {**optimizer_cases.keras_references(keras), "keras_version": np.array(keras.__version__)}


def _fit(keras):
    refs = generator("fit").keras_references(keras)
    return {**refs, "keras_version": np.array(keras.__version__)}


def _tensorboard(keras):
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("live: Keras' TensorBoard callback writes through TensorFlow, not installed")
    return generator("tensorboard").references(keras)


def _timeseries(keras):
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("live: Keras' timeseries_dataset_from_array builds a tf.data.Dataset; "
                    "TensorFlow is not installed")
    return generator("timeseries").references(keras)


def _schedule_free(keras):
    if keras.backend.backend() != "jax":  # see compat/make_schedule_free_references.py
        pytest.skip("live: ScheduleFreeAdamW's reference is Keras on JAX, not its torch backend")
    return generator("schedule_free").references(keras)


# family -> (committed file, `keras -> {key: value}` as the generator computes it)
SOURCES = {
    "bottom": ("bottom.npz", lambda keras: generator("bottom").build_references(keras)),
    "losses": ("losses.npz", lambda keras: generator("loss").references(keras)),
    "metrics": ("metrics.npz", lambda keras: generator("metric").references(keras)),
    "optimizers": ("optimizers.npz", _optimizers),
    "models": ("models.json", lambda keras: generator("model").references(keras)),
    "fit": ("fit.npz", _fit),
    "api": ("api.json", lambda keras: generator("api").references(keras)),
    "callbacks": ("callbacks.json", lambda keras: generator("callback").references(keras)),
    "tensorboard": ("tensorboard.json", _tensorboard),
    "timeseries": ("timeseries.json", _timeseries),
    "schedule_free": ("schedule_free.npz", _schedule_free),
    "random": ("random.npz", lambda keras: generator("random").references(keras)),
    "ops": ("ops.npz", lambda keras: generator("ops").references(keras)),
    "ops_image": ("ops_image.npz", lambda keras: generator("ops_image").references(keras)),
}
for _family in [name for name, cases in layer_families.FAMILIES.items() if cases]:
    SOURCES[_family] = (  # a layer family without cases yet has no file
        f"{_family}.npz",
        lambda keras, family=_family: generator("layer").references(keras, family),
    )


def load_committed(family):
    """The committed reference of `family`: `{key: array}` (`.npz`) or the parsed JSON."""
    path = REFERENCES / SOURCES[family][0]
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}
