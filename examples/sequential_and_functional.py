"""Seed 003's model-building tour: Sequential models (list, `add`, `build`, names, `keras.Input`),
`summary()`, and a functional model whose symbolic tensors show their shapes and dtypes.

Run: python examples/sequential_and_functional.py [--quick] [--out DIR]
"""

import argparse
import os
import tempfile

import numpy as np

import torchkeras as keras  # was: from tensorflow import keras
from torchkeras import layers  # was: from tensorflow.keras import layers


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few samples and epochs")
    parser.add_argument("--out", help="folder for written files (default: a new temp dir)")
    args = parser.parse_args()
    args.out = args.out or tempfile.mkdtemp(prefix="torchkeras_example_")
    os.makedirs(args.out, exist_ok=True)
    return args


def sequential_models():
    model = keras.Sequential([
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])

    model = keras.Sequential()
    model.add(layers.Dense(64, activation="relu"))
    model.add(layers.Dense(10, activation="softmax"))
    # Weights exist only after the first call or `build`. The seed writes
    # `build(input_size=(None, 3))`; the argument is `input_shape`.
    model.build(input_shape=(None, 3))
    print("weights:", [tuple(w.shape) for w in model.weights])
    model.summary()

    model = keras.Sequential(name="my_sequential_model")
    model.add(layers.Dense(64, activation="relu", name="hidden_layer"))
    model.add(layers.Dense(10, activation="softmax", name="output_layer"))
    model.build(input_shape=(None, 3))
    model.summary()

    model = keras.Sequential()
    model.add(keras.Input(shape=(3,)))  # declare the input shape up front
    model.add(layers.Dense(64, activation="relu"))
    model.summary()
    return model


def functional_model():
    # The seed's input name "funtinoal_api" is kept: any name works.
    inputs = keras.Input(shape=(3,), name="funtinoal_api")
    features = layers.Dense(64, activation="relu")(inputs)
    outputs = layers.Dense(10, activation="softmax")(features)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.summary()
    print(inputs.shape)
    print(inputs.dtype)
    print(features.shape)
    print(features.dtype)
    return model


def main():
    args = parse_args()
    keras.utils.set_random_seed(0)
    sequential_models()
    model = functional_model()
    samples = 64 if args.quick else 1024
    x = np.random.normal(size=(samples, 3)).astype("float32")
    y = np.random.randint(0, 10, size=samples)
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=1 if args.quick else 5, verbose=2)
    print("history keys:", sorted(history.history))


if __name__ == "__main__":
    main()
