"""Layer options from seeds 001 and 004: activations, initializers and regularizers on Dense,
and seed 004's compile configurations, trained on random data with validation data.

Seed 004 is written for R (`layer_dense(units = 64, kernel_regularizer = regularizer_l1(0.01))`);
its Python spelling is `layers.Dense(64, kernel_regularizer=regularizers.L1(0.01))`.

Run: python examples/layer_options.py [--quick] [--out DIR]
"""

import argparse
import os
import tempfile

import numpy as np

import torchkeras as keras
from torchkeras import layers, ops


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few samples and epochs")
    parser.add_argument("--out", help="folder for written files (default: a new temp dir)")
    args = parser.parse_args()
    args.out = args.out or tempfile.mkdtemp(prefix="torchkeras_example_")
    os.makedirs(args.out, exist_ok=True)
    return args


def seed_004_layers():
    return [
        layers.Dense(units=64, activation="sigmoid"),
        # A linear layer with L1 regularization of factor 0.01 applied to the kernel matrix:
        layers.Dense(units=64, kernel_regularizer=keras.regularizers.l1(0.01)),
        # A linear layer with L2 regularization of factor 0.01 applied to the bias vector:
        layers.Dense(units=64, bias_regularizer=keras.regularizers.l2(0.01)),
        # A linear layer with a kernel initialized to a random orthogonal matrix:
        layers.Dense(units=64, kernel_initializer="orthogonal"),
        # A linear layer with a bias vector initialized to 2.0. The seed writes
        # `kernel_initializer = c(2.0)`; its comment means a constant bias initializer.
        layers.Dense(units=64, bias_initializer=keras.initializers.Constant(2.0)),
    ]


def seed_001_layers():
    return [
        layers.Dense(32, kernel_regularizer=keras.regularizers.L1(l1=0.01)),
        layers.Dense(32, bias_regularizer=keras.regularizers.L2(l2=0.01)),
        layers.Dense(32, activity_regularizer=keras.regularizers.L1L2(l1=0.01, l2=0.01)),
        layers.Activation("relu"),
        layers.Dense(10, activation="softmax"),
    ]


def main():
    args = parse_args()
    keras.utils.set_random_seed(0)
    samples = 100 if args.quick else 1000
    data = np.random.normal(size=(samples, 32)).astype("float32")
    labels = np.random.normal(size=(samples, 10)).astype("float32")  # R: matrix(rnorm(1000 * 10))
    val_data = np.random.normal(size=(100, 32)).astype("float32")
    val_labels = np.random.normal(size=(100, 10)).astype("float32")

    model = keras.Sequential([keras.Input(shape=(32,)), *seed_004_layers(), *seed_001_layers()])
    model(data[:2])
    print("regularization losses after a call:", len(model.losses))
    # Weights are torch Parameters: `ops.convert_to_numpy` (or `get_weights()`) reads them.
    print("bias of the Constant(2.0) layer:", ops.convert_to_numpy(model.layers[4].bias)[:3])
    kernel = ops.convert_to_numpy(model.layers[3].kernel)
    print("orthogonal kernel: K^T K = I:", np.allclose(kernel.T @ kernel, np.eye(64), atol=1e-4))

    # Seed 004's two compile examples (R's `optimizer_rmsprop(lr = 0.01)` is
    # `optimizers.RMSprop(learning_rate=0.01)`).
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])  # mean squared/absolute error
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.01),
                  loss="categorical_crossentropy", metrics=["categorical_accuracy"])
    # The seed's validation data has `nrow = 100` rows of 32 and names `val_labels` `val_label`.
    history = model.fit(data, labels, epochs=2 if args.quick else 10, batch_size=32,
                        validation_data=(val_data, val_labels), verbose=2)
    print("history keys:", sorted(history.history))
    print("evaluate:", model.evaluate(val_data, val_labels, verbose=0))
    print("predict:", model.predict(val_data, verbose=0).shape)


if __name__ == "__main__":
    main()
