"""Records real Keras' `get` / `serialize` / `deserialize`, custom bases and utils in `api.json`.

Run with real Keras 3 on its torch backend:

    KERAS_BACKEND=torch python -m compat.make_api_references

`serialization` holds, per object family (losses, metrics, optimizers, schedules, activations,
initializers, regularizers, constraints), what `get` returns for several identifiers, what
`serialize` writes for several objects, and what `deserialize` makes of those configs
(`compat/api_cases.py`). `cases` holds one record per case of `CASES`: a custom subclass of each
public base (`Layer`, `Loss`, `Metric`, `MeanMetricWrapper`, `Optimizer`, `LearningRateSchedule`,
`Initializer`, `Regularizer`, `Constraint`) used as a user would, `Input` / `InputLayer`, and the
`keras.utils` helpers (`compat/api_custom_cases.py`, `compat/api_training_cases.py`,
`compat/api_utils_cases.py`);
`submodules` the public names of `keras.optimizers.schedules`. Each case
starts from `clear_session()` and `set_random_seed(0)`, as the compat tests do. The JSON is
written with sorted keys, so regenerating gives identical bytes.
"""

import json
from pathlib import Path

from compat import api_custom_cases as custom
from compat import api_training_cases as training
from compat import api_utils_cases as utils
from compat.api_cases import as_stored, serialization_references
from compat.reference_io import import_keras

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "compat" / "references" / "api.json"

# case id -> (Keras public name, `lib -> JSON-able record`)
CASES = {
    "custom_layer": ("layers.Layer", custom.layer_record),
    "input": ("layers.Input", custom.input_record),
    "input_layer": ("layers.InputLayer", custom.input_layer_record),
    "custom_loss": ("losses.Loss", custom.loss_record),
    "custom_metric_rmse": ("metrics.Metric", custom.metric_record),
    "mean_metric_wrapper": ("metrics.MeanMetricWrapper", custom.mean_metric_wrapper_record),
    "custom_optimizer": ("optimizers.Optimizer", training.optimizer_record),
    "custom_schedule": (
        "optimizers.schedules.LearningRateSchedule", training.schedule_record
    ),
    "custom_initializer": ("initializers.Initializer", training.initializer_record),
    "custom_regularizer": ("regularizers.Regularizer", training.regularizer_record),
    "custom_constraint": ("constraints.Constraint", training.constraint_record),
    "py_dataset": ("utils.PyDataset", training.py_dataset_record),
    "clear_session": ("utils.clear_session", training.clear_session_record),
    "normalize": ("utils.normalize", training.normalize_record),
    "to_categorical": ("utils.to_categorical", training.to_categorical_record),
    "set_random_seed": ("utils.set_random_seed", training.set_random_seed_record),
    "pad_sequences": ("utils.pad_sequences", utils.pad_sequences_record),
    "split_dataset": ("utils.split_dataset", utils.split_dataset_record),
    "progbar": ("utils.Progbar", utils.progbar_record),
    "get_file": ("utils.get_file", utils.get_file_record),
    "is_keras_tensor": ("utils.is_keras_tensor", utils.is_keras_tensor_record),
    "pack_x_y_sample_weight": ("utils.pack_x_y_sample_weight", utils.pack_record),
    "unpack_x_y_sample_weight": ("utils.unpack_x_y_sample_weight", utils.unpack_record),
    "serialize_keras_object": ("utils.serialize_keras_object", utils.serialize_record),
    "deserialize_keras_object": ("utils.deserialize_keras_object", utils.deserialize_record),
    "register_keras_serializable": ("utils.register_keras_serializable", utils.register_record),
    "get_registered_name": ("utils.get_registered_name", utils.registered_name_record),
    "get_registered_object": ("utils.get_registered_object", utils.registered_object_record),
    "custom_object_scope": ("utils.custom_object_scope", utils.custom_object_scope_record),
    "get_custom_objects": ("utils.get_custom_objects", utils.get_custom_objects_record),
}


def run_case(lib, case):
    """Case `case` with `lib` (Keras or torchkeras) from a fresh session and seed 0."""
    lib.backend.clear_session()
    lib.utils.set_random_seed(0)
    return as_stored(CASES[case][1](lib))


def references(keras):
    """`{"keras_version", "serialization", "cases"}` as Keras computes them."""
    return {
        "keras_version": keras.__version__,
        "serialization": as_stored(serialization_references(keras)),
        "cases": {case: run_case(keras, case) for case in CASES},
        "submodules": {"optimizers.schedules": public_names(keras.optimizers.schedules)},
    }


def public_names(module):
    return sorted(name for name in dir(module) if not name.startswith("_"))


def main():
    keras = import_keras()
    text = json.dumps(references(keras), sort_keys=True, indent=1) + "\n"
    REFERENCE.write_text(text, encoding="utf-8")
    print(f"Wrote {len(CASES)} cases and the serialization records to "
          f"{REFERENCE.relative_to(ROOT)} ({len(text)} bytes)")


if __name__ == "__main__":
    main()
