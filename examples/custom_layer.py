"""Seed 004 (an R keras guide) in Python: a custom layer with `compute_output_shape`, a custom
model, and training with EarlyStopping and TensorBoard callbacks.

The R `CustomLayer` (an R6 class with `build`, `call` and `compute_output_shape`) becomes a
`keras.layers.Layer` subclass; `keras_model_custom(...)` becomes a `keras.Model` subclass;
`callback_early_stopping`/`callback_tensorboard` are `keras.callbacks.EarlyStopping`/`TensorBoard`
(logs under `--out`/logs, skipped with a message when `tensorboard` is not installed).

Run: python examples/custom_layer.py [--quick] [--out DIR]
"""

import argparse
import os
import tempfile

import numpy as np

import torchkeras as keras
from torchkeras import layers, ops


class CustomLayer(keras.layers.Layer):
    """`output = x · kernel`: a matrix multiplication with a learned kernel."""

    def __init__(self, output_dim, **kwargs):
        super().__init__(**kwargs)
        self.output_dim = output_dim

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="kernel",
            shape=(input_shape[1], self.output_dim),  # R's input_shape[[2]] (1-based)
            initializer=keras.initializers.RandomNormal(),  # initializer_random_normal()
            trainable=True)

    def call(self, x, mask=None):
        return ops.dot(x, self.kernel)  # k_dot

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_dim)

    def get_config(self):  # so that the layer saves and reloads (not in the R seed)
        return {**super().get_config(), "output_dim": self.output_dim}


class MyModel(keras.Model):
    """`keras_model_custom(...)`: the layers are made once, `call` runs on every batch."""

    def __init__(self, output_dim=10, name=None):
        super().__init__(name=name)
        self.dense1 = layers.Dense(64, activation="relu")
        self.dense2 = layers.Dense(64, activation="relu")
        self.dense3 = layers.Dense(output_dim, activation="softmax")

    def call(self, inputs, mask=None):
        x = self.dense1(inputs)
        x = self.dense2(x)
        return self.dense3(x)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few samples and epochs")
    parser.add_argument("--out", help="folder for written files (default: a new temp dir)")
    args = parser.parse_args()
    args.out = args.out or tempfile.mkdtemp(prefix="torchkeras_example_")
    os.makedirs(args.out, exist_ok=True)
    return args


def callbacks_for(out):
    callbacks = [keras.callbacks.EarlyStopping(patience=2, monitor="val_loss")]
    try:
        callbacks.append(keras.callbacks.TensorBoard(log_dir=os.path.join(out, "logs")))
    except ImportError as error:
        print(f"TensorBoard logging skipped: {error}")
    return callbacks


def main():
    args = parse_args()
    keras.utils.set_random_seed(0)
    samples = 100 if args.quick else 1000
    data = np.random.random((samples, 32)).astype("float32")
    labels = np.random.random((samples, 10)).astype("float32")
    val_data = np.random.random((100, 32)).astype("float32")
    val_labels = np.random.random((100, 10)).astype("float32")

    layer = CustomLayer(output_dim=32)
    print("compute_output_shape:", layer.compute_output_shape((None, 32)))
    # The R seed passes `units = 32, input_shape = c(32, 32)` to its `layer_custom(output_dim)`
    # wrapper; the kernel is built from the second axis, so inputs are (batch, 32) here.
    model = keras.Sequential([
        keras.Input(shape=(32,)),
        layers.Dense(units=32),
        CustomLayer(output_dim=32),
        layers.Dense(10, activation="softmax"),
    ])
    model.summary()
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001),  # optimizer_rmsprop(lr=)
                  loss="categorical_crossentropy", metrics=["accuracy"])
    epochs = 2 if args.quick else 5
    history = model.fit(data, labels, batch_size=32, epochs=epochs, verbose=2,
                        callbacks=callbacks_for(args.out), validation_data=(val_data, val_labels))
    print("history keys:", sorted(history.history))

    custom = MyModel(output_dim=10)
    custom.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001),
                   loss="categorical_crossentropy", metrics=["accuracy"])
    history = custom.fit(data, labels, batch_size=32, epochs=epochs, verbose=2)
    print("custom model history keys:", sorted(history.history))

    path = os.path.join(args.out, "custom_layer_model.keras")
    model.save(path)
    reloaded = keras.models.load_model(path, custom_objects={"CustomLayer": CustomLayer})
    same = np.allclose(reloaded.predict(val_data, verbose=0), model.predict(val_data, verbose=0))
    print("reloaded with custom_objects, same predictions:", same)


if __name__ == "__main__":
    main()
