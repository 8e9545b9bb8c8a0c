"""`keras.datasets.imdb`: 50,000 movie reviews as word-index sequences, labelled by sentiment."""

import json

import numpy as np

from torchkeras.datasets import sequences
from torchkeras.datasets.safe_arrays import load_npz
from torchkeras.datasets.sources import KERAS_DATASETS, fetch
from torchkeras.utils.file_utils import get_file

_SHA256 = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113,
              start_char=1, oov_char=2, index_from=3, **kwargs):
    """Returns `(x_train, y_train), (x_test, y_test)`: object arrays of word-index lists and
    0/1 labels, 25,000 reviews each (fewer with `maxlen`).

    Args:
        path: File name in the cache.
        num_words: Keep the most frequent `num_words` words; rarer ones become `oov_char`.
        skip_top: Also replace the `skip_top` most frequent words.
        maxlen: Drop reviews of `maxlen` words or more.
        seed: Seed of the shuffle.
        start_char: Index marking the start of each review (None: no marker).
        oov_char: Index of replaced words (None: drop them).
        index_from: Offset added to every word index.
    """
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {kwargs}.")
    data = load_npz(fetch(path, "imdb.npz", _SHA256))
    rng = np.random.RandomState(seed)  # one generator: the test shuffle follows the train's
    x_train, y_train = sequences.shuffled(data["x_train"], data["y_train"], rng)
    x_test, y_test = sequences.shuffled(data["x_test"], data["y_test"], rng)
    x_train = sequences.offset(x_train, start_char, index_from)
    x_test = sequences.offset(x_test, start_char, index_from)
    if maxlen:
        x_train, y_train = sequences.drop_long(maxlen, x_train, y_train)
        x_test, y_test = sequences.drop_long(maxlen, x_test, y_test)
        if not x_train or not x_test:
            raise ValueError(
                f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was "
                "kept. Increase maxlen."
            )
    xs = sequences.limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([y_train, y_test])
    cut = len(x_train)
    x_train, x_test = sequences.as_object_array(xs[:cut]), sequences.as_object_array(xs[cut:])
    return (x_train, labels[:cut]), (x_test, labels[cut:])


def get_word_index(path="imdb_word_index.json"):
    """The `{word: index}` dict of the IMDB data (indices before `index_from` is added)."""
    path = get_file(fname=path, origin=f"{KERAS_DATASETS}imdb_word_index.json",
                    file_hash="bfafd718b763782e994055a2d397834f")
    with open(path, encoding="utf-8") as file:
        return json.load(file)
