"""Where Keras' datasets come from: origins, digests and the shared split/shuffle rule."""

import numpy as np

from torchkeras.utils.file_utils import get_file

KERAS_DATASETS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def fetch(path, name, sha256):
    """The cached (or downloaded) file `name` of Keras' dataset bucket, verified."""
    return get_file(fname=path, origin=f"{KERAS_DATASETS}{name}", file_hash=sha256)


def shuffled_split(x, y, test_split, seed):
    """Keras' tabular split: shuffle with `RandomState(seed)`, first `1 - test_split` trains."""
    if not 0 <= test_split < 1:
        raise ValueError(f"`test_split` must be in [0, 1), got test_split={test_split!r}.")
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))
