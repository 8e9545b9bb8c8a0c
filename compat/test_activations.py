"""Activations against real Keras 3.15.1 (`bottom.npz`, `compat/make_bottom_references.py`).

Tolerance rtol 1e-6, atol 1e-6: inputs reach +-88, where exp-based activations are far below
float32 resolution of their neighbours; the absolute floor covers values that round to ~0.
Sparsemax is compared with the fixed formula of keras-team/keras#23469 (Keras 3.15.1 is wrong
when the support has more than one element, keras-team/keras#23425): see `KNOWN_BUGS`.
"""

import json

import numpy as np
import pytest
import torch

from compat.conformance import check
from compat.tables import load_committed
from torchkeras import activations

CASES = json.loads(str(load_committed("bottom")["cases"]))


def _run(key, refs):
    name, kwargs, input_key = CASES["activations"][key]
    return getattr(activations, name)(torch.from_numpy(refs[f"inputs/{input_key}"]), **kwargs)


@pytest.mark.parametrize("key", sorted(CASES["activations"]))
def test_activation(key, references):
    refs = references("bottom")
    out = _run(key, refs)
    assert out.dtype == torch.float32
    name = CASES["activations"][key][0]
    check(f"activations.{name}", key, "output", out.numpy(), refs[f"activations/{key}"], atol=1e-6)


def test_every_keras_activation_has_a_case():
    covered = {name for name, _, _ in CASES["activations"].values()}
    assert set(CASES["names"]["activations"]) <= covered


@pytest.mark.parametrize("key", sorted(k for k in CASES["activations"] if "sparsemax" in k))
def test_sparsemax_differs_from_keras_3_15_only_where_keras_is_wrong(key, references):
    # Keras 3.15.1's tau is wrong when the support has more than one element (keras#23425);
    # where its slices still sum to 1 (support of one) it agrees with the fixed formula.
    refs = references("bottom")
    axis = CASES["activations"][key][1].get("axis", -1)
    ours, raw = _run(key, refs).numpy(), refs[f"keras_raw/activations/{key}"]
    np.testing.assert_allclose(ours.sum(axis), 1.0, rtol=1e-5)
    keras_ok = np.isclose(raw.sum(axis), 1.0, atol=1e-6)
    agree = np.isclose(ours, raw, atol=1e-6).all(axis)
    assert (agree == keras_ok).all()
