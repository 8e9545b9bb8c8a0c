"""Records real Keras' layer weights, outputs and gradients in `compat/references/layers*.npz`.

Run with real Keras 3 on its torch backend:

    KERAS_BACKEND=torch python -m compat.make_layer_references                   # every family
    KERAS_BACKEND=torch python -m compat.make_layer_references layers_recurrent  # one of them

Each family of `tests/layers/case_families.py` has its own file, `<family>.npz`. For every case it
builds the Keras layer of the same class name with the case's arguments, calls it on the case's
seeded inputs and records under `<case id>/`: the input(s) (`input/<i>`), Keras' initial weights in
`layer.weights` order (`weight/<j>`), the output (`output`, or `output/<k>` when the call returns a
tuple), a fixed seeded cotangent per output, and the gradients of `sum(output * cotangent)` with
respect to each float input (`grad_input/<i>`) and each weight (`grad_weight/<j>`); `cases` lists
the ids and weight names as JSON. Torch's global generator is seeded per case (a wrapped torch
module draws its own weights). Members are sorted and dated 1980-01-01, so regenerating gives
identical bytes. `compat/test_layers.py` replays every case through torchkeras from these weights.
"""

import argparse
import importlib
import json
import sys
from pathlib import Path

import numpy as np
import torch
from compat.reference_io import import_keras, write_npz

ROOT = Path(__file__).resolve().parent.parent
REFERENCES = ROOT / "compat" / "references"
if str(ROOT / "tests" / "layers") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests" / "layers"))  # tests/ is not a package

case_families = importlib.import_module("case_families")  # tests/layers/case_families.py



def as_input(x):
    """A float array as a tensor needing gradients, ints as a tensor; strings stay numpy."""
    if x.dtype.kind in "USO":  # text preprocessing layers take numpy strings
        return x
    return torch.tensor(x, requires_grad=x.dtype.kind == "f")


def run_layer(case, layer, inputs, cotangents=None, weights=()):
    """Calls `layer` as `case` says; returns `(outputs, cotangents, input grads, weight grads)`.

    `inputs` are numpy arrays; float ones get gradients. `weights` are the torch tensors to
    differentiate with respect to. `outputs` is a list (one entry unless the call returns a
    tuple); without `cotangents`, one per float output is drawn from its shape.
    """
    tensors = [as_input(x) for x in inputs]
    result = case.call(layer, tensors)
    outputs = list(result) if isinstance(result, (tuple, list)) else [result]
    if cotangents is None:
        rng = np.random.default_rng(99)
        cotangents = [rng.standard_normal(tuple(o.shape)).astype("float32") for o in outputs]
    sources = [t for t in tensors if getattr(t, "requires_grad", False)] + list(weights)
    grads = [None] * len(sources)
    live = [i for i, source in enumerate(sources) if source.requires_grad]  # not moving stats
    terms = [(o * torch.from_numpy(c)).sum() for o, c in zip(outputs, cotangents) if o.requires_grad]
    if live and terms:
        found = torch.autograd.grad(sum(terms), [sources[i] for i in live], allow_unused=True)
        for i, grad in zip(live, found):
            grads[i] = grad
    grads = [
        np.zeros(tuple(s.shape), "float32") if g is None else g.detach().cpu().numpy()
        for s, g in zip(sources, grads)
    ]
    n_inputs = sum(getattr(t, "requires_grad", False) for t in tensors)
    outputs = [o.detach().cpu().numpy() for o in outputs]
    return outputs, cotangents, grads[:n_inputs], grads[n_inputs:]


def output_keys(outputs):
    """Key suffixes of the outputs: `[""]` for one output, `["/00", "/01", ...]` for several."""
    return [""] if len(outputs) == 1 else [f"/{i:02d}" for i in range(len(outputs))]


def case_references(keras, index, case):
    """`{key: array}` of one case, built and run with `keras`, and its weight names."""
    torch.manual_seed(index)
    keras.utils.set_random_seed(index)
    layer = getattr(keras.layers, case.cls.__name__)(**case.make_kwargs(keras.layers))
    inputs = case.make_inputs(seed=1000 + index)
    tensors = [x if x.dtype.kind in "USO" else keras.ops.convert_to_tensor(x) for x in inputs]
    case.call(layer, tensors)  # build
    weights = [np.array(keras.ops.convert_to_numpy(w)) for w in layer.weights]
    values = [w.value for w in layer.weights]
    outputs, cotangents, grad_inputs, grad_weights = run_layer(case, layer, inputs, None, values)
    arrays = {}
    for suffix, output, cotangent in zip(output_keys(outputs), outputs, cotangents):
        arrays.update({f"output{suffix}": output, f"cotangent{suffix}": cotangent})
    for kind, listed in (("input", inputs), ("weight", weights)):
        arrays.update({f"{kind}/{i:02d}": value for i, value in enumerate(listed)})
    for kind, listed in (("grad_input", grad_inputs), ("grad_weight", grad_weights)):
        arrays.update({f"{kind}/{i:02d}": value for i, value in enumerate(listed)})
    return arrays, [w.path.rsplit("/", 1)[-1] for w in layer.weights]


def references(keras, family="layers"):
    """`{"<case id>/<key>": array}` for every case of `family`, plus `cases` (JSON) and
    `keras_version`."""
    refs, described = {}, {}
    with keras.device("cpu"):
        for index, case in enumerate(case_families.FAMILIES[family]):
            try:
                arrays, names = case_references(keras, index, case)
            except ImportError as error:  # a Keras layer that needs TensorFlow, not installed
                described[case.id] = {"class_name": case.cls.__name__, "skipped": str(error)}
                continue
            refs.update({f"{case.id}/{key}": value for key, value in arrays.items()})
            described[case.id] = {"class_name": case.cls.__name__, "weights": names}
            keras.backend.clear_session()
    refs["cases"] = np.array(json.dumps(described, sort_keys=True))
    refs["keras_version"] = np.array(keras.__version__)
    return refs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("families", nargs="*", choices=[[], *case_families.FAMILIES], default=[])
    families = parser.parse_args(argv).families or list(case_families.FAMILIES)
    keras = import_keras()
    torch.set_num_threads(1)  # one summation order
    for family in families:
        if not case_families.FAMILIES[family]:
            continue  # a family with no case yet has no file
        path = REFERENCES / f"{family}.npz"
        write_npz(path, references(keras, family))
        count = len(case_families.FAMILIES[family])
        print(f"Wrote {count} layer cases to {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
