"""Weight files under failure and attack: interrupted writes, links, external data, bombs."""

import os

import h5py
import numpy as np
import pytest

import torchkeras
from torchkeras.saving import (
    load_weights_h5,
    safetensors_io,
    save_weights_h5,
    save_weights_safetensors,
    weights_h5,
)
from torchkeras.saving.h5_safety import UnsafeH5Error
from torchkeras.utils.atomic_io import atomic_write


def _model(units=3):
    return torchkeras.Sequential(
        [torchkeras.Input((4,)), torchkeras.layers.Dense(units), torchkeras.layers.Dense(2)]
    )


# ---- atomic writes -------------------------------------------------------------------------
def test_atomic_write_replaces_only_on_success(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_write(path, "wb") as file:
            file.write(b"partial new content")
            raise RuntimeError("interrupted")
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["f.bin"]
    with atomic_write(path, "w") as file:
        file.write("new")
    assert path.read_text() == "new"
    assert os.listdir(tmp_path) == ["f.bin"]


def test_atomic_write_refuses_reading_modes(tmp_path):
    with pytest.raises(ValueError, match="mode"):
        with atomic_write(tmp_path / "f", "rb"):
            pass


def test_interrupted_h5_save_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "m.weights.h5"
    save_weights_h5(_model(), path)
    before = path.read_bytes()
    calls = []
    real = weights_h5._to_numpy

    def failing(tensor):  # dies after the first dataset has been written
        calls.append(1)
        if len(calls) > 1:
            raise KeyboardInterrupt
        return real(tensor)

    monkeypatch.setattr(weights_h5, "_to_numpy", failing)
    with pytest.raises(KeyboardInterrupt):
        save_weights_h5(_model(), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.weights.h5"]


def test_interrupted_safetensors_save_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "m.safetensors"
    save_weights_safetensors(_model(), path)
    before = path.read_bytes()

    def exploding_bytes(tensors, metadata=None):
        raise OSError("disk full")

    monkeypatch.setattr(safetensors_io, "safetensors_bytes", exploding_bytes)
    with pytest.raises(OSError, match="disk full"):
        save_weights_safetensors(_model(), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.safetensors"]


# ---- hostile HDF5 files --------------------------------------------------------------------
@pytest.fixture
def valid_file(tmp_path):
    path = tmp_path / "m.weights.h5"
    save_weights_h5(_model(), path)
    return path


def _replace_kernel(path, make):
    """Replaces the first Dense kernel of a saved file with `make(group, "0")`'s object."""
    with h5py.File(path, "r+") as h5:
        group = h5["layers/dense/vars"]
        del group["0"]
        make(group, "0")


def test_external_link_is_refused(valid_file, tmp_path):
    secret = tmp_path / "other.h5"
    with h5py.File(secret, "w") as other:
        other["data"] = np.ones((4, 3), "float32")
    link = h5py.ExternalLink(str(secret), "/data")
    _replace_kernel(valid_file, lambda group, key: group.__setitem__(key, link))
    with pytest.raises(UnsafeH5Error, match="ExternalLink"):
        load_weights_h5(_model(), valid_file)


def test_soft_link_is_refused(valid_file):
    link = h5py.SoftLink("/layers/dense_1/vars/0")
    _replace_kernel(valid_file, lambda group, key: group.__setitem__(key, link))
    with pytest.raises(UnsafeH5Error, match="SoftLink"):
        load_weights_h5(_model(), valid_file)


def test_virtual_dataset_is_refused(valid_file, tmp_path):
    source = tmp_path / "source.h5"
    with h5py.File(source, "w") as other:
        other["data"] = np.ones((4, 3), "float32")

    def virtual(group, key):
        layout = h5py.VirtualLayout(shape=(4, 3), dtype="float32")
        layout[:] = h5py.VirtualSource(str(source), "data", shape=(4, 3))
        group.create_virtual_dataset(key, layout)

    _replace_kernel(valid_file, virtual)
    with pytest.raises(UnsafeH5Error, match="virtual"):
        load_weights_h5(_model(), valid_file)


def test_external_storage_dataset_is_refused(valid_file, tmp_path):
    raw = tmp_path / "raw.bin"
    raw.write_bytes(np.ones((4, 3), "float32").tobytes())

    def external(group, key):
        group.create_dataset(key, shape=(4, 3), dtype="float32", external=[(str(raw), 0, 48)])

    _replace_kernel(valid_file, external)
    with pytest.raises(UnsafeH5Error, match="external files"):
        load_weights_h5(_model(), valid_file)


def test_non_numeric_dataset_is_refused(valid_file):
    def strings(group, key):
        group.create_dataset(key, data=["x" * 8] * 3, dtype=h5py.string_dtype())

    _replace_kernel(valid_file, strings)
    with pytest.raises(UnsafeH5Error, match="dtype"):
        load_weights_h5(_model(), valid_file)


def test_hard_link_cycle_is_refused(valid_file):
    with h5py.File(valid_file, "r+") as h5:
        h5["layers/dense"]["loop"] = h5["layers"]  # a group containing its own parent
    with pytest.raises(UnsafeH5Error, match="nested more than"):
        load_weights_h5(_model(), valid_file)


def test_shape_bomb_is_reported_without_being_read(valid_file, monkeypatch):
    def bomb(group, key):  # 4 GB declared, a few bytes on disk
        group.create_dataset(
            key, shape=(1 << 30,), dtype="float32", chunks=(1 << 20,), compression="gzip"
        )

    _replace_kernel(valid_file, bomb)
    reads, real_getitem = [], h5py.Dataset.__getitem__

    def recording_getitem(self, key):
        reads.append(self.name)
        return real_getitem(self, key)

    monkeypatch.setattr(h5py.Dataset, "__getitem__", recording_getitem)
    expected = r"expected shape \(4, 3\), file has shape \(1073741824,\)"
    with pytest.raises(ValueError, match=expected):
        load_weights_h5(_model(), valid_file)
    with pytest.warns(UserWarning):
        load_weights_h5(_model(), valid_file, skip_mismatch=True)
    assert "/layers/dense/vars/0" not in reads  # only the three other weights were read
    assert len(reads) == 3


def test_big_endian_datasets_load(valid_file):
    kernel = np.arange(12, dtype=">f4").reshape(4, 3)
    _replace_kernel(valid_file, lambda group, key: group.create_dataset(key, data=kernel))
    model = _model()
    load_weights_h5(model, valid_file)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], kernel.astype("float32"))
