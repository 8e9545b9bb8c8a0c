"""Records real Keras' layer weights, outputs and gradients in `compat/references/layers.npz`.

Run with real Keras 3 on its torch backend:

    KERAS_BACKEND=torch python -m compat.make_layer_references

For every case of `tests/layers/cases.py` it builds the Keras layer of the same class name with the
case's arguments, calls it on a seeded input and records under `<case id>/`: the input(s)
(`input/<i>`), Keras' initial weights in `layer.weights` order (`weight/<j>`), the output, a fixed
seeded cotangent, and the gradients of `sum(output * cotangent)` with respect to each float input
(`grad_input/<i>`) and each weight (`grad_weight/<j>`); `cases` lists the ids and weight names as
JSON. Torch's global generator is seeded per case (a wrapped torch module draws its own weights).
Members are sorted and dated 1980-01-01, so regenerating gives identical bytes.
`compat/test_layers.py` replays every case through torchkeras from these weights.
"""

import importlib
import json
import sys
from pathlib import Path

import numpy as np
import torch
from compat.reference_io import import_keras, write_npz

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "compat" / "references" / "layers.npz"
if str(ROOT / "tests" / "layers") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests" / "layers"))  # tests/ is not a package

layer_cases = importlib.import_module("cases")  # tests/layers/cases.py



def make_inputs(case, seed):
    """The case's seeded inputs as a list of numpy arrays (ints are drawn from [0, 4))."""
    rng = np.random.default_rng(seed)
    shapes = case.input_shape if isinstance(case.input_shape, list) else [case.input_shape]
    if np.dtype(case.input_dtype).kind in "iu":
        return [rng.integers(0, 4, size=shape).astype(case.input_dtype) for shape in shapes]
    return [rng.standard_normal(shape).astype(case.input_dtype) for shape in shapes]


def run_layer(layer, inputs, is_list, cotangent=None, weights=()):
    """Calls `layer`; returns `(output, cotangent, input grads, weight grads)` as numpy arrays.

    `inputs` are numpy arrays; float ones get gradients. `weights` are the torch tensors to
    differentiate with respect to. Without `cotangent`, one is drawn from `output`'s shape.
    """
    tensors = [torch.tensor(x, requires_grad=x.dtype.kind == "f") for x in inputs]
    output = layer(tensors if is_list else tensors[0])
    if cotangent is None:
        cotangent = np.random.default_rng(99).standard_normal(tuple(output.shape)).astype("float32")
    sources = [t for t in tensors if t.requires_grad] + list(weights)
    grads = [None] * len(sources)
    live = [i for i, source in enumerate(sources) if source.requires_grad]  # not moving stats
    if live and output.requires_grad:
        total = (output * torch.from_numpy(cotangent)).sum()
        found = torch.autograd.grad(total, [sources[i] for i in live], allow_unused=True)
        for i, grad in zip(live, found):
            grads[i] = grad
    grads = [
        np.zeros(tuple(s.shape), "float32") if g is None else g.detach().cpu().numpy()
        for s, g in zip(sources, grads)
    ]
    n_inputs = sum(t.requires_grad for t in tensors)
    return output.detach().cpu().numpy(), cotangent, grads[:n_inputs], grads[n_inputs:]


def case_references(keras, index, case):
    """`{key: array}` of one case, built and run with `keras`, and its weight names."""
    torch.manual_seed(index)
    keras.utils.set_random_seed(index)
    layer = getattr(keras.layers, case.cls.__name__)(**case.make_kwargs())
    inputs = make_inputs(case, seed=1000 + index)
    is_list = isinstance(case.input_shape, list)
    layer([keras.ops.convert_to_tensor(x) for x in inputs] if is_list else inputs[0])  # build
    weights = [np.array(keras.ops.convert_to_numpy(w)) for w in layer.weights]
    values = [w.value for w in layer.weights]
    output, cotangent, grad_inputs, grad_weights = run_layer(layer, inputs, is_list, None, values)
    arrays = {"output": output, "cotangent": cotangent}
    for kind, listed in (("input", inputs), ("weight", weights)):
        arrays.update({f"{kind}/{i:02d}": value for i, value in enumerate(listed)})
    for kind, listed in (("grad_input", grad_inputs), ("grad_weight", grad_weights)):
        arrays.update({f"{kind}/{i:02d}": value for i, value in enumerate(listed)})
    return arrays, [w.path.rsplit("/", 1)[-1] for w in layer.weights]


def references(keras):
    """`{"<case id>/<key>": array}` for every case, plus `cases` (JSON) and `keras_version`."""
    refs, described = {}, {}
    with keras.device("cpu"):
        for index, case in enumerate(layer_cases.CASES):
            arrays, names = case_references(keras, index, case)
            refs.update({f"{case.id}/{key}": value for key, value in arrays.items()})
            described[case.id] = {"class_name": case.cls.__name__, "weights": names}
            keras.backend.clear_session()
    refs["cases"] = np.array(json.dumps(described, sort_keys=True))
    refs["keras_version"] = np.array(keras.__version__)
    return refs



def main():
    keras = import_keras()
    torch.set_num_threads(1)  # one summation order
    refs = references(keras)
    write_npz(REFERENCE, refs)
    size = REFERENCE.stat().st_size
    where = REFERENCE.relative_to(ROOT)
    print(f"Wrote {len(layer_cases.CASES)} layer cases to {where} ({size} bytes)")


if __name__ == "__main__":
    main()
