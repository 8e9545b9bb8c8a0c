"""Which files a `*_dataset_from_directory` call reads, with which labels, in which order.

The rules are Keras' (`keras.src.utils.dataset_utils`), so the same directory and seed give the
same `file_paths`, labels, `class_names` and training/validation split: class sub-directories in
sorted order (hidden ones skipped), files found by `os.walk` in sorted order, and a shuffle of
the whole list with `np.random.RandomState(seed)`.
"""

import os

import numpy as np

from torchkeras.utils.io_utils import print_msg


def check_validation_split_arg(validation_split, subset, shuffle, seed):
    """Keras' checks of `validation_split`, `subset` and `seed`, as ValueErrors."""
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(
            f"`validation_split` must be between 0 and 1, received: {validation_split}"
        )
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError(
            "If `subset` is set, `validation_split` must be set, and inversely. Received: "
            f"validation_split={validation_split}, subset={subset}"
        )
    if subset not in ("training", "validation", "both", None):
        raise ValueError(
            f'`subset` must be either "training", "validation" or "both", received: {subset}'
        )
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "If using `validation_split` and shuffling the data, you must provide a `seed` "
            "argument, to make sure that there is no overlap between the training and "
            "validation subset."
        )


def _class_subdirs(directory, class_names):
    subdirs = [
        name.rstrip("/")
        for name in sorted(os.listdir(directory))
        if os.path.isdir(os.path.join(directory, name)) and not name.startswith(".")
    ]
    if class_names is None:
        return subdirs
    if not set(class_names).issubset(subdirs):
        raise ValueError(
            "The `class_names` passed did not match the names of the subdirectories of the "
            f"target directory. Expected: {subdirs} (or a subset of it), but received: "
            f"class_names={class_names}"
        )
    return list(class_names)


def _valid_files(directory, follow_links, formats):
    """`(root, file name)` of the allowed files under `directory`, sorted as Keras sorts."""
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links),
                                 key=lambda entry: entry[0]):
        for name in sorted(files):
            if name.lower().endswith(formats):
                yield root, name


def _index_subdirectory(directory, follow_links, formats):
    """Paths relative to the dataset root (`subdir/.../file`) of the files under `directory`."""
    dirname = os.path.basename(directory)
    return [
        os.path.join(dirname, os.path.relpath(os.path.join(root, name), directory))
        for root, name in _valid_files(directory, follow_links, formats)
    ]


def _subdirs_for(labels, class_names, directory):
    if labels == "inferred":
        return _class_subdirs(directory, class_names)
    if class_names is not None:
        if labels is None:
            raise ValueError(
                "When `labels=None` (no labels), argument `class_names` cannot be specified."
            )
        raise ValueError(
            "When argument `labels` is specified, argument `class_names` cannot be specified "
            "(the `class_names` will be the sorted list of labels)."
        )
    return [""]  # explicit labels or none: every file under `directory`


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False, verbose=True):
    """Lists the files of `directory` with their labels, as Keras' `index_directory`.

    Args:
        directory: Root directory.
        labels: `"inferred"` (one class per sub-directory), None, or a list of integer labels
            in the sorted order of the files.
        formats: Tuple of allowed lower-case extensions, e.g. `(".txt",)`.
        class_names: With `"inferred"`, the sub-directories to use, in label order.
        shuffle: Shuffle the files (else keep the sorted order).
        seed: Seed of the shuffle.
        follow_links: Whether to walk into symbolically linked sub-directories.
        verbose: Print how many files and classes were found.

    Returns:
        `(file_paths, labels, class_names)`: a list of paths, an int32 array of labels (None
        without labels) and the class names (None without labels).
    """
    subdirs = _subdirs_for(labels, class_names, directory)
    filenames, file_labels = [], []
    for index, subdir in enumerate(subdirs):
        found = _index_subdirectory(os.path.join(directory, subdir), follow_links, formats)
        filenames += found
        file_labels += [index] * len(found)
    if labels == "inferred":
        class_names, labels = subdirs, np.asarray(file_labels, dtype="int32")
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(filenames):
            raise ValueError(
                "Expected the lengths of `labels` to match the number of files in the target "
                f"directory. len(labels) is {len(labels)} while we found {len(filenames)} "
                f"files in directory {directory}."
            )
        class_names = [str(label) for label in sorted(set(labels))]
        labels = np.asarray(labels, dtype="int32")
    if verbose:
        classes = "" if labels is None else f" belonging to {len(class_names)} classes"
        print_msg(f"Found {len(filenames)} files{classes}.")
    file_paths = [os.path.join(directory, name) for name in filenames]
    if shuffle:
        seed = np.random.randint(1e6) if seed is None else seed
        np.random.RandomState(seed).shuffle(file_paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return file_paths, labels, class_names


def training_or_validation_split(samples, labels, validation_split, subset):
    """The last `int(validation_split * n)` samples are for validation, the rest for training.

    As in Keras, a split that rounds to zero samples leaves training empty and gives every
    sample to validation (`samples[-0:]`).
    """
    if not validation_split:
        return samples, labels
    count = int(validation_split * len(samples))
    if subset == "training":
        print_msg(f"Using {len(samples) - count} files for training.")
        return samples[:-count], None if labels is None else labels[:-count]
    if subset == "validation":
        print_msg(f"Using {count} files for validation.")
        return samples[-count:], None if labels is None else labels[-count:]
    raise ValueError(f'`subset` must be either "training" or "validation", received: {subset}')
