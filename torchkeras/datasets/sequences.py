"""The word-index sequence datasets' shared processing (IMDB, Reuters), as Keras does it."""

import numpy as np


def shuffled(xs, labels, rng):
    """`xs` and `labels` in the order of a shuffle by `rng` (a `np.random.RandomState`)."""
    order = np.arange(len(xs))
    rng.shuffle(order)
    return xs[order], labels[order]


def offset(xs, start_char, index_from):
    """Word indices shifted by `index_from`, each sequence led by `start_char` when given."""
    lead = [] if start_char is None else [start_char]
    return [lead + [w + index_from for w in x] for x in xs]


def drop_long(maxlen, xs, labels):
    """Keeps the sequences shorter than `maxlen` (and their labels)."""
    kept = [(x, y) for x, y in zip(xs, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def limit_vocabulary(xs, num_words, skip_top, oov_char):
    """Words outside `[skip_top, num_words)` become `oov_char`, or are dropped when it is None."""
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def as_object_array(xs):
    """A 1-D object array of lists (ragged sequences), as Keras returns them."""
    array = np.empty(len(xs), dtype="object")
    array[:] = [list(x) for x in xs]
    return array
