"""keras.utils.to_categorical / normalize, checked against real Keras when it is installed."""

import importlib
import os

import numpy as np
import pytest

import torchkeras as keras


def test_to_categorical_shapes_and_values():
    np.testing.assert_array_equal(
        keras.utils.to_categorical([0, 2, 1]), np.eye(3, dtype="float32")[[0, 2, 1]]
    )
    assert keras.utils.to_categorical(np.zeros((4, 1)), num_classes=5).shape == (4, 5)
    assert keras.utils.to_categorical(np.zeros((2, 3)), num_classes=4).shape == (2, 3, 4)
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        keras.utils.to_categorical([0, 3], num_classes=3)


def test_normalize_unit_norm_and_zero_rows():
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(keras.utils.normalize(x), [[0.6, 0.8], [0.0, 0.0]])


def test_matches_keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        real = importlib.import_module("keras")
    except ImportError:
        pytest.skip("real Keras is not installed")
    labels = np.array([[1], [0], [3]])
    np.testing.assert_array_equal(
        keras.utils.to_categorical(labels), real.utils.to_categorical(labels)
    )
    x = np.random.default_rng(0).random((3, 4))  # (Keras 3.15.1 turns axis=0 into -1)
    np.testing.assert_allclose(
        keras.utils.normalize(x, axis=1), np.asarray(real.utils.normalize(x, axis=1)), rtol=1e-6
    )
