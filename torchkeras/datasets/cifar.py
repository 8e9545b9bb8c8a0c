"""The CIFAR batch files (pickled dicts of numpy arrays), read with the array-only unpickler."""

import numpy as np

from torchkeras import config
from torchkeras.datasets.safe_arrays import load_pickle


def load_batch(fpath, label_key="labels"):
    """`(data (n, 3, 32, 32) uint8, labels)` of one CIFAR batch file."""
    with open(fpath, "rb") as file:
        batch = {key.decode("utf8"): value for key, value in load_pickle(file, "bytes").items()}
    data = batch["data"]
    return data.reshape(data.shape[0], 3, 32, 32), batch[label_key]


def to_image_format(x_train, x_test):
    """Channels last (Keras' default) unless `image_data_format()` is channels_first."""
    if config.image_data_format() == "channels_last":
        return x_train.transpose(0, 2, 3, 1), x_test.transpose(0, 2, 3, 1)
    return x_train, x_test


def as_column(labels, dtype="uint8"):
    return np.asarray(labels, dtype=dtype).reshape(-1, 1)
