"""Quickstart: build, train, evaluate and use a Keras model on PyTorch, on made-up data.

Run: python examples/quickstart.py [--quick]
"""

import argparse

import numpy as np

import torchkeras as keras
from torchkeras import layers


def make_data(samples=2000, seed=0):
    """Two Gaussian point clouds, labelled 0 and 1 (the linear-classifier data of the seeds)."""
    rng = np.random.default_rng(seed)
    cov = [[1, 0.5], [0.5, 1]]
    negative = rng.multivariate_normal([0, 3], cov, size=samples // 2)
    positive = rng.multivariate_normal([3, 0], cov, size=samples // 2)
    inputs = np.vstack([negative, positive]).astype("float32")
    targets = np.concatenate([np.zeros(samples // 2), np.ones(samples // 2)]).astype("float32")
    order = rng.permutation(samples)
    return inputs[order], targets[order, None]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="train for one epoch only")
    args = parser.parse_args()
    keras.utils.set_random_seed(0)

    inputs = keras.Input(shape=(2,), name="point")
    hidden = layers.Dense(16, activation="relu")(inputs)
    outputs = layers.Dense(1, activation="sigmoid", name="is_positive")(hidden)
    model = keras.Model(inputs, outputs)
    model.summary()

    x, y = make_data()
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=1 if args.quick else 10, validation_split=0.2, verbose=2)
    loss, accuracy = model.evaluate(x, y, verbose=0)
    print(f"history keys: {sorted(history.history)}")
    print(f"evaluate: loss {loss:.4f}, accuracy {accuracy:.3f}")
    print("predict:", model.predict(x[:3], verbose=0).ravel())
    # The model is a torch.nn.Module: its state_dict reads naturally.
    print("state_dict keys:", list(model.state_dict()))


if __name__ == "__main__":
    main()
