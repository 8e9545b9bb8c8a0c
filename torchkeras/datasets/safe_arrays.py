"""Reading the dataset files Keras caches without running code from them.

Keras' `imdb.npz`/`reuters.npz` hold ragged (object) arrays and the CIFAR batches are pickles:
both are read with an unpickler that can only rebuild numpy arrays (like `torch.load(...,
weights_only=True)`), never call anything else a file names.
"""

import io
import pickle
import zipfile

import numpy as np

_ARRAY_CLASSES = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
}


class ArrayUnpickler(pickle.Unpickler):
    """An unpickler for numpy arrays, lists, dicts, strings and numbers only."""

    def find_class(self, module, name):
        if (module, name) in _ARRAY_CLASSES:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"Refusing to load {module}.{name} from a dataset file: only numpy arrays are allowed."
        )


def load_pickle(file, encoding="ASCII"):
    """Unpickles arrays and plain containers from an open binary file."""
    return ArrayUnpickler(file, encoding=encoding).load()


def _load_member(data):
    """One `.npy` member: plain arrays through numpy, object arrays through `ArrayUnpickler`."""
    stream = io.BytesIO(data)
    version = np.lib.format.read_magic(stream)
    read_header = np.lib.format.read_array_header_1_0
    if version != (1, 0):
        read_header = np.lib.format.read_array_header_2_0
    shape, _fortran, dtype = read_header(stream)
    if not dtype.hasobject:
        return np.load(io.BytesIO(data), allow_pickle=False)
    array = load_pickle(stream, encoding="latin1")
    if not isinstance(array, np.ndarray) or array.shape != shape:
        raise ValueError("A dataset file's object array does not match its header.")
    return array


def load_npz(path):
    """`{name: array}` of an `.npz` file, ragged (object) arrays included, without pickle's risks."""
    with zipfile.ZipFile(path) as archive:
        return {
            name.removesuffix(".npy"): _load_member(archive.read(name))
            for name in archive.namelist()
            if name.endswith(".npy")
        }
