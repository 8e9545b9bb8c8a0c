"""`keras.datasets.california_housing`: 20,640 districts of the 1990 US census, 8 features."""

import numpy as np

from torchkeras.datasets.sources import fetch, shuffled_split

_SHA256 = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """Returns `(x_train, y_train), (x_test, y_test)` after a seeded shuffle.

    Args:
        version: `"large"` (all samples) or `"small"` (the first 600).
        path: File name in the cache.
        test_split: Fraction of the samples kept for testing.
        seed: Seed of the shuffle.
    """
    if version not in ("small", "large"):
        raise ValueError(
            f"Argument `version` must be one of 'small', 'large'. Received: version={version}"
        )
    with np.load(fetch(path, "california_housing.npz", _SHA256), allow_pickle=False) as data:
        x, y = data["x"], data["y"]
    if version == "small":
        x, y = x[:600], y[:600]
    return shuffled_split(x, y, test_split, seed)
