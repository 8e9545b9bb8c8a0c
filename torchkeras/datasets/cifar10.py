"""`keras.datasets.cifar10`: 60,000 32x32 colour images of 10 classes (Krizhevsky, 2009)."""

import os

import numpy as np

from torchkeras.datasets.cifar import as_column, load_batch, to_image_format
from torchkeras.utils.file_utils import get_file

_ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"


def load_data():
    """Returns `(x_train, y_train), (x_test, y_test)`: uint8 images `(50000, 32, 32, 3)` and
    `(10000, 32, 32, 3)` (channels first under that image data format), labels `(n, 1)`."""
    root = get_file(fname="cifar-10-batches-py-target", origin=_ORIGIN, extract=True,
                    file_hash=_SHA256)
    folder = os.path.join(root, "cifar-10-batches-py")
    batches = [load_batch(os.path.join(folder, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([data for data, _ in batches]).astype("uint8")
    y_train = as_column(np.concatenate([labels for _, labels in batches]))
    x_test, y_test = load_batch(os.path.join(folder, "test_batch"))
    x_train, x_test = to_image_format(x_train, x_test.astype("uint8"))
    return (x_train, y_train), (x_test, as_column(y_test))
