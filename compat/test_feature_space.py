"""torchkeras' FeatureSpace and HashedCrossing against Keras' recorded values (TF backend).

The references come from `make_feature_space_references.py`; the scenarios, shared with
it, from `feature_space_cases.py`. Encodings are integers and one-hots (exact); normalized
floats come from batch-merged moments, so they get a float32 tolerance.
"""

import json
import types
from pathlib import Path

import numpy as np
import pytest

from compat import feature_space_cases as cases
from torchkeras.layers.preprocessing.feature_space import FeatureSpace
from torchkeras.layers.preprocessing.hashed_crossing import HashedCrossing
from torchkeras.saving.api import load_model
from torchkeras.saving.serialization import serialize_keras_object

PATH = Path(__file__).resolve().parent / "references" / "feature_space.npz"
LAYERS = types.SimpleNamespace(HashedCrossing=HashedCrossing)
# Normalization's mean/variance merge float32 batch moments in another order than TF's.
RTOL, ATOL = 1e-5, 1e-6


@pytest.fixture(scope="module")
def keras_values():
    with np.load(PATH, allow_pickle=False) as refs:
        return {key: refs[key] for key in refs.files}


def _compare(got, keras_values, prefix):
    expected = {k[len(prefix) + 1 :]: v for k, v in keras_values.items() if k.startswith(prefix + "/")}
    assert sorted(got) == sorted(expected)
    for key, value in expected.items():
        mine = np.asarray(got[key])
        assert mine.shape == value.shape, key
        if value.dtype.kind in "fc":
            np.testing.assert_allclose(mine, value, rtol=RTOL, atol=ATOL, err_msg=key)
        else:
            np.testing.assert_array_equal(mine.astype(value.dtype), value, err_msg=key)


@pytest.mark.parametrize("scenario", sorted(cases.SCENARIOS))
def test_scenario_matches_keras(scenario, keras_values):
    got = cases.SCENARIOS[scenario](FeatureSpace, LAYERS, lambda batches: batches)
    _compare(got, keras_values, scenario)


def test_loads_a_keras_file(keras_values, tmp_path):
    path = tmp_path / "space.keras"
    path.write_bytes(keras_values["file/keras_file"].tobytes())
    fs = load_model(path)
    assert isinstance(fs, FeatureSpace)
    _, data = cases.file_space(FeatureSpace)
    np.testing.assert_allclose(np.asarray(fs(data)), keras_values["file/out"], rtol=RTOL, atol=ATOL)


def test_config_equals_keras(keras_values):
    fs, _ = cases.file_space(FeatureSpace)
    config = json.loads(json.dumps(cases.without_names(serialize_keras_object(fs))))
    assert config == json.loads(str(keras_values["file/config"]))


def test_keras_version(keras_values):
    assert str(keras_values["keras_version"]) == "3.15.1"
