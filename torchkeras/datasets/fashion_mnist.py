"""`keras.datasets.fashion_mnist`: 70,000 28x28 grayscale images of 10 kinds of clothing."""

import gzip
import os

import numpy as np

from torchkeras.datasets.sources import KERAS_DATASETS
from torchkeras.utils.file_utils import get_file

_FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)


def _read(path, offset):
    with gzip.open(path, "rb") as file:
        return np.frombuffer(file.read(), np.uint8, offset=offset)


def load_data():
    """Returns `(x_train, y_train), (x_test, y_test)`: uint8 arrays `(60000, 28, 28)`,
    `(60000,)`, `(10000, 28, 28)`, `(10000,)` (IDX files in `~/.keras/datasets/fashion-mnist`)."""
    folder = os.path.join("datasets", "fashion-mnist")
    paths = [get_file(name, origin=KERAS_DATASETS + name, cache_subdir=folder) for name in _FILES]
    y_train, y_test = _read(paths[0], 8), _read(paths[2], 8)
    x_train = _read(paths[1], 16).reshape(len(y_train), 28, 28)
    x_test = _read(paths[3], 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
