"""`keras.datasets.boston_housing`: 506 Boston suburbs, 13 features, median home value (1978)."""

import numpy as np

from torchkeras.datasets.sources import fetch, shuffled_split

_SHA256 = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Returns `(x_train, y_train), (x_test, y_test)` after a seeded shuffle.

    Args:
        path: File name in the cache.
        test_split: Fraction of the samples kept for testing.
        seed: Seed of the shuffle.
    """
    with np.load(fetch(path, "boston_housing.npz", _SHA256), allow_pickle=False) as data:
        return shuffled_split(data["x"], data["y"], test_split, seed)
