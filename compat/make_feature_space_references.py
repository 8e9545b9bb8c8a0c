"""Records Keras' FeatureSpace outputs in `compat/references/feature_space.npz`.

Keras' FeatureSpace (and HashedCrossing) need TensorFlow even on the torch backend, so this
runs in an environment with TensorFlow and Keras 3.15.1 (not a project dependency):

    KERAS_BACKEND=tensorflow /work/tfvenv/bin/python -m compat.make_feature_space_references

The scenarios live in `compat/feature_space_cases.py`; `compat/test_feature_space.py` replays
them on torchkeras. The file also holds a `.keras` archive Keras wrote (`keras_file`, bytes)
and that space's outputs, to check that torchkeras loads Keras' files.
"""

import json
import os
import tempfile
from pathlib import Path

import numpy as np

from compat import feature_space_cases as cases
from compat.reference_io import write_npz

PATH = Path(__file__).resolve().parent / "references" / "feature_space.npz"


def references(keras, tf):
    """`{"<scenario>/<name>": array}` computed with Keras' FeatureSpace."""

    def dataset(batches):  # the same batches as a batched tf.data pipeline
        return tf.data.Dataset.from_generator(
            lambda: iter(batches),
            output_signature={
                k: tf.TensorSpec((None,), tf.string if v.dtype.kind == "U" else v.dtype)
                for k, v in batches[0].items()
            },
        )

    space = keras.utils.FeatureSpace
    refs = {}
    for scenario, run in cases.SCENARIOS.items():
        refs.update({f"{scenario}/{k}": v for k, v in run(space, keras.layers, dataset).items()})
    fs, data = cases.file_space(space)
    refs["file/out"] = np.asarray(fs(data))
    config = cases.without_names(keras.saving.serialize_keras_object(fs))
    refs["file/config"] = np.array(json.dumps(config, sort_keys=True))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "space.keras")
        fs.save(path)
        refs["file/keras_file"] = np.frombuffer(Path(path).read_bytes(), dtype="uint8")
    refs["keras_version"] = np.array(keras.__version__)
    return refs


def main():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras  # here: the backend must be chosen before Keras is imported
    import tensorflow as tf

    if keras.backend.backend() != "tensorflow" or "torchkeras" in keras.__file__:
        raise RuntimeError("Run with real Keras 3 on TensorFlow (see the module docstring).")
    write_npz(PATH, references(keras, tf))


if __name__ == "__main__":
    main()
