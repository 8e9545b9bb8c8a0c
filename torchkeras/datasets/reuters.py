"""`keras.datasets.reuters`: 11,228 Reuters newswires as word-index sequences, 46 topics."""

import json

import numpy as np

from torchkeras.datasets import sequences
from torchkeras.datasets.safe_arrays import load_npz
from torchkeras.datasets.sources import KERAS_DATASETS, fetch
from torchkeras.utils.file_utils import get_file

_SHA256 = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
_LABELS = (
    "cocoa grain veg-oil earn acq wheat copper housing money-supply coffee sugar trade reserves "
    "ship cotton carcass crude nat-gas cpi money-fx interest gnp meal-feed alum oilseed gold tin "
    "strategic-metal livestock retail ipi iron-steel rubber heat jobs lei bop zinc orange "
    "pet-chem dlr gas silver wpi hog lead"
).split()


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3):
    """Returns `(x_train, y_train), (x_test, y_test)`: object arrays of word-index lists and
    topic labels, split `1 - test_split` / `test_split` after a seeded shuffle.

    Args: as `imdb.load_data`, plus `test_split`, the fraction kept for testing.
    """
    data = load_npz(fetch(path, "reuters.npz", _SHA256))
    xs, labels = sequences.shuffled(data["x"], data["y"], np.random.RandomState(seed))
    xs = sequences.offset(xs, start_char, index_from)
    if maxlen:
        xs, labels = sequences.drop_long(maxlen, xs, labels)
    xs = sequences.limit_vocabulary(xs, num_words, skip_top, oov_char)
    cut = int(len(xs) * (1 - test_split))
    x_train, x_test = sequences.as_object_array(xs[:cut]), sequences.as_object_array(xs[cut:])
    return (x_train, np.array(labels[:cut])), (x_test, np.array(labels[cut:]))


def get_word_index(path="reuters_word_index.json"):
    """The `{word: index}` dict of the Reuters data (indices before `index_from` is added)."""
    path = get_file(path, origin=f"{KERAS_DATASETS}reuters_word_index.json",
                    file_hash="4d44cc38712099c9e383dc6e5f11a921")
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def get_label_names():
    """The 46 topic names, indexed by label."""
    return tuple(_LABELS)
