"""`keras.datasets.mnist`: 70,000 28x28 grayscale digits (LeCun & Cortes, CC BY-SA 3.0)."""

import numpy as np

from torchkeras.datasets.sources import fetch

_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path="mnist.npz"):
    """Returns `(x_train, y_train), (x_test, y_test)`: uint8 arrays `(60000, 28, 28)`,
    `(60000,)`, `(10000, 28, 28)`, `(10000,)`, read from Keras' cache (`~/.keras/datasets`).

    Args:
        path: File name in the cache.
    """
    with np.load(fetch(path, "mnist.npz", _SHA256), allow_pickle=False) as data:
        return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])
