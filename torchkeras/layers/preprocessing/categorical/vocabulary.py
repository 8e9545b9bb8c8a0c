"""Vocabulary bookkeeping of the lookup layers, as Keras' `IndexLookup` does it (pure Python)."""

import collections

import numpy as np

from torchkeras import registry


class TokenCounts:
    """Token and document frequencies gathered by `adapt`, one batch of documents at a time."""

    def __init__(self):
        self.counts = collections.Counter()
        self.document_counts = collections.Counter()
        self.num_documents = 0

    def update(self, documents):
        """Counts the tokens of `documents`, a list of token lists."""
        for document in documents:
            self.counts.update(document)
            self.document_counts.update(set(document))
        self.num_documents += len(documents)

    def most_common(self, exclude, limit):
        """Tokens by count, ties broken by the token, both descending (Keras' `lexsort[::-1]`)."""
        tokens = [t for t in self.counts if t not in exclude]
        tokens.sort(key=lambda t: (self.counts[t], t), reverse=True)
        return tokens if limit is None else tokens[:limit]

    def idf_weights(self, tokens):
        """`log(1 + num_documents / (1 + document_count))` per token, as float32."""
        counts = np.array([self.document_counts[t] for t in tokens], dtype="float64")
        return np.log(1 + self.num_documents / (1 + counts)).astype("float32")


def repeated_tokens(tokens):
    """The tokens that occur more than once, in first-seen order."""
    return [token for token, count in collections.Counter(tokens).items() if count > 1]


def padded_idf(idf_weights, front, front_value, size):
    """`idf_weights` with `front` entries of `front_value` before it and zeros up to `size`."""
    idf_weights = np.asarray(idf_weights, dtype="float32")
    back = 0 if size is None else size - front - len(idf_weights)
    front_part = np.full(front, front_value, dtype="float32")
    return np.concatenate([front_part, idf_weights, np.zeros(max(back, 0), "float32")])


def read_vocabulary_file(path, is_string):
    """The tokens of a vocabulary file, one a line (trailing empty lines dropped).

    Refused while a model is being loaded: a path in a file's config could name any file on
    this machine (Keras' CVE-2025-12058). Saved vocabularies travel inside the archive instead.
    """
    if registry.in_deserialization():
        raise ValueError(
            "Requested the loading of a vocabulary file outside of the model archive while "
            f"loading a model: '{path}'. torchkeras never reads files named in a saved config; "
            "pass the vocabulary as a list, or set it after loading."
        )
    return read_vocabulary_lines(path, is_string)


def read_vocabulary_lines(path, is_string):
    """The tokens of a vocabulary file this library chose to read (e.g. inside an archive)."""
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    while lines and lines[-1] == "":
        lines.pop()
    return lines if is_string else [int(line) for line in lines]


def as_documents(data, to_tokens):
    """A batch of `adapt` data as a list of token lists (one per row; a 1-D batch is one row)."""
    if isinstance(data, list) and data and isinstance(data[0], list):  # ragged rows
        return [to_tokens(np.asarray(row, dtype=object)) for row in data]
    array = np.asarray(data)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim == 1:
        array = array[None]
    return [to_tokens(row.reshape(-1)) for row in array]
