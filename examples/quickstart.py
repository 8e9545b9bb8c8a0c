"""Quickstart: a Keras model defined with torchkeras is a torch.nn.Module; train it on made-up data.

Run: python examples/quickstart.py [--quick]
"""

import argparse

import numpy as np
import torch

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
    return inputs, targets[:, None]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="train for a few steps only")
    args = parser.parse_args()
    keras.utils.set_random_seed(0)

    inputs = keras.Input(shape=(2,), name="point")
    hidden = layers.Dense(16, activation="relu")(inputs)
    outputs = layers.Dense(1, activation="sigmoid", name="is_positive")(hidden)
    model = keras.Model(inputs, outputs)
    model.summary()

    x, y = (torch.from_numpy(a) for a in make_data())
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    model.train()
    for step in range(20 if args.quick else 300):
        optimizer.zero_grad(set_to_none=True)
        loss = torch.nn.functional.binary_cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        if step % 50 == 0:
            print(f"step {step:3d}  loss {loss.item():.4f}")
    model.eval()
    accuracy = ((model(x) > 0.5).float() == y).float().mean().item()
    print(f"accuracy on the training points: {accuracy:.3f}")
    print("state_dict keys:", list(model.state_dict()))


if __name__ == "__main__":
    main()
