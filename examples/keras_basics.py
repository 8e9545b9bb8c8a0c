"""Seed 001's tour of the Keras architecture, in the tf.keras 2 spellings it was written with.

`from ... import layers, models, optimizers, losses, metrics`; Sequential models written both
ways; the functional API with Keras 1's `models.Model(input=..., output=...)`; activations and
regularizers; the three equivalent `compile` calls; `fit`, `fit_generator`, `train_on_batch`,
`evaluate`, `predict`. The old spellings (`input=`/`output=`, `lr=`, `fit_generator`) still run
and warn with the Keras 3 spelling to use.

Run: python examples/keras_basics.py [--quick] [--out DIR]
"""

import argparse
import os
import tempfile

import numpy as np

import torchkeras as keras
from torchkeras import (  # was: tensorflow.keras
    layers,
    losses,
    metrics,
    models,
    optimizers,
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few samples and epochs")
    parser.add_argument("--out", help="folder for written files (default: a new temp dir)")
    args = parser.parse_args()
    args.out = args.out or tempfile.mkdtemp(prefix="torchkeras_example_")
    os.makedirs(args.out, exist_ok=True)
    return args


def sequential_models():
    # "first layer, second layer, ..., last layer" in the seed: a small classifier here.
    model = models.Sequential([
        layers.Dense(16, activation="relu"),
        layers.Dense(16, activation="relu"),
        layers.Dense(3, activation="softmax"),
    ])
    model = models.Sequential()
    model.add(layers.Dense(16))
    model.add(layers.Activation("relu"))  # an activation as its own layer
    model.add(layers.Dense(3, activation="softmax"))
    return model


def functional_model(units=16):
    inputs = layers.Input(shape=(4,))
    first = layers.Dense(units, activation=keras.activations.relu)(inputs)
    second = layers.Dense(units, activation="sigmoid")(first)
    outputs = layers.Dense(3, activation="softmax")(second)
    # Keras 1 spelling kept from the seed: accepted with a DeprecationWarning that says
    # `inputs=`/`outputs=`.
    return models.Model(input=inputs, output=outputs)


def regularized_layers():
    return [
        layers.Dense(8, kernel_regularizer=keras.regularizers.L1(l1=0.01)),  # penalize the kernel
        layers.Dense(8, bias_regularizer=keras.regularizers.L2(l2=0.01)),  # penalize the bias
        layers.Dense(8, activity_regularizer=keras.regularizers.L1L2(l1=0.01, l2=0.01)),
    ]


def loss_and_optimizer_objects():
    print(losses.binary_crossentropy.__name__, losses.BinaryCrossentropy().name,
          losses.BinaryCrossentropy(from_logits=True).get_config()["from_logits"])
    # `lr=` is tf.keras 2's spelling: torchkeras accepts it with a warning (Keras 3 refuses it).
    for optimizer in (optimizers.SGD(lr=0.01), optimizers.RMSprop(lr=0.001),
                      optimizers.Adam(lr=0.001)):
        print(type(optimizer).__name__, float(optimizer.learning_rate))


def three_equal_compiles(model):
    model.compile(optimizer=optimizers.RMSprop(), loss=losses.MeanSquaredError(),
                  metrics=[metrics.mae])
    model.compile(optimizer=optimizers.RMSprop(), loss=losses.mean_squared_error,
                  metrics=[metrics.mae])
    model.compile(optimizer="RMSprop", loss="mean_squared_error", metrics=["mae"])


def batches(x, y, batch_size):
    """An endless generator of batches, what `fit_generator` was made for."""
    while True:
        for start in range(0, len(x), batch_size):
            yield x[start:start + batch_size], y[start:start + batch_size]


def train_and_use(model, samples, epochs):
    rng = np.random.default_rng(0)
    train_inputs = rng.normal(size=(samples, 4)).astype("float32")
    train_outputs = np.eye(3, dtype="float32")[rng.integers(0, 3, size=samples)]
    history = model.fit(train_inputs, train_outputs, epochs=epochs, verbose=2)
    print("history keys:", sorted(history.history))
    # The seed passes arrays to `fit_generator`; it takes a generator and steps per epoch.
    history = model.fit_generator(batches(train_inputs, train_outputs, 32),
                                  steps_per_epoch=samples // 32, epochs=epochs, verbose=2)
    print("fit_generator history keys:", sorted(history.history))
    # The seed gives `train_on_batch` an `epochs=` argument, which it never had: one batch.
    print("train_on_batch:", model.train_on_batch(train_inputs[:32], train_outputs[:32]))
    score = model.evaluate(train_inputs, train_outputs, verbose=0)
    print("evaluate:", score, "metrics_names:", model.metrics_names)
    output = model.predict(train_inputs[:5], verbose=0)
    print("predict:", output.shape)


def main():
    args = parse_args()
    keras.utils.set_random_seed(0)
    sequential_models()
    model = functional_model()
    regularized = models.Sequential([layers.Input(shape=(4,)), *regularized_layers()])
    regularized(np.ones((2, 4), "float32"))
    print("regularization losses:", len(regularized.losses))
    loss_and_optimizer_objects()
    three_equal_compiles(model)
    train_and_use(model, samples=128 if args.quick else 2048, epochs=1 if args.quick else 10)


if __name__ == "__main__":
    main()
