"""SimpleDense, compile and fit: the "Keras API" sections of seeds 000 and 003 (and 002, 3-6).

A custom layer written with `build`/`call`/`add_weight` (listing 3.22), called on a tensor and
stacked in a `Sequential`; then a one-unit linear model compiled with strings and with objects,
trained with validation data, evaluated and used for prediction on the two point clouds.

Run: python examples/simple_dense.py [--quick] [--out DIR]
"""

import argparse
import os
import tempfile

import numpy as np

import torchkeras as keras  # was: from tensorflow import keras
from torchkeras import (
    ops,  # the seeds' `tf.matmul`, `tf.ones` and `tf.nn.relu` are keras.ops
)


class SimpleDense(keras.layers.Layer):
    # Seed 000 names this class `SimpleDemo` (and imports `from tensorflow import tf`) but then
    # uses `SimpleDense`, and indents with tabs: one name, spaces and `import ... as keras` here.
    def __init__(self, units, activation=None):
        super().__init__()
        self.units = units
        # The seeds store `activation` as given, so `SimpleDense(32, activation="relu")` would
        # call the string "relu": `keras.activations.get` turns names into functions.
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.W = self.add_weight(shape=(input_dim, self.units), initializer="random_normal")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        y = ops.matmul(inputs, self.W) + self.b  # tf.matmul
        if self.activation is not None:
            y = self.activation(y)
        return y


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few samples and epochs")
    parser.add_argument("--out", help="folder for written files (default: a new temp dir)")
    args = parser.parse_args()
    args.out = args.out or tempfile.mkdtemp(prefix="torchkeras_example_")
    os.makedirs(args.out, exist_ok=True)
    return args


def point_clouds(num_samples_per_class):
    """Seed 002's listings 3.13-3.15: two classes of 2D points."""
    cov = [[1, 0.5], [0.5, 1]]
    negative_samples = np.random.multivariate_normal(
        mean=[0, 3], cov=cov, size=num_samples_per_class)
    positive_samples = np.random.multivariate_normal(
        mean=[3, 0], cov=cov, size=num_samples_per_class)
    inputs = np.vstack((negative_samples, positive_samples)).astype(np.float32)
    targets = np.vstack((np.zeros((num_samples_per_class, 1), dtype="float32"),
                         np.ones((num_samples_per_class, 1), dtype="float32")))
    return inputs, targets


def custom_layer():
    my_dense = SimpleDense(units=32, activation=ops.relu)  # tf.nn.relu
    input = ops.ones(shape=(2, 784))  # tf.ones
    output = my_dense(input)
    print("SimpleDense output shape:", tuple(output.shape))

    model = keras.Sequential([
        SimpleDense(32, activation="relu"),
        SimpleDense(64, activation="relu"),
        SimpleDense(32, activation="relu"),
        SimpleDense(10, activation="softmax"),
    ])
    model(ops.ones(shape=(2, 784)))  # weights are created on the first call
    model.summary()


def my_custom_loss(y_true, y_pred):
    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


def my_custom_metric_1(y_true, y_pred):
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


def my_custom_metric_2(y_true, y_pred):
    return ops.max(ops.abs(y_true - y_pred), axis=-1)


def compile_variants():
    model = keras.Sequential([keras.layers.Dense(1)])
    model.compile(optimizer="rmsprop",
                  loss="mean_squared_error",  # seed 000: "mean_square_error" (no such name)
                  metrics=["accuracy"])
    # Seeds 000/003: `keras.optimizer.RMSprop` and `keras.losses.meanSquaredError`: the module
    # is `keras.optimizers` and the class `MeanSquaredError`.
    model.compile(optimizer=keras.optimizers.RMSprop(),
                  loss=keras.losses.MeanSquaredError(),
                  metrics=[keras.metrics.BinaryAccuracy()])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-4),
                  loss=my_custom_loss,
                  metrics=[my_custom_metric_1, my_custom_metric_2])
    return model


def fit_with_validation(inputs, targets, epochs):
    model = keras.Sequential([keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.1),  # seed: keras.optimizer
                  loss=keras.losses.MeanSquaredError(),
                  metrics=[keras.metrics.BinaryAccuracy()])

    indices_permutation = np.random.permutation(len(inputs))
    shuffled_inputs = inputs[indices_permutation]
    shuffled_targets = targets[indices_permutation]

    num_validation_samples = int(0.3 * len(inputs))
    val_inputs = shuffled_inputs[:num_validation_samples]
    val_targets = shuffled_targets[:num_validation_samples]
    # Seeds 000/003 drop the `:` of these two slices, name `training_target` then use
    # `training_targets`, miss a comma after `epochs=5` and write `val_targets0`: fixed here.
    training_inputs = shuffled_inputs[num_validation_samples:]
    training_targets = shuffled_targets[num_validation_samples:]
    history = model.fit(
        training_inputs,
        training_targets,
        epochs=epochs,
        batch_size=16,
        validation_data=(val_inputs, val_targets),
    )
    print("history keys:", sorted(history.history))
    loss_and_metrics = model.evaluate(val_inputs, val_targets, batch_size=128)
    print("evaluate:", loss_and_metrics)
    predictions = model(val_inputs[:5])  # a torch tensor (a tf.Tensor in the seed)
    predictions = model.predict(val_inputs, batch_size=128)  # a NumPy array
    print("predictions[:10]:", predictions[:10].ravel())


def main():
    args = parse_args()
    keras.utils.set_random_seed(0)
    custom_layer()
    compile_variants()
    inputs, targets = point_clouds(100 if args.quick else 1000)
    fit_with_validation(inputs, targets, epochs=2 if args.quick else 5)


if __name__ == "__main__":
    main()
