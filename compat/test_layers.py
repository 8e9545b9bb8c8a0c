"""Layers against real Keras 3.15.1 (`layers.npz`, `compat/make_layer_references.py`).

Every case of `tests/layers/cases.py` is built with torchkeras, given Keras' initial weights and
called on Keras' seeded input; compared are the output and the gradients of
`sum(output * cotangent)` (a fixed seeded cotangent) with respect to each float input and each
weight, plus the weights' count and shapes. Tolerance rtol 1e-6 with an absolute floor of 1e-7
for values that end near zero, unless a case's `rtol` says otherwise (with its reason in
`tests/layers/cases.py`).
"""

import json

import pytest
import torch

from compat import make_layer_references as generator
from compat.conformance import check, check_equal
from compat.tables import layer_cases

CASES = {case.id: case for case in layer_cases.CASES}
ATOL = 1e-7


def _listed(refs, case_id, kind):
    prefix = f"{case_id}/{kind}/"
    return [refs[key] for key in sorted(refs) if key.startswith(prefix)]


def test_reference_lists_every_case(references):
    described = json.loads(str(references("layers")["cases"]))
    assert sorted(described) == sorted(CASES)


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_layer(case_id, references):
    refs, case = references("layers"), CASES[case_id]
    public = f"layers.{case.cls.__name__}"
    rtol = getattr(case, "rtol", None) or 1e-6
    grad_atol = getattr(case, "grad_atol", None) or ATOL
    inputs, weights = _listed(refs, case_id, "input"), _listed(refs, case_id, "weight")
    is_list = isinstance(case.input_shape, list)
    layer = case.cls(**case.make_kwargs())
    tensors = [torch.as_tensor(x) for x in inputs]
    layer(tensors if is_list else tensors[0])  # builds
    shapes = [tuple(w.shape) for w in layer.get_weights()]
    check_equal(public, case_id, "weight shapes", shapes, [w.shape for w in weights])
    layer.set_weights(weights)
    cotangent = refs[f"{case_id}/cotangent"]
    output, _, grad_inputs, grad_weights = generator.run_layer(
        layer, inputs, is_list, cotangent, layer.weights
    )
    check(public, case_id, "output", output, refs[f"{case_id}/output"], rtol, ATOL)
    for kind, grads in (("grad_input", grad_inputs), ("grad_weight", grad_weights)):
        expected = _listed(refs, case_id, kind)
        check_equal(public, case_id, f"number of {kind}", len(grads), len(expected))
        for index, (got, want) in enumerate(zip(grads, expected)):
            check(public, case_id, f"{kind}[{index}]", got, want, rtol, grad_atol)
