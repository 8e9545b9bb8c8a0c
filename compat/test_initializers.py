"""Initializers against real Keras 3.15.1 (`bottom.npz`): seeded values and draw statistics.

Seeded small draws must equal Keras' values (rtol 1e-6, atol 1e-6: a few come from float64
formulas rounded to float32 in a different order). Large seeded draws must reproduce Keras' sample
moments; where Keras' truncated normal kept values outside the bound, torchkeras redraws them, so
only the first two moments are compared, within what those few values can move. Unseeded draws
come from torch's global generator (Keras uses a fixed per-instance seed): they are checked
against Keras' formulas, not its values.
"""

import json
import math

import numpy as np
import pytest

from compat.conformance import check
from compat.tables import load_committed
from torchkeras import initializers

CASES = json.loads(str(load_committed("bottom")["cases"]))


def _build(class_name, config):
    return initializers.get({"class_name": class_name, "config": config})


@pytest.mark.parametrize("key", sorted(CASES["initializers"]))
def test_seeded_values(key, references):
    class_name, config, shape, dtype = CASES["initializers"][key]
    value = _build(class_name, config)(tuple(shape), dtype=dtype)
    expected = references("bottom")[f"initializers/{key}"]
    assert value.device.type == "cpu"
    assert str(value.dtype) == f"torch.{expected.dtype}"
    check(f"initializers.{class_name}", key, "values", value.numpy(), expected, atol=1e-6)


def _draw(key, **overrides):
    class_name, config, shape = CASES["stats"][key]
    return _build(class_name, {**config, **overrides})(tuple(shape))


def _sample_moments(sample, record):
    """`[mean, std, max |x - formula mean|]` of a draw, as the generator records them."""
    sample = sample.double()
    mean = record[4]
    return np.array([sample.mean(), sample.std(unbiased=False), (sample - mean).abs().max()])


@pytest.mark.parametrize("key", sorted(CASES["stats"]))
def test_seeded_large_draw_statistics(key, references):
    record = references("bottom")[f"stats/{key}"]
    name = f"initializers.{CASES['stats'][key][0]}"
    observed = _sample_moments(_draw(key), record)
    keras_moments, outside, bound = record[:3], record[3], record[6]
    if outside == 0:
        check(name, f"stats/{key}", "moments", observed, keras_moments, rtol=1e-5, atol=1e-7)
    else:
        # Keras kept `outside` untruncated values; torchkeras redraws just those elements.
        n = math.prod(CASES["stats"][key][2])
        atol = 10 * bound * outside / n
        check(name, f"stats/{key}", "mean, std", observed[:2], keras_moments[:2], 0, atol)
        assert observed[2] < bound < keras_moments[2]


def _check_against_formula(moments, key, record, outside=0):
    """Sample `[mean, std, spread]` against Keras' formula `[mean, std, bound]`."""
    n = math.prod(CASES["stats"][key][2])
    mean, std, spread = moments
    expected_mean, expected_std, bound = record[4:]
    assert abs(mean - expected_mean) < 5 * expected_std / math.sqrt(n)
    assert abs(std - expected_std) < 0.02 * expected_std
    assert spread <= bound * (1 + 1e-6) or 0 < outside < 1e-4 * n


@pytest.mark.parametrize("key", sorted(CASES["stats"]))
def test_keras_statistics_follow_the_formulas(key, references):
    record = references("bottom")[f"stats/{key}"]
    _check_against_formula(record[:3], key, record, outside=record[3])


@pytest.mark.parametrize("key", sorted(CASES["stats"]))
def test_unseeded_draws_follow_the_formulas(key, references):
    record = references("bottom")[f"stats/{key}"]
    _check_against_formula(_sample_moments(_draw(key, seed=None), record), key, record)
