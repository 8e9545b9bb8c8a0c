"""`torchkeras.datasets.digits`: 1,797 8x8 handwritten digits shipped inside the package.

Not a Keras dataset: a small real data set that trains offline in seconds (README quickstart,
tests). The UCI "Optical Recognition of Handwritten Digits" test set (Alpaydin & Kaynak, 1998,
CC BY 4.0; see `data/DIGITS_LICENSE.md`): pixel values are integers 0..16.
"""

from importlib import resources

import numpy as np

from torchkeras.datasets.sources import shuffled_split


def load_data(test_split=0.2, seed=113):
    """Returns `(x_train, y_train), (x_test, y_test)`: uint8 images `(n, 8, 8)` with values
    0..16 and labels 0..9, split after a seeded shuffle as Keras' tabular datasets are.

    Args:
        test_split: Fraction of the samples kept for testing.
        seed: Seed of the shuffle.
    """
    with resources.files("torchkeras.datasets").joinpath("data/digits.npz").open("rb") as file:
        with np.load(file, allow_pickle=False) as data:
            x, y = data["x"], data["y"]
    return shuffled_split(x, y, test_split, seed)
