"""Keras masks against real Keras 3 (torch backend): `supports_masking` of every exported layer,
and masked losses and metrics in `fit` / `evaluate` / `predict` (see also test_masking.py)."""

import inspect
import os
import warnings

import numpy as np
import pytest
import torch
from case_families import ALL_CASES

import torchkeras
import torchkeras.layers as tk_layers
from torchkeras.layers.core.masking import Masking
from torchkeras.layers.layer import Layer

os.environ.setdefault("KERAS_BACKEND", "torch")
try:
    import keras
except ImportError:  # the reference comparisons are skipped without real Keras
    keras = None

needs_keras = pytest.mark.skipif(keras is None, reason="real keras is not installed")


def masked(x, mask):
    x._keras_mask = mask
    return x


# ---- supports_masking of every exported layer ---------------------------------------------------
def _exported_layers():
    classes = {}
    for name in dir(tk_layers):
        value = getattr(tk_layers, name)
        if inspect.isclass(value) and issubclass(value, Layer):
            classes.setdefault(value, name)
    return sorted(classes.items(), key=lambda item: item[1])


# Constructor arguments of classes without a case in the case tables.
# A callable gets the layer namespace (Keras' `keras.layers`, or torchkeras' for None).
_KWARGS = {
    "InputLayer": {"shape": (3,)},
    "LSTMCell": {"units": 2},
    "StackedRNNCells": lambda layers: {"cells": [(layers or tk_layers).GRUCell(2)]},
    "Wrapper": lambda layers: {"layer": (layers or tk_layers).Dense(2)},
    "MaxNumBoundingBoxes": {"max_number": 2},
    "HashedCrossing": {"num_bins": 4},
}


def _kwargs(cls, name, layers):
    """Arguments for `cls` (from `_KWARGS` or its first case), built from `layers`' classes."""
    if name in _KWARGS:
        entry = _KWARGS[name]
        return entry(layers) if callable(entry) else dict(entry)
    for case in ALL_CASES:
        if case.cls is cls:
            return case.make_kwargs(layers)
    return {}


@needs_keras
@pytest.mark.parametrize(
    ("cls", "name"), _exported_layers(), ids=lambda v: getattr(v, "__name__", v)
)
def test_supports_masking_matches_keras(cls, name):
    try:
        ours = cls(**_kwargs(cls, name, None))
    except TypeError as error:
        pytest.fail(f"{name}: add its constructor arguments to _KWARGS ({error})")
    try:
        theirs = getattr(keras.layers, name)(**_kwargs(cls, name, keras.layers))
    except ImportError as error:  # Keras' lookup and text layers need TensorFlow
        pytest.skip(f"Keras' {name} cannot be built here: {error}")
    assert ours.supports_masking == theirs.supports_masking


@needs_keras
def test_supports_masking_of_configurable_layers_matches_keras():
    for module in (torchkeras.layers, keras.layers):
        assert module.Embedding(5, 2, mask_zero=True).supports_masking
        assert not module.Embedding(5, 2).supports_masking
        assert module.Lambda(lambda x: x, mask=lambda x, m: m).supports_masking
        assert not module.Lambda(lambda x: x).supports_masking
    assert Masking().supports_masking and keras.layers.Masking().supports_masking


# ---- masked losses and metrics in fit -------------------------------------------------------------
def _sequence_data():
    rng = np.random.default_rng(0)
    ids = rng.integers(1, 10, size=(8, 5))
    ids[0, 3:], ids[1, 1:], ids[2, 4], ids[5, 2:] = 0, 0, 0, 0
    labels = rng.integers(0, 3, size=(8, 5))
    weights = rng.uniform(0.5, 2.0, size=(8, 5)).astype("float32")
    return ids, labels, weights


def _fit(module, weights, ids, labels, sample_weight):
    model = module.Sequential(
        [
            module.Input((5,), dtype="int32"),
            module.layers.Embedding(10, 4, mask_zero=True),
            module.layers.Dense(6, activation="relu"),
            module.layers.Dense(3),
        ]
    )
    model.set_weights(weights)
    model.compile(
        optimizer=module.optimizers.SGD(0.5),
        loss=module.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    extra = {} if sample_weight is None else {"sample_weight": sample_weight}
    history = model.fit(ids, labels, batch_size=4, epochs=3, shuffle=False, verbose=0, **extra)
    result = model.evaluate(ids, labels, batch_size=4, verbose=0, return_dict=True, **extra)
    return history.history, result, model.predict(ids, verbose=0)


@needs_keras
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "temporal_weights"])
def test_masked_fit_loss_and_metrics_match_keras(weighted):
    ids, labels, sample_weight = _sequence_data()
    sample_weight = sample_weight if weighted else None
    keras.utils.set_random_seed(7)
    weights = keras.Sequential(
        [
            keras.Input((5,), dtype="int32"),
            keras.layers.Embedding(10, 4, mask_zero=True),
            keras.layers.Dense(6, activation="relu"),
            keras.layers.Dense(3),
        ]
    ).get_weights()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = _fit(keras, weights, ids, labels, sample_weight)
    ours = _fit(torchkeras, weights, ids, labels, sample_weight)
    assert sorted(ours[0]) == sorted(theirs[0])
    for key in theirs[0]:
        np.testing.assert_allclose(ours[0][key], theirs[0][key], rtol=1e-5, atol=1e-7)
    for key in theirs[1]:
        np.testing.assert_allclose(ours[1][key], theirs[1][key], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-5, atol=1e-6)


def test_masked_loss_is_the_mean_over_unmasked_steps_and_keeps_sample_weights():
    y_pred = torch.randn(2, 3, 4)
    y_true = torch.randint(0, 4, (2, 3))
    mask = torch.tensor([[True, True, False], [True, False, False]])
    weights = torch.rand(2, 3)
    loss = torchkeras.losses.SparseCategoricalCrossentropy(from_logits=True)
    per_step = torch.nn.functional.cross_entropy(y_pred.transpose(1, 2), y_true, reduction="none")
    expected = (per_step * mask * weights).sum() / mask.sum()
    given = weights.clone()
    torch.testing.assert_close(loss(y_true, masked(y_pred, mask), sample_weight=given), expected)
    assert torch.equal(given, weights)  # Keras multiplies the caller's tensor in place; we do not
