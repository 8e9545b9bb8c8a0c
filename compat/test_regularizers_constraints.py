"""Regularizers and constraints against real Keras 3.15.1 (`bottom.npz`), rtol 1e-6, atol 1e-6."""

import json

import pytest
import torch

from compat.conformance import check
from compat.tables import load_committed
from torchkeras import constraints, regularizers

CASES = json.loads(str(load_committed("bottom")["cases"]))
MODULES = {"regularizers": regularizers, "constraints": constraints}
FAMILY_CASES = [(family, key) for family in MODULES for key in sorted(CASES[family])]


@pytest.mark.parametrize("family, key", FAMILY_CASES)
def test_regularizer_or_constraint(family, key, references):
    refs = references("bottom")
    class_name, config, input_key = CASES[family][key]
    obj = MODULES[family].get({"class_name": class_name, "config": config})
    out = obj(torch.from_numpy(refs[f"inputs/{input_key}"]))
    assert out.dtype == torch.float32
    check(f"{family}.{class_name}", key, "output", out.numpy(), refs[f"{family}/{key}"], atol=1e-6)
