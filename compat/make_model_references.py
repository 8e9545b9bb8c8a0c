"""Records real Keras's view of every model case into `compat/references/models.json`.

Run with real Keras 3 on its torch backend:

    KERAS_BACKEND=torch python -m compat.make_model_references

For each case of `tests/models/model_cases.py` it saves `count_params()`, the weight shapes in
`model.weights` order, the trainable/non-trainable weight counts and the parsed `summary()` table
(see `tests/models/summary_table.py`); `compat/test_models.py` compares torchkeras
against that file. The output has sorted keys and no dates, so regenerating gives identical bytes.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "compat" / "references" / "models.json"
sys.path.insert(0, str(ROOT / "tests" / "models"))  # tests/ is not a package

import model_cases  # noqa: E402  (needs the path above)
from compat.reference_io import import_keras



def references(keras):
    """`{case name: record}` for every case, built with `keras`; paths are informative only."""
    records = {}
    for case in model_cases.CASES:
        model = case.build(keras)
        record = model_cases.describe(case, model)
        record["weight_paths"] = [w.path for w in model.weights]
        records[case.name] = record
    return {"keras_version": keras.__version__, "cases": records}


def to_json(value, indent=""):
    """JSON with sorted keys, one line per list of scalars (a shape, a summary row)."""
    if isinstance(value, dict):
        inner = indent + " "
        items = [f"{inner}{json.dumps(k)}: {to_json(value[k], inner)}" for k in sorted(value)]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}" if items else "{}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        inner = indent + " "
        return "[\n" + ",\n".join(inner + to_json(v, inner) for v in value) + f"\n{indent}]"
    return json.dumps(value, ensure_ascii=False)


def main():
    keras = import_keras()
    text = to_json(references(keras)) + "\n"
    REFERENCE.parent.mkdir(parents=True, exist_ok=True)
    REFERENCE.write_text(text, encoding="utf-8")
    print(f"Wrote {len(model_cases.CASES)} cases to {REFERENCE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
