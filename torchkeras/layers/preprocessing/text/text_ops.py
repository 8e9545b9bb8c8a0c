"""The string steps of TextVectorization, as TensorFlow's string ops compute them (Python).

`tf.strings.lower` lowercases ASCII letters only, the punctuation class is Keras' ASCII set,
whitespace splitting uses ASCII whitespace (`bytes.split`), and `tf.strings.ngrams` joins
each width's n-grams with a space, all widths of a row in order of `widths`.
"""

import re

import numpy as np

STANDARDIZE_MODES = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
SPLIT_MODES = ("whitespace", "character")

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,\-\./:;<=>?@\[\\\]^_`{|}~\']')


def standardize(texts, mode):
    """Applies a built-in standardization (or a callable, on the numpy `str` array) to `texts`."""
    if callable(mode):
        return np.asarray(mode(texts)).astype(str)
    if mode is None:
        return texts
    flat = texts.reshape(-1).tolist()
    if mode in ("lower", "lower_and_strip_punctuation"):
        flat = [text.translate(_ASCII_LOWER) for text in flat]
    if mode in ("strip_punctuation", "lower_and_strip_punctuation"):
        flat = [_PUNCTUATION.sub("", text) for text in flat]
    return np.array(flat, dtype=str).reshape(texts.shape)


def split(texts, mode, encoding="utf-8"):
    """Token lists, one per string of the 1-D array `texts` (a callable gets the array)."""
    if callable(mode):
        return [[str(token) for token in row] for row in mode(texts)]
    if mode == "character":
        return [list(text) for text in texts.tolist()]
    return [
        [token.decode(encoding) for token in text.encode(encoding).split()]
        for text in texts.tolist()
    ]


def ngrams(tokens, widths):
    """The n-grams of one token list for every width in `widths`, joined by spaces."""
    grams = []
    for width in widths:
        grams.extend(" ".join(tokens[i : i + width]) for i in range(len(tokens) - width + 1))
    return grams
