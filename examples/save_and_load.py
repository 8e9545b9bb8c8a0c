"""Saving and loading from seeds 001 and 004: whole models (`.keras`, legacy `.h5`), weights only,
and the architecture alone as JSON (`to_json` / `model_from_json`).

Run: python examples/save_and_load.py [--quick] [--out DIR]
"""

import argparse
import os
import tempfile

import numpy as np

import torchkeras as keras
from torchkeras import layers, models


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few samples and epochs")
    parser.add_argument("--out", help="folder for written files (default: a new temp dir)")
    args = parser.parse_args()
    args.out = args.out or tempfile.mkdtemp(prefix="torchkeras_example_")
    os.makedirs(args.out, exist_ok=True)
    return args


def trained_model(samples, epochs):
    inputs = layers.Input(shape=(32,))
    x = layers.Dense(64, activation="relu")(inputs)
    x = layers.Dense(64, activation="relu")(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    model = models.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    data = np.random.random((samples, 32)).astype("float32")
    labels = np.eye(10, dtype="float32")[np.random.randint(0, 10, samples)]
    model.fit(data, labels, batch_size=32, epochs=epochs, verbose=0)
    return model, data


def main():
    args = parse_args()
    keras.utils.set_random_seed(0)
    model, data = trained_model(100 if args.quick else 1000, 1 if args.quick else 5)
    expected = model.predict(data, verbose=0)

    # Entire model (seed 001: `model.save(file)` / `models.load_model(file)`; ".h5" or ".keras").
    for name in ("my_model.keras", "my_model.h5"):
        path = os.path.join(args.out, name)
        model.save(path)  # ".h5" is the legacy format: it warns, as Keras 3 does
        the_model = models.load_model(path)
        same = np.allclose(the_model.predict(data, verbose=0), expected, atol=1e-6)
        print(f"{name}: reloaded, same predictions: {same}")

    # Weights only (seed 004's `save_model_weights_hdf5`): the same architecture reloads them.
    weights_path = os.path.join(args.out, "my_model.weights.h5")
    model.save_weights(weights_path)

    # Configuration only: JSON without weights (seed 001 writes and reads it through a file).
    json_path = os.path.join(args.out, "my_model.json")
    with open(json_path, "w") as file:  # the seed: open(filename, "w").write(model.to_json())
        file.write(model.to_json())
    with open(json_path) as file:
        fresh_model = models.model_from_json(file.read())  # freshly initialized
    print("model_from_json layers:", [type(layer).__name__ for layer in fresh_model.layers])
    fresh_model.load_weights(weights_path)
    same = np.allclose(fresh_model.predict(data, verbose=0), expected, atol=1e-6)
    print(f"json + weights: same predictions: {same}")
    # Seed 004 also shows `model_to_yaml`: Keras removed YAML (a security risk); use JSON.


if __name__ == "__main__":
    main()
