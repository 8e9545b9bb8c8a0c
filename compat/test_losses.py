"""Losses against real Keras 3.15.1 (`losses.npz`, `compat/make_loss_references.py`).

Each case of the generator's table (both `from_logits` settings, label smoothing, other axes,
every reduction, sample weights, probabilities exactly 0 and 1) is replayed through torchkeras:
the loss value and the gradient of its sum with respect to `y_pred`. Tolerance rtol = atol = 1e-6:
most cases are bit-identical (the same torch kernels run); the worst measured is ~6e-7 relative
(the gradient of `F.cross_entropy` with soft targets against Keras' `-sum(t * log_softmax)`), and
the fused means (one kernel instead of per-row means then their mean) differ by ~1e-7.
"""

import json

import pytest

from compat import make_loss_references as generator
from compat.conformance import check
from torchkeras import losses

CASES = {case["name"]: case for case in generator.CASES}


def test_reference_lists_every_case(references):
    assert json.loads(str(references("losses")["specs"])) == generator.CASES


@pytest.mark.parametrize("name", sorted(CASES))
def test_loss(name, references):
    refs = references("losses")
    case = CASES[name]
    y_true = refs[f"inputs/{case['inputs']}/y_true"]
    y_pred = refs[f"inputs/{case['inputs']}/y_pred"]
    weights = None if case["weights"] is None else refs[f"weights/{case['weights']}"]
    output, grad = generator.run_case(losses, case, y_true, y_pred, weights)
    public = f"losses.{case['target']}"
    check(public, name, "output", output, refs[f"cases/{name}/output"], atol=1e-6)
    check(public, name, "grad/y_pred", grad, refs[f"cases/{name}/grad"], atol=1e-6)
