"""The dataset that `image_dataset_from_directory` and `text_dataset_from_directory` return, and
the argument handling they share.

Keras returns a `tf.data.Dataset`; here it is a `PyDataset` of numpy batches that `fit`,
`evaluate` and `predict` take directly, with Keras' `class_names` and `file_paths` attributes.
Batch `i` holds the files at positions `[i * batch_size, (i + 1) * batch_size)` of the current
order. The first pass reads them in `file_paths` order (Keras' seeded shuffle of the files);
with `shuffle=True` every later pass (after each `on_epoch_end`) uses a new permutation drawn
from `seed` and the pass number, where Keras' `tf.data` reshuffles through a buffer of
`8 * batch_size` files.
"""

import math

import numpy as np

from torchkeras.utils import directory_index
from torchkeras.utils.py_dataset import PyDataset

LABEL_MODES = ("int", "categorical", "binary", None)


def encode_labels(labels, label_mode, num_classes):
    """int32 `(n,)` for "int", float32 `(n, 1)` for "binary", float32 one-hot for "categorical"
    (all zeros for a label outside `[0, num_classes)`, as `tf.one_hot`)."""
    labels = np.asarray(labels, dtype="int32")
    if label_mode == "binary":
        return labels.astype("float32")[:, None]
    if label_mode == "categorical":
        return (labels[:, None] == np.arange(num_classes)).astype("float32")
    return labels


class DirectoryDataset(PyDataset):
    """Batches `(x, y)` (or `x` alone without labels) of files read by `load(path)`.

    Args:
        file_paths: Paths of the files, in the order of the first pass.
        labels: Encoded labels (one row per file), or None.
        class_names: The class names, or None.
        load: Function `path -> numpy sample`.
        batch_size: Files per batch; None for single samples.
        shuffle: Whether to reshuffle after each pass.
        seed: Seed of those reshuffles.
    """

    def __init__(self, file_paths, labels, class_names, load, batch_size, shuffle, seed):
        super().__init__()
        self.file_paths = list(file_paths)
        self.class_names = class_names
        self.labels = labels
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self._load = load
        self._passes = 0
        self._order = np.arange(len(self.file_paths))

    def __len__(self):
        if self.batch_size is None:
            return len(self.file_paths)
        return math.ceil(len(self.file_paths) / self.batch_size)

    def __getitem__(self, index):
        if not -len(self) <= index < len(self):
            raise IndexError(f"Batch index {index} out of range for {len(self)} batches.")
        index %= len(self)
        if self.batch_size is None:
            position = self._order[index]
            x = self._load(self.file_paths[position])
            return x if self.labels is None else (x, self.labels[position])
        positions = self._order[index * self.batch_size:(index + 1) * self.batch_size]
        x = self.stack([self._load(self.file_paths[position]) for position in positions])
        return x if self.labels is None else (x, self.labels[positions])

    def stack(self, samples):
        """One batch from its samples: a numpy array with a leading batch axis."""
        return np.stack(samples)

    def on_epoch_end(self):
        """Draws the order of the next pass (a new permutation when shuffling)."""
        self._passes += 1
        if self.shuffle:
            rng = np.random.RandomState((self.seed + self._passes) % 2**32)
            self._order = rng.permutation(len(self.file_paths))

    def __repr__(self):
        return (f"<{type(self).__name__}: {len(self.file_paths)} files, {len(self)} batches, "
                f"class_names={self.class_names}>")


def check_labels_args(labels, label_mode, class_names, format, kind):
    """Keras' checks of `labels`, `label_mode`, `class_names` and `format`."""
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                "`labels` argument should be a list/tuple of integer labels, of the same size "
                f"as the number of {kind} files in the target directory. If you wish to infer "
                'the labels from the subdirectory names in the target directory, pass '
                '`labels="inferred"`. If you wish to get a dataset that only contains '
                f"{kind} samples (no labels), pass `labels=None`. Received: labels={labels}"
            )
        if class_names:
            raise ValueError(
                'You can only pass `class_names` if `labels="inferred"`. Received: '
                f"labels={labels}, and class_names={class_names}"
            )
    if label_mode not in LABEL_MODES:
        raise ValueError(
            '`label_mode` argument must be one of "int", "categorical", "binary", or None. '
            f"Received: label_mode={label_mode}"
        )
    if format not in ("tf", "grain"):
        raise ValueError(
            f'`format` should be either "tf" or "grain". Received: format={format}'
        )


def make_datasets(directory, labels, label_mode, class_names, formats, load, batch_size,
                  shuffle, seed, validation_split, subset, follow_links, verbose, kind,
                  dataset_class=DirectoryDataset):
    """Indexes `directory` and returns one dataset, or `[training, validation]` for "both".

    `labels`/`label_mode` are already checked (None together); `kind` ("images", "text files")
    names the files in errors.
    """
    directory_index.check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)  # drawn as Keras draws it, so set_random_seed repeats it
    paths, indices, class_names = directory_index.index_directory(
        directory, labels, formats=formats, class_names=class_names, shuffle=shuffle,
        seed=seed, follow_links=follow_links, verbose=verbose,
    )
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(
            'When passing `label_mode="binary"`, there must be exactly 2 class_names. '
            f"Received: class_names={class_names}"
        )
    num_classes = len(class_names) if class_names else 0
    subsets = ("training", "validation") if subset == "both" else (subset,)
    datasets = []
    for name in subsets:
        part_paths, part_labels = directory_index.training_or_validation_split(
            paths, indices, validation_split, name
        )
        if not part_paths:
            which = f"{name} " if subset == "both" else ""
            raise ValueError(
                f"No {which}{kind} found in directory {directory}. Allowed formats: {formats}"
            )
        encoded = None if label_mode is None else encode_labels(
            part_labels, label_mode, num_classes
        )
        # as Keras, only the validation half of subset="both" is never shuffled
        reshuffle = (shuffle and name != "validation") if subset == "both" else shuffle
        datasets.append(dataset_class(
            part_paths, encoded, class_names, load, batch_size, reshuffle, seed
        ))
    return datasets if subset == "both" else datasets[0]
