"""keras.datasets: the loaders read Keras' cached files (checked against Keras' own loaders on
the same small files), verify them, never unpickle code, and explain what to do offline."""

import io
import os
import pickle
import tarfile
import urllib.error

import numpy as np
import pytest

import fake_cache
import torchkeras
from torchkeras.datasets import (
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    digits,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)
from torchkeras.datasets.safe_arrays import load_npz
from torchkeras.utils import file_utils

os.environ.setdefault("KERAS_BACKEND", "torch")
try:
    import keras
    from keras.src import datasets as keras_datasets
except ImportError:
    keras = None

needs_keras = pytest.mark.skipif(keras is None, reason="real keras is not installed")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty KERAS_HOME whose `datasets` folder the test fills; downloads fail loudly."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    folder = tmp_path / "datasets"
    folder.mkdir()

    def offline(*args, **kwargs):
        raise urllib.error.URLError("offline in tests")

    monkeypatch.setattr(file_utils.urllib.request, "urlopen", offline)
    return folder


def _trust(monkeypatch, module, path):
    """Our loader accepts the fake file's digest (the real digest is Keras' file's)."""
    monkeypatch.setattr(module, "_SHA256", fake_cache.sha256(path))


def _keras_reads(monkeypatch, name, path):
    """Keras' loader `name` reads `path` instead of fetching."""
    module = getattr(keras_datasets, name)
    monkeypatch.setattr(module, "get_file", lambda *args, **kwargs: str(path))
    return module


def assert_same(ours, theirs):
    for a, b in zip(np.asarray(ours, dtype=object).ravel(), np.asarray(theirs, dtype=object).ravel()):
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            assert np.asarray(a).dtype == np.asarray(b).dtype
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@needs_keras
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"num_words": 10}, {"maxlen": 8, "skip_top": 2}, {"oov_char": None, "num_words": 12},
     {"start_char": None, "index_from": 0, "seed": 3}],
)
def test_imdb_matches_keras(cache, monkeypatch, kwargs):
    rng = np.random.default_rng(0)
    path = fake_cache.write_npz(cache, "imdb.npz", x_train=fake_cache.ragged(rng, 20),
                                y_train=rng.integers(0, 2, 20), x_test=fake_cache.ragged(rng, 10),
                                y_test=rng.integers(0, 2, 10))
    _trust(monkeypatch, imdb, path)
    ours = imdb.load_data(**kwargs)
    theirs = _keras_reads(monkeypatch, "imdb", path).load_data(**kwargs)
    for (x, y), (kx, ky) in zip(ours, theirs):
        assert [list(s) for s in x] == [list(s) for s in kx]
        np.testing.assert_array_equal(y, ky)


@needs_keras
@pytest.mark.parametrize("kwargs", [{}, {"num_words": 10, "test_split": 0.3}, {"maxlen": 9}])
def test_reuters_matches_keras(cache, monkeypatch, kwargs):
    rng = np.random.default_rng(1)
    path = fake_cache.write_npz(cache, "reuters.npz", x=fake_cache.ragged(rng, 30),
                                y=rng.integers(0, 46, 30))
    _trust(monkeypatch, reuters, path)
    ours = reuters.load_data(**kwargs)
    theirs = _keras_reads(monkeypatch, "reuters", path).load_data(**kwargs)
    for (x, y), (kx, ky) in zip(ours, theirs):
        assert [list(s) for s in x] == [list(s) for s in kx]
        np.testing.assert_array_equal(y, ky)
    assert reuters.get_label_names() == keras.datasets.reuters.get_label_names()


@needs_keras
@pytest.mark.parametrize(
    ("name", "module", "kwargs"),
    [("mnist", mnist, {}), ("boston_housing", boston_housing, {"test_split": 0.25, "seed": 2}),
     ("california_housing", california_housing, {"version": "small"})],
)
def test_npz_datasets_match_keras(cache, monkeypatch, name, module, kwargs):
    rng = np.random.default_rng(2)
    if name == "mnist":
        arrays = {"x_train": rng.integers(0, 255, (6, 28, 28), dtype=np.uint8),
                  "y_train": rng.integers(0, 10, 6, dtype=np.uint8),
                  "x_test": rng.integers(0, 255, (3, 28, 28), dtype=np.uint8),
                  "y_test": rng.integers(0, 10, 3, dtype=np.uint8)}
    else:
        arrays = {"x": rng.normal(size=(700, 8)), "y": rng.normal(size=700)}
    path = fake_cache.write_npz(cache, f"{name}.npz", **arrays)
    _trust(monkeypatch, module, path)
    ours = module.load_data(**kwargs)
    theirs = _keras_reads(monkeypatch, name, path).load_data(**kwargs)
    for part, keras_part in zip(ours, theirs):
        for a, b in zip(part, keras_part):
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)


@needs_keras
def test_fashion_mnist_reads_keras_idx_files(cache, monkeypatch):
    rng = np.random.default_rng(3)
    folder = cache / "fashion-mnist"
    folder.mkdir()
    labels, images = rng.integers(0, 10, 4), rng.integers(0, 255, (4, 28, 28))
    for prefix in ("train", "t10k"):
        fake_cache.write_idx(folder, f"{prefix}-labels-idx1-ubyte.gz", labels, 8)
        fake_cache.write_idx(folder, f"{prefix}-images-idx3-ubyte.gz", images, 16)
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert x_train.shape == (4, 28, 28) and x_train.dtype == np.uint8
    np.testing.assert_array_equal(x_test, images)
    np.testing.assert_array_equal(y_train, labels)


def _cifar10_files(cache, rng):
    batch = {"data": rng.integers(0, 255, (3, 3072), dtype=np.uint8), "labels": [1, 2, 3]}
    batches = {f"data_batch_{i}": batch for i in range(1, 6)} | {"test_batch": batch}
    # Keras' cache after a first download: the archive and its extraction folder.
    path = fake_cache.cifar_tar(cache, "cifar-10-batches-py-target_archive", "cifar-10-batches-py",
                                batches)
    return path, batch


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_cifar10_reads_the_extracted_batches(cache, monkeypatch, data_format):
    # Keras' loader insists on 10,000 images per batch, too big for a test: checked by value.
    rng = np.random.default_rng(4)
    path, batch = _cifar10_files(cache, rng)
    monkeypatch.setattr(cifar10, "_SHA256", fake_cache.sha256(path))
    monkeypatch.setattr(torchkeras.config, "_IMAGE_DATA_FORMAT", data_format)
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    images = batch["data"].reshape(3, 3, 32, 32)
    if data_format == "channels_last":
        images = images.transpose(0, 2, 3, 1)
    assert x_train.shape == (15, *images.shape[1:]) and x_train.dtype == np.uint8
    np.testing.assert_array_equal(x_test, images)
    np.testing.assert_array_equal(x_train[12:], images)
    assert y_train.shape == (15, 1) and y_train.dtype == np.uint8
    assert y_test[:, 0].tolist() == [1, 2, 3]


@needs_keras
@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100_matches_keras(cache, monkeypatch, label_mode):
    rng = np.random.default_rng(5)
    batch = {"data": rng.integers(0, 255, (2, 3072), dtype=np.uint8), "fine_labels": [7, 99],
             "coarse_labels": [3, 19]}
    path = fake_cache.cifar_tar(cache, "cifar-100-python-target_archive", "cifar-100-python",
                                {"train": batch, "test": batch})
    monkeypatch.setattr(cifar100, "_SHA256", fake_cache.sha256(path))
    ours = cifar100.load_data(label_mode)
    theirs = _keras_reads(monkeypatch, "cifar100", cache / "cifar-100-python-target").load_data(
        label_mode)
    for part, keras_part in zip(ours, theirs):
        for a, b in zip(part, keras_part):
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)


def test_offline_without_cache_names_the_file_to_place(cache):
    with pytest.raises(OSError, match=r"offline.*datasets[/\\]mnist.npz"):
        mnist.load_data()


def test_a_corrupted_cached_file_is_not_used(cache, monkeypatch):
    (cache / "mnist.npz").write_bytes(b"not the real file")
    with pytest.raises(OSError, match="Could not download"):
        mnist.load_data()  # the digest differs, so it is fetched again (and we are offline)


def test_download_verifies_and_renames(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    source = tmp_path / "payload.bin"
    source.write_bytes(b"abc")
    digest = fake_cache.sha256(source)
    path = torchkeras.utils.get_file("payload.bin", origin=source.as_uri(), file_hash=digest)
    assert open(path, "rb").read() == b"abc"
    assert sorted(os.listdir(os.path.dirname(path))) == ["payload.bin"]  # no temporary left
    with pytest.raises(ValueError, match="hash does not match"):
        torchkeras.utils.get_file("other.bin", origin=source.as_uri(), file_hash="0" * 64)
    assert not (tmp_path / "home" / "datasets" / "other.bin").exists()
    with pytest.raises(ValueError, match="not a path"):
        torchkeras.utils.get_file("a/b.bin", origin=source.as_uri())


def test_extraction_refuses_members_outside_the_folder(tmp_path):
    archive_path = tmp_path / "evil.tar"
    with tarfile.open(archive_path, "w") as archive:
        info = tarfile.TarInfo("../escaped.txt")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(ValueError, match="would leave"):
        file_utils.extract_archive(str(archive_path), str(tmp_path / "out"))
    assert not (tmp_path / "escaped.txt").exists()


class _Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_object_arrays_never_run_code(tmp_path):
    evil = np.empty(1, dtype="object")
    evil[0] = _Exploit()
    path = fake_cache.write_npz(tmp_path, "evil.npz", x=evil)
    with pytest.raises(pickle.UnpicklingError, match="only numpy arrays"):
        load_npz(path)


def test_digits_ships_in_the_package_and_trains():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    assert x_train.shape == (1437, 8, 8) and x_test.shape == (360, 8, 8)
    assert x_train.max() == 16 and set(np.unique(y_train)) == set(range(10))
    model = torchkeras.Sequential([
        torchkeras.Input((8, 8)),
        torchkeras.layers.Flatten(),
        torchkeras.layers.Dense(32, activation="relu"),
        torchkeras.layers.Dense(10, activation="softmax"),
    ])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train / 16.0, y_train, epochs=5, verbose=0)
    assert model.evaluate(x_test / 16.0, y_test, verbose=0)[1] > 0.85
