"""Small files in the formats of Keras' dataset cache, written into a temporary KERAS_HOME."""

import gzip
import hashlib
import io
import os
import pickle
import tarfile

import numpy as np


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def ragged(rng, count, vocabulary=30):
    sequences = np.empty(count, dtype="object")
    sequences[:] = [[int(v) for v in rng.integers(1, vocabulary, size=rng.integers(2, 12))]
                    for _ in range(count)]  # Python ints, as in Keras' files
    return sequences


def write_npz(folder, name, **arrays):
    path = os.path.join(folder, name)
    np.savez(path, **arrays)  # object arrays are pickled by numpy, as in Keras' files
    return path


def write_idx(folder, name, array, magic_bytes):
    path = os.path.join(folder, name)
    with gzip.open(path, "wb") as file:
        file.write(b"\0" * magic_bytes + array.astype(np.uint8).tobytes())
    return path


def cifar_tar(folder, name, inner, batches):
    """A tar.gz holding `inner/<batch name>` pickles of `{b"data": ..., b"<labels>": ...}`."""
    path = os.path.join(folder, name)
    with tarfile.open(path, "w:gz") as archive:
        for batch_name, content in batches.items():
            data = pickle.dumps({k.encode(): v for k, v in content.items()}, protocol=4)
            info = tarfile.TarInfo(f"{inner}/{batch_name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path
