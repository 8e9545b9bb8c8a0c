"""`text_dataset_from_directory`: labelled batches of strings read from `.txt` files."""

import numpy as np

from torchkeras.utils.dataset_from_directory import (
    DirectoryDataset,
    check_labels_args,
    make_datasets,
)


class TextDataset(DirectoryDataset):
    """A `DirectoryDataset` whose samples are Python strings, batched as numpy `str` arrays."""

    def stack(self, samples):
        return np.array(samples, dtype=str)


def read_text(path, max_length):
    """The file's text (UTF-8), cut to its first `max_length` characters when given."""
    with open(path, encoding="utf-8") as file:
        text = file.read()
    return text if max_length is None else text[:max_length]


def text_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    batch_size=32,
    max_length=None,
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    follow_links=False,
    format="tf",
    verbose=True,
):
    """Batches of texts from the `.txt` files under `directory`, labelled by sub-directory.

    Keras returns a `tf.data.Dataset` of byte strings; this returns a `PyDataset` of numpy
    batches `(texts, labels)` (texts alone without labels), texts a `str` array as
    `TextVectorization` takes it, with `class_names` and `file_paths`. Files, labels, order and
    split are Keras'. Files are decoded as UTF-8 and `max_length` counts characters, as Keras'
    Python path (`format="grain"`) on a UTF-8 system (TensorFlow's counts bytes).

    Args:
        directory: Root directory; with `labels="inferred"`, one sub-directory per class.
        labels: `"inferred"`, None, or a list of integer labels in the files' sorted order.
        label_mode: `"int"` (int32 `(batch,)`), `"categorical"` (float32 one-hot),
            `"binary"` (float32 `(batch, 1)`, two classes) or None (no labels).
        class_names: With `"inferred"`, the sub-directories to use, in label order.
        batch_size: Texts per batch; None yields single texts.
        max_length: Keep only the first `max_length` characters of each text.
        shuffle: Shuffle the files (else alphanumeric order).
        seed: Seed of the shuffle (required with `validation_split` and `shuffle`).
        validation_split: Fraction of the files kept for validation (the last ones).
        subset: `"training"`, `"validation"` or `"both"` (a list of the two datasets).
        follow_links: Walk into symbolically linked sub-directories.
        format: `"tf"` or `"grain"` (Keras' choices; both give this `PyDataset`).
        verbose: Print how many files and classes were found.

    Returns:
        A `PyDataset`, or a list `[training, validation]` with `subset="both"`.

    Shapes: texts `(batch,)` of `str`.
    """
    check_labels_args(labels, label_mode, class_names, format, "text")
    if labels is None or label_mode is None:
        labels, label_mode = None, None

    def load(path):
        return read_text(path, max_length)

    return make_datasets(
        directory, labels, label_mode, class_names, (".txt",), load, batch_size, shuffle,
        seed, validation_split, subset, follow_links, verbose, "text files",
        dataset_class=TextDataset,
    )
