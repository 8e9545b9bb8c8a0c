"""Seed 003's MNIST practice: a Dense/Dropout classifier trained, evaluated and used to predict.

`get_mnist_model` and `load_mnist` are also used by `custom_metric.py` and `callbacks.py`.
Data: Keras' MNIST when it is already in the Keras cache (`~/.keras/datasets/mnist.npz`);
otherwise the 8x8 digits bundled with torchkeras (`keras.datasets.digits`), so that the example
never needs the network. `--quick` trains on a few hundred images.

Run: python examples/mnist.py [--quick] [--out DIR]
"""

import argparse
import os
import tempfile

import torchkeras as keras  # was: from tensorflow import keras
from torchkeras import layers
from torchkeras.datasets import (  # was: from tensorflow.keras.datasets import mnist
    digits,
    mnist,
)


def parse_args(description=__doc__):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="few images and epochs")
    parser.add_argument("--out", help="folder for written files (default: a new temp dir)")
    args = parser.parse_args()
    args.out = args.out or tempfile.mkdtemp(prefix="torchkeras_example_")
    os.makedirs(args.out, exist_ok=True)
    return args


def get_mnist_model(input_size=28 * 28):
    inputs = keras.Input(shape=(input_size,))
    features = layers.Dense(512, activation="relu")(inputs)
    features = layers.Dropout(0.5)(features)
    outputs = layers.Dense(10, activation="softmax")(features)
    model = keras.Model(inputs=inputs, outputs=outputs)
    return model


def mnist_is_cached():
    home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
    return os.path.exists(os.path.join(home, "datasets", "mnist.npz"))


def load_mnist(quick=False):
    """`(train, val, test)` pairs of flat float images in [0, 1] and integer labels."""
    if mnist_is_cached():
        (images, labels), (test_images, test_labels) = mnist.load_data()
        pixels, scale, validation = 28 * 28, 255, 10000
    else:  # no download: the bundled 8x8 digits (values 0..16) stand in for MNIST
        print("MNIST is not in the Keras cache: using the bundled 8x8 digits instead.")
        (images, labels), (test_images, test_labels) = digits.load_data()
        pixels, scale, validation = 8 * 8, 16, 300
    images = images.reshape((len(images), pixels)).astype("float32") / scale
    test_images = test_images.reshape((len(test_images), pixels)).astype("float32") / scale
    train_images, val_images = images[validation:], images[:validation]
    train_labels, val_labels = labels[validation:], labels[:validation]
    if quick:
        train_images, train_labels = train_images[:256], train_labels[:256]
        val_images, val_labels = val_images[:64], val_labels[:64]
        test_images, test_labels = test_images[:64], test_labels[:64]
    return (train_images, train_labels), (val_images, val_labels), (test_images, test_labels)


def main():
    args = parse_args()
    keras.utils.set_random_seed(0)
    (train_images, train_labels), (val_images, val_labels), (test_images, test_labels) = \
        load_mnist(args.quick)
    model = get_mnist_model(train_images.shape[1])
    model.compile(optimizer="adam",
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(train_images, train_labels, epochs=1 if args.quick else 3,
                        validation_data=(val_images, val_labels), verbose=2)
    print("history keys:", sorted(history.history))
    test_metrics = model.evaluate(test_images, test_labels, verbose=0)
    predictions = model.predict(test_images, verbose=0)
    print(test_metrics)
    print("predictions:", predictions.shape)


if __name__ == "__main__":
    main()
