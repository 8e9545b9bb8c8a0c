"""Writes `torchkeras/ops/keras_operations.json`: for each `keras.ops` function that Keras 3.15.1
records as an operation of a functional model, the operation's module and class name and which
of the function's parameters are the operation's constructor arguments (its config) and which
its call arguments (the node's args).

    KERAS_BACKEND=torch python -m compat.make_operation_table

`keras.ops.image` functions are keyed `image.<name>`. A function is matched to the operation class in its own module whose snake-case name it has
(`expand_dims` -> `ExpandDims`; `ALIASES` lists the exceptions) and whose constructor and call parameters together are exactly
the function's parameters; functions without such a class are left out. Only names are read
from Keras (signatures); nothing of its code is copied.
"""

import importlib
import inspect
import json
import os
import re
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "torchkeras" / "ops" / "keras_operations.json"
MODULES = ("numpy", "nn", "math", "core", "linalg", "image")
EXTRA = {"get_item": "numpy"}  # KerasTensor.__getitem__'s operation, not a public function
# Functions whose operation class is not their CamelCase name (read from Keras' recorded ops).
ALIASES = {
    "swish": "silu", "hard_swish": "hard_silu", "batch_normalization": "batch_norm",
    "rms_normalization": "rms_norm", "isin": "is_in",
    "searchsorted": "search_sorted", "cdist": "c_dist",
}  # fmt: skip


def snake_case(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def parameters(function):
    return [
        name
        for name, p in inspect.signature(function).parameters.items()
        if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def operation_classes(module):
    base = importlib.import_module("keras.src.ops.operation").Operation
    return {
        snake_case(name): cls
        for name, cls in vars(module).items()
        if inspect.isclass(cls) and issubclass(cls, base) and cls.__module__ == module.__name__
    }


def table():
    entries = {}
    for short in MODULES:
        module = importlib.import_module(f"keras.src.ops.{short}")
        classes = operation_classes(module)
        # keras.ops' functions defined in this module (`swish` is `silu`'s alias); the image
        # ones live in `keras.ops.image` and are keyed `image.<name>`
        namespace, prefix = (keras.ops.image, "image.") if short == "image" else (keras.ops, "")
        functions = {
            prefix + name: getattr(namespace, name)
            for name in dir(namespace)
            if getattr(getattr(namespace, name), "__module__", None) == module.__name__
        }
        functions.update({name: getattr(module, name) for name, m in EXTRA.items() if m == short})
        for name, function in sorted(functions.items()):
            cls = classes.get(ALIASES.get(name, name.removeprefix(prefix)))
            if cls is None or name in entries:
                continue
            constructor = [p for p in parameters(cls.__init__) if p != "name"]
            call = parameters(cls.call)
            if sorted(constructor + call) != sorted(parameters(function)):
                continue
            entries[name] = [f"keras.src.ops.{short}", cls.__name__, constructor, call]
    return entries


def main():
    entries = table()
    lines = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in sorted(entries.items()))
    TABLE.write_text("{\n" + lines + "\n}\n")
    print(f"wrote {len(entries)} operations to {TABLE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
