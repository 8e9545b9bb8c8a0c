"""Records real Keras's metric results into `compat/references/metrics.npz`.

Run with real Keras 3 on its torch backend:

    KERAS_BACKEND=torch python -m compat.make_metric_references

For every case of `tests/metrics/metric_cases.py` and each of its sample-weightings it feeds the
three input batches and stores `result()` after each one (`result/<case>/<weighting>`); it also
stores each case's `get_config()` as JSON (`config/<case>`), the output of each function case
(`function/<id>`) and the inputs themselves (`input/<kind>/<array>`).
`tests/metrics/test_metrics.py` compares torchkeras against that file. The archive is written with
sorted members and fixed timestamps, so regenerating gives identical bytes.
"""

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "compat" / "references" / "metrics.npz"
sys.path.insert(0, str(ROOT / "tests" / "metrics"))  # tests/ is not a package

import metric_cases  # noqa: E402  (needs the path above)
from compat.reference_io import import_keras, write_npz



def jsonable(value):
    """Config values as JSON types: Keras keeps some as tensors or NumPy scalars."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "tolist"):
        return jsonable(np.asarray(value).tolist())
    return value


def references(keras):
    """`{member name: array}` for every case, weighting, function case and input array."""
    inputs = metric_cases.make_inputs()
    arrays = {}
    for kind, batches in inputs.items():
        for key, value in batches.items():
            arrays[f"input/{kind}/{key}"] = value
    for case in metric_cases.CASES:
        for weighting in case.weightings:
            result = metric_cases.run(keras.metrics, case, inputs[case.data], weighting)
            arrays[f"result/{case.name}/{weighting}"] = result
        keras.backend.clear_session()
        config = getattr(keras.metrics, case.class_name)(**case.kwargs).get_config()
        arrays[f"config/{case.name}"] = np.array(json.dumps(jsonable(config), sort_keys=True))
    for fn_case in metric_cases.FUNCTION_CASES:
        output = metric_cases.run_function(keras.metrics, fn_case, inputs[fn_case[1]])
        arrays[f"function/{metric_cases.function_id(fn_case)}"] = output
    arrays["keras_version"] = np.array(keras.__version__)
    return arrays



def main():
    """Builds the references with real Keras and writes the archive."""
    keras = import_keras()
    arrays = references(keras)
    write_npz(REFERENCE, arrays)
    size = REFERENCE.stat().st_size
    print(f"Wrote {len(arrays)} arrays ({size} bytes) to {REFERENCE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
