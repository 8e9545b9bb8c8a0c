"""Reading HDF5 files that may be hostile: plain in-file numeric arrays of bounded size only.

HDF5 can point outside the file (external links, external raw storage, virtual datasets that
map other files) and can declare huge shapes that a reader would allocate (CVE-2026-0897,
CVE-2026-1669). `index_datasets` walks the whole file once and refuses every such object;
`read_array` reads one dataset only after its shape has been checked against the tensor it
will fill, so memory is bounded by the model, not by the file.
"""

import h5py
import numpy as np

MAX_DEPTH = 64  # Keras files nest a few levels per sublayer; hard-link cycles exceed this
MAX_OBJECTS = 1_000_000
_NUMERIC_KINDS = "biuf"


class UnsafeH5Error(ValueError):
    """An HDF5 file holds an object torchkeras refuses to read (link, external data, ...)."""


# What h5py raises for damaged internals (bad B-tree or heap, addresses past the end ...).
_DAMAGE_ERRORS = (OSError, RuntimeError, KeyError, OverflowError, TypeError)


def index_datasets(h5file):
    """Checks every object of an open file; returns `{dataset_path: shape}`.

    Raises `UnsafeH5Error` for soft or external links, virtual datasets, datasets with
    external storage, non-numeric datasets, named datatypes, or a tree deeper than
    `MAX_DEPTH` levels or larger than `MAX_OBJECTS` objects; `ValueError` for a damaged file.
    """
    try:
        return _index(h5file)
    except _DAMAGE_ERRORS as exc:
        raise ValueError(f"HDF5 file '{h5file.filename}' is damaged: {exc}") from exc


def _index(h5file):
    shapes = {}
    stack = [(h5file, "", 0)]
    seen = 0
    while stack:
        group, prefix, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise UnsafeH5Error(
                f"HDF5 group '{prefix}' is nested more than {MAX_DEPTH} levels deep (a link "
                "cycle?); refusing to read the file."
            )
        for name in group:
            seen += 1
            if seen > MAX_OBJECTS:
                raise UnsafeH5Error(f"HDF5 file holds more than {MAX_OBJECTS} objects.")
            path = f"{prefix}/{name}" if prefix else name
            link = group.get(name, getlink=True)
            if not isinstance(link, h5py.HardLink):
                raise UnsafeH5Error(
                    f"HDF5 object '{path}' is a {type(link).__name__}; only plain objects stored "
                    "in the file are read (links could point to other files or objects)."
                )
            obj = group.get(name)
            if isinstance(obj, (h5py.Group, h5py.Dataset)):
                h5py.h5o.get_info(obj.id)  # reads the whole object header: damage shows here
            if isinstance(obj, h5py.Group):
                stack.append((obj, path, depth + 1))
            elif isinstance(obj, h5py.Dataset):
                _check_dataset(obj, path)
                shapes[path] = tuple(obj.shape)
            else:
                raise UnsafeH5Error(f"HDF5 object '{path}' is a {type(obj).__name__}, not data.")
    return shapes


def _check_dataset(dataset, path):
    if dataset.is_virtual:
        raise UnsafeH5Error(f"HDF5 dataset '{path}' is virtual (maps data from other files).")
    if dataset.external:
        raise UnsafeH5Error(f"HDF5 dataset '{path}' keeps its data in external files.")
    dtype = dataset.dtype
    plain = dtype.fields is None and dtype.subdtype is None and dtype.itemsize <= 8
    if dtype.kind not in _NUMERIC_KINDS or not plain:  # itemsize: torch has no long double
        raise UnsafeH5Error(
            f"HDF5 dataset '{path}' has dtype {dtype}; only numeric arrays are read."
        )


def read_array(dataset, expected_shape):
    """Reads a checked dataset whose shape must equal `expected_shape` (no larger read)."""
    if tuple(dataset.shape) != tuple(expected_shape):
        raise ValueError(
            f"HDF5 dataset '{dataset.name}' has shape {tuple(dataset.shape)}, expected "
            f"{tuple(expected_shape)}."
        )
    try:
        array = np.asarray(dataset[()])
    except _DAMAGE_ERRORS as exc:
        raise ValueError(f"HDF5 dataset '{dataset.name}' is damaged: {exc}") from exc
    if not array.dtype.isnative:  # torch reads only native byte order
        array = array.astype(array.dtype.newbyteorder("="))
    return array
