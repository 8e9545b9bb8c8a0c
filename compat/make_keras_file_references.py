"""Writes `.keras` archives with real Keras 3.15.1, for tests that load them without Keras.

Run: KERAS_BACKEND=torch python -m compat.make_keras_file_references
Each archive comes with `<name>.npz` holding a fixed input and Keras' predictions for it.
"""

import os
import pathlib

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402

from compat.keras_file_cases import CASES  # noqa: E402

OUT = pathlib.Path(__file__).parent / "references" / "keras_files"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(0)
    for name, (build, data) in CASES.items():
        model = build(keras)
        x, y = data()
        model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
        model.save(OUT / f"{name}.keras")
        predictions = model.predict(x, verbose=0)
        predictions = predictions if isinstance(predictions, list) else [predictions]
        np.savez(OUT / f"{name}.npz", **{f"prediction_{i}": p for i, p in enumerate(predictions)})


if __name__ == "__main__":
    main()
