"""What every reference generator needs: real Keras on torch, and byte-reproducible `.npz` files."""

import importlib
import io
import os
import zipfile

import numpy as np


def import_keras():
    """Real Keras on its torch backend; refuses torchkeras or a Keras with another backend."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = importlib.import_module("keras")
    if keras.backend.backend() != "torch":
        raise RuntimeError(f"Run with KERAS_BACKEND=torch, got {keras.backend.backend()!r}.")
    if not hasattr(keras, "__version__") or "torchkeras" in keras.__file__:
        raise RuntimeError(f"`keras` must be real Keras 3, got {keras.__file__}.")
    return keras


def write_npz(path, arrays):
    """`np.savez` with sorted members and a fixed date, so identical arrays give identical bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asarray(arrays[key]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, member.getvalue())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
