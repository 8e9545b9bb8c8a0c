"""Layers against real Keras 3.15.1 (`layers*.npz`, `compat/make_layer_references.py`).

Every case of `tests/layers/case_families.py` is built with torchkeras, given Keras' initial weights and
called on Keras' seeded input; compared are the output and the gradients of
`sum(output * cotangent)` (a fixed seeded cotangent) with respect to each float input and each
weight, plus the weights' count and shapes. Tolerance rtol 1e-6 with an absolute floor of 1e-7
for values that end near zero, unless a case's `rtol` says otherwise (with its reason in
`tests/layers/cases.py`).
"""

import json

import pytest
import torch

import torchkeras

from compat import make_layer_references as generator
from compat.conformance import check, check_equal
from compat.tables import layer_families

CASES = [
    (family, case) for family, cases in layer_families.FAMILIES.items() for case in cases
]
ATOL = 1e-7


def _listed(refs, case_id, kind):
    prefix = f"{case_id}/{kind}/"
    return [refs[key] for key in sorted(refs) if key.startswith(prefix)]


@pytest.mark.parametrize("family", [name for name, cases in layer_families.FAMILIES.items() if cases])
def test_reference_lists_every_case(family, references):
    described = json.loads(str(references(family)["cases"]))
    assert sorted(described) == sorted(case.id for case in layer_families.FAMILIES[family])


@pytest.mark.parametrize(("family", "case"), CASES, ids=[case.id for _, case in CASES])
def test_layer(family, case, references):
    refs, case_id = references(family), case.id
    public = f"layers.{case.cls.__name__}"
    rtol = case.rtol or 1e-6
    grad_atol = case.grad_atol or ATOL
    skipped = json.loads(str(refs["cases"]))[case_id].get("skipped")
    if skipped:  # live mode without TensorFlow, which some Keras layers need
        pytest.skip(f"Keras cannot run {case.cls.__name__} here: {skipped}")
    inputs, weights = _listed(refs, case_id, "input"), _listed(refs, case_id, "weight")
    layer = case.cls(**case.make_kwargs())
    case.call(layer, [generator.as_input(x) for x in inputs])  # builds
    shapes = [tuple(w.shape) for w in layer.get_weights()]
    check_equal(public, case_id, "weight shapes", shapes, [w.shape for w in weights])
    layer.set_weights(weights)
    suffixes = generator.output_keys(case.output_shapes)
    cotangents = [refs[f"{case_id}/cotangent{suffix}"] for suffix in suffixes]
    outputs, _, grad_inputs, grad_weights = generator.run_layer(
        case, layer, inputs, cotangents, layer.weights
    )
    check_equal(public, case_id, "number of outputs", len(outputs), len(suffixes))
    for suffix, output in zip(suffixes, outputs):
        expected = refs[f"{case_id}/output{suffix}"]
        check(public, case_id, f"output{suffix}", output, expected, rtol, ATOL)
    for kind, grads in (("grad_input", grad_inputs), ("grad_weight", grad_weights)):
        expected = _listed(refs, case_id, kind)
        check_equal(public, case_id, f"number of {kind}", len(grads), len(expected))
        for index, (got, want) in enumerate(zip(grads, expected)):
            check(public, case_id, f"{kind}[{index}]", got, want, rtol, grad_atol)


# The function forms (`keras.layers.add(inputs, **kwargs)`) against the Keras outputs of their
# classes' cases: Keras defines each as "build the class, call it".
FUNCTION_FORMS = {
    "add": "add", "subtract": "subtract", "multiply": "multiply", "average": "average",
    "maximum": "maximum", "minimum": "minimum", "concatenate": "concat_axis1", "dot": "dot_pair",
}


@pytest.mark.parametrize("function_name", sorted(FUNCTION_FORMS))
def test_merge_function_form(function_name, references):
    case_id = FUNCTION_FORMS[function_name]
    case = next(c for c in layer_families.FAMILIES["layers"] if c.id == case_id)
    refs = references("layers")
    inputs = [torch.as_tensor(x) for x in _listed(refs, case_id, "input")]
    output = getattr(torchkeras.layers, function_name)(inputs, **case.make_kwargs())
    expected = refs[f"{case_id}/output"]
    check(f"layers.{function_name}", case_id, "output", output.numpy(), expected, 1e-6, ATOL)
