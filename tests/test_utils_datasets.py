"""image/text_dataset_from_directory: files, labels, order and split against Keras' own indexing
(which runs without TensorFlow), pixels against Keras' Pillow loader, and `fit` on the result."""

import logging
import os

import numpy as np
import pytest

import torchkeras as keras
from torchkeras.utils import directory_index, io_utils
from torchkeras.utils.image_dataset import image_dataset_from_directory, load_image
from torchkeras.utils.py_dataset import PyDataset
from torchkeras.utils.text_dataset import text_dataset_from_directory

Image = pytest.importorskip("PIL.Image")
os.environ.setdefault("KERAS_BACKEND", "torch")
try:
    from keras.src.utils import dataset_utils as keras_dataset_utils
    from keras.src.utils import image_dataset_utils as keras_image_dataset_utils
except ImportError:  # real keras is optional here
    keras_dataset_utils = keras_image_dataset_utils = None

needs_keras = pytest.mark.skipif(keras_dataset_utils is None, reason="real keras is not installed")
IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


def _image(path, rng, value=None, size=None):
    height, width = size or rng.integers(5, 12, size=2)
    if value is None:
        array = rng.integers(0, 256, size=(height, width, 3))
    else:
        array = np.clip(rng.normal(value, 20, size=(height, width, 3)), 0, 255)
    Image.fromarray(array.astype("uint8")).save(path)


@pytest.fixture(scope="module")
def image_dir(tmp_path_factory):
    """Three classes with nested folders, odd extensions, a hidden folder and a symlink."""
    root = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(0)
    for label, count in (("b_dogs", 5), ("a_cats", 4), ("c_birds", 3)):
        (root / label / "nested").mkdir(parents=True)
        for i in range(count):
            _image(root / label / f"{i}.png", rng)
        _image(root / label / "nested" / "deep.JPG", rng)
        (root / label / "notes.txt").write_text("not an image")
    (root / ".hidden").mkdir()
    _image(root / ".hidden" / "x.png", rng)
    (root / "b_dogs" / "Bmp.bmp").write_bytes((root / "a_cats" / "0.png").read_bytes())
    linked = tmp_path_factory.mktemp("linked")
    _image(linked / "linked.gif", rng)
    os.symlink(linked, root / "a_cats" / "link")
    return str(root)


@pytest.fixture(scope="module")
def text_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("texts")
    rng = np.random.default_rng(1)
    for label, words in (("neg", "bad awful dull"), ("pos", "good great fine")):
        (root / label).mkdir()
        for i in range(6):
            text = " ".join(rng.choice(words.split(), size=5)) + " é"
            (root / label / f"{i}.txt").write_text(text, encoding="utf-8")
        (root / label / "skip.md").write_text("ignored")
    return str(root)


INDEX_CASES = [
    {"labels": "inferred", "shuffle": False},
    {"labels": "inferred", "shuffle": True, "seed": 7},
    {"labels": "inferred", "shuffle": True, "seed": 7, "follow_links": True},
    {"labels": "inferred", "shuffle": False, "class_names": ["c_birds", "a_cats"]},
    {"labels": None, "shuffle": True, "seed": 3},
    {"labels": None, "shuffle": False, "follow_links": True},
]


@needs_keras
@pytest.mark.parametrize("kwargs", INDEX_CASES, ids=str)
def test_index_directory_matches_keras(image_dir, kwargs):
    ours = directory_index.index_directory(image_dir, formats=IMAGE_FORMATS, verbose=False,
                                           **kwargs)
    theirs = keras_dataset_utils.index_directory(image_dir, formats=IMAGE_FORMATS,
                                                 verbose=False, **kwargs)
    assert ours[0] == theirs[0] and ours[2] == theirs[2]
    if theirs[1] is None:
        assert ours[1] is None
    else:
        np.testing.assert_array_equal(ours[1], theirs[1])


@needs_keras
@pytest.mark.parametrize("shuffle", [False, True])
def test_explicit_labels_match_keras(image_dir, shuffle):
    count = len(directory_index.index_directory(image_dir, None, IMAGE_FORMATS, verbose=False,
                                                shuffle=False)[0])
    labels = [i % 3 for i in range(count)]
    ours = directory_index.index_directory(image_dir, labels, IMAGE_FORMATS, shuffle=shuffle,
                                           seed=5, verbose=False)
    theirs = keras_dataset_utils.index_directory(image_dir, list(labels), IMAGE_FORMATS,
                                                 shuffle=shuffle, seed=5, verbose=False)
    assert ours[0] == theirs[0] and ours[2] == theirs[2] == ["0", "1", "2"]
    np.testing.assert_array_equal(ours[1], theirs[1])
    assert labels == [i % 3 for i in range(count)]  # the caller's list is left as it was


@needs_keras
@pytest.mark.parametrize("split,subset", [(0.25, "training"), (0.25, "validation"),
                                          (0.01, "validation"), (0.6, "training")])
def test_split_matches_keras(image_dir, split, subset):
    paths, labels, _ = directory_index.index_directory(image_dir, "inferred", IMAGE_FORMATS,
                                                       seed=2, verbose=False)
    ours = directory_index.training_or_validation_split(paths, labels, split, subset)
    theirs = keras_dataset_utils.get_training_or_validation_split(paths, labels, split, subset)
    assert ours[0] == theirs[0]
    np.testing.assert_array_equal(ours[1], theirs[1])


@needs_keras
def test_image_dataset_files_labels_and_pixels(image_dir):
    ds = image_dataset_from_directory(image_dir, image_size=(6, 5), batch_size=4, seed=11,
                                      label_mode="categorical", verbose=False)
    paths, labels, names = keras_dataset_utils.index_directory(
        image_dir, "inferred", IMAGE_FORMATS, seed=11, verbose=False
    )
    assert isinstance(ds, PyDataset) and ds.file_paths == paths and ds.class_names == names
    assert len(ds) == 4  # 16 files (the linked folder is not followed)
    x, y = ds[3]
    assert x.shape == (4, 6, 5, 3) and x.dtype == np.float32 and y.dtype == np.float32
    np.testing.assert_array_equal(y, np.eye(3, dtype="float32")[labels[12:]])
    expected = keras_image_dataset_utils._load_image_grain(paths[12], (6, 5), 3, "bilinear",
                                                           "channels_last")
    np.testing.assert_array_equal(x[0], expected.numpy())
    with pytest.raises(IndexError):
        ds[4]
    np.testing.assert_array_equal(ds[-1][1], y)


@needs_keras
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("resize", ["plain", "crop", "pad"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("color_mode,channels", [("rgb", 3), ("grayscale", 1), ("rgba", 4)])
def test_load_image_matches_keras_pillow_path(image_dir, interpolation, resize, data_format,
                                              color_mode, channels):
    path = os.path.join(image_dir, "b_dogs", "2.png")
    crop, pad = resize == "crop", resize == "pad"
    for size in ((4, 7), (9, 3)):
        ours = load_image(path, size, color_mode, interpolation, data_format, crop, pad)
        theirs = keras_image_dataset_utils._load_image_grain(
            path, size, channels, interpolation, data_format, crop, pad
        ).numpy()
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours, theirs)


@needs_keras
@pytest.mark.parametrize("color_mode,channels", [("rgb", 3), ("grayscale", 1), ("rgba", 4)])
def test_load_image_modes_match_keras(tmp_path, color_mode, channels):
    rng = np.random.default_rng(2)
    Image.fromarray(rng.integers(0, 256, size=(5, 7, 4)).astype("uint8")).save(tmp_path / "a.png")
    Image.fromarray(rng.integers(0, 60000, size=(6, 4)).astype("uint16")).save(tmp_path / "b.png")
    Image.fromarray(rng.integers(0, 256, size=(4, 4, 3)).astype("uint8")).convert("P").save(
        tmp_path / "c.gif")
    Image.fromarray(rng.integers(0, 256, size=(3, 5)).astype("uint8")).save(tmp_path / "d.bmp")
    for name in ("a.png", "b.png", "c.gif", "d.bmp"):
        path = str(tmp_path / name)
        ours = load_image(path, (4, 6), color_mode, "bilinear", "channels_last", False, False)
        theirs = keras_image_dataset_utils._load_image_grain(path, (4, 6), channels, "bilinear",
                                                             "channels_last").numpy()
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("label_mode,shape,dtype", [
    ("int", (), np.int32), ("binary", (1,), np.float32), ("categorical", (2,), np.float32),
])
def test_label_modes_and_unbatched_items(image_dir, label_mode, shape, dtype):
    ds = image_dataset_from_directory(image_dir, label_mode=label_mode, batch_size=None,
                                      image_size=3, class_names=["c_birds", "b_dogs"],
                                      shuffle=False, data_format="channels_first",
                                      color_mode="grayscale", verbose=False)
    assert len(ds) == 11 and ds.class_names == ["c_birds", "b_dogs"]
    x, y = ds[0]
    assert x.shape == (1, 3, 3) and np.asarray(y).shape == shape and y.dtype == dtype
    assert ds.file_paths[0].endswith(os.path.join("c_birds", "0.png"))
    assert float(np.asarray(y).ravel()[-1 if label_mode == "categorical" else 0]) == 0.0


def test_no_labels_gives_images_only(image_dir):
    for kwargs in ({"labels": None}, {"label_mode": None}):
        ds = image_dataset_from_directory(image_dir, image_size=(2, 2), batch_size=8,
                                          verbose=False, **kwargs)
        batch = ds[0]
        assert isinstance(batch, np.ndarray) and batch.shape == (8, 2, 2, 3)
        assert ds.class_names is None  # as Keras: label_mode=None drops the labels entirely


def test_shuffle_order_and_reshuffles(image_dir):
    ds = image_dataset_from_directory(image_dir, image_size=(2, 2), batch_size=None, seed=4,
                                      label_mode=None, verbose=False)
    first = [ds[i] for i in range(len(ds))]
    loads = [load_image(p, (2, 2), "rgb", "bilinear", "channels_last", False, False)
             for p in ds.file_paths]
    np.testing.assert_array_equal(np.stack(first), np.stack(loads))  # first pass: file_paths
    ds.on_epoch_end()
    second = np.stack([ds[i] for i in range(len(ds))])
    assert not np.array_equal(second, np.stack(first))
    assert sorted(map(bytes, second)) == sorted(map(bytes, np.stack(first)))  # a permutation
    again = image_dataset_from_directory(image_dir, image_size=(2, 2), batch_size=None, seed=4,
                                         label_mode=None, verbose=False)
    again.on_epoch_end()
    np.testing.assert_array_equal(np.stack([again[i] for i in range(len(again))]), second)
    fixed = image_dataset_from_directory(image_dir, image_size=(2, 2), shuffle=False,
                                         verbose=False)
    first_batch = fixed[0][0]
    fixed.on_epoch_end()
    np.testing.assert_array_equal(fixed[0][0], first_batch)  # shuffle=False: same order always


@needs_keras
def test_unseeded_shuffle_repeats_keras_after_set_random_seed(image_dir):
    keras.utils.set_random_seed(123)
    ours = image_dataset_from_directory(image_dir, image_size=(2, 2), verbose=False)
    np.random.seed(123)
    seed = np.random.randint(1e6)  # what Keras draws for seed=None
    theirs = keras_dataset_utils.index_directory(image_dir, "inferred", IMAGE_FORMATS, seed=seed,
                                                 verbose=False)
    assert ours.file_paths == theirs[0]


def test_subset_both_and_messages(image_dir, capsys):
    train, val = image_dataset_from_directory(image_dir, image_size=(2, 2), batch_size=5,
                                              seed=9, validation_split=0.2, subset="both")
    out = capsys.readouterr().out.splitlines()
    assert out == ["Found 16 files belonging to 3 classes.", "Using 13 files for training.",
                   "Using 3 files for validation."]
    assert len(train) == 3 and len(val) == 1 and val.class_names == train.class_names
    assert set(train.file_paths).isdisjoint(val.file_paths) and train.shuffle and not val.shuffle
    only_val = image_dataset_from_directory(image_dir, image_size=(2, 2), seed=9, verbose=False,
                                            validation_split=0.2, subset="validation")
    assert only_val.file_paths == val.file_paths and only_val.shuffle


def test_messages_go_to_logging_when_interactive_logging_is_off(image_dir, capsys, caplog):
    assert io_utils.is_interactive_logging_enabled()
    io_utils.disable_interactive_logging()
    assert not io_utils.is_interactive_logging_enabled()
    with caplog.at_level(logging.INFO, logger="torchkeras"):
        image_dataset_from_directory(image_dir, image_size=(2, 2), shuffle=False)
    assert capsys.readouterr().out == ""
    assert "Found 16 files belonging to 3 classes." in caplog.text
    keras.backend.clear_session()
    assert io_utils.is_interactive_logging_enabled()  # as Keras, clear_session resets it
    io_utils.disable_interactive_logging()
    io_utils.enable_interactive_logging()
    assert io_utils.is_interactive_logging_enabled()


ERRORS = [
    ({"labels": "yes"}, "`labels` argument should be a list/tuple"),
    ({"labels": [0, 1], "class_names": ["a"]}, "only pass `class_names`"),
    ({"label_mode": "sparse"}, "label_mode=sparse"),
    ({"color_mode": "cmyk"}, "color_mode=cmyk"),
    ({"image_size": (1, 2, 3)}, "image_size=\\(1, 2, 3\\)"),
    ({"interpolation": "cubic"}, "interpolation=cubic"),
    ({"interpolation": "lanczos3"}, "not supported by the torch backend"),
    ({"crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True}, "Only one of"),
    ({"format": "torch"}, "format=torch"),
    ({"validation_split": 1.5, "subset": "training", "seed": 1}, "between 0 and 1"),
    ({"validation_split": 0.2}, "validation_split` must be set, and inversely"),
    ({"validation_split": 0.2, "subset": "test", "seed": 1}, "received: test"),
    ({"validation_split": 0.2, "subset": "training"}, "must provide a `seed`"),
    ({"label_mode": "binary"}, "exactly 2 class_names"),
    ({"labels": [0, 1]}, "lengths of `labels`"),
    ({"class_names": ["zebras"]}, "did not match"),
    ({"labels": None, "class_names": ["a_cats"]}, "labels=None"),
    ({"validation_split": 0.01, "subset": "training", "seed": 1}, "No images found"),
]


@pytest.mark.parametrize("kwargs,message", ERRORS, ids=[e[1][:30] for e in ERRORS])
def test_errors(image_dir, kwargs, message):
    with pytest.raises(ValueError, match=message):
        image_dataset_from_directory(image_dir, verbose=False, **kwargs)


def test_empty_directory(tmp_path):
    (tmp_path / "a").mkdir()
    with pytest.raises(ValueError, match="No images found in directory"):
        image_dataset_from_directory(tmp_path, verbose=False)
    with pytest.raises(ValueError, match="No text files found in directory"):
        text_dataset_from_directory(tmp_path, verbose=False)


@needs_keras
def test_text_dataset(text_dir):
    ds = text_dataset_from_directory(text_dir, batch_size=5, seed=3, max_length=7,
                                     label_mode="binary", verbose=False)
    paths, labels, names = keras_dataset_utils.index_directory(text_dir, "inferred", (".txt",),
                                                               seed=3, verbose=False)
    assert ds.file_paths == paths and ds.class_names == names == ["neg", "pos"]
    assert len(ds) == 3
    x, y = ds[0]
    assert x.dtype.kind == "U" and x.shape == (5,) and y.shape == (5, 1) and y.dtype == np.float32
    for text, path in zip(x, paths):
        with open(path, encoding="utf-8") as file:
            assert text == file.read()[:7]
    np.testing.assert_array_equal(y[:, 0], labels[:5])
    single = text_dataset_from_directory(text_dir, batch_size=None, shuffle=False,
                                         label_mode=None, verbose=False)
    assert isinstance(single[0], str) and single[0].endswith(" é") and len(single) == 12


def test_text_dataset_both_subsets_feed_text_vectorization(text_dir):
    train, val = text_dataset_from_directory(text_dir, batch_size=4, seed=1,
                                             validation_split=0.25, subset="both",
                                             verbose=False)
    assert len(train.file_paths) == 9 and len(val.file_paths) == 3
    vectorize = keras.layers.TextVectorization(max_tokens=10, output_sequence_length=6)
    vectorize.adapt(np.concatenate([train[i][0] for i in range(len(train))]))
    tokens = vectorize(val[0][0])
    assert tuple(tokens.shape) == (3, 6) and int(tokens.min()) >= 1  # every word is known


def test_fit_a_text_model_on_a_text_directory(text_dir):
    train, val = text_dataset_from_directory(text_dir, batch_size=4, seed=1,
                                             validation_split=0.25, subset="both",
                                             verbose=False)
    vectorize = keras.layers.TextVectorization(max_tokens=10, output_sequence_length=6)
    vectorize.adapt(np.concatenate([train[i][0] for i in range(len(train))]))
    inputs = keras.Input(shape=(1,), dtype="string")
    x = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(10, 4)(vectorize(inputs)))
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(x))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(train, validation_data=val, epochs=2, verbose=0)
    assert len(history.history["val_loss"]) == 2 and np.isfinite(history.history["loss"]).all()


def test_fit_a_small_cnn_on_an_image_directory(tmp_path):
    rng = np.random.default_rng(0)
    for label, value in (("dark", 40), ("light", 210)):
        (tmp_path / label).mkdir()
        for i in range(8):
            _image(tmp_path / label / f"{i}.png", rng, value=value, size=(10, 12))
    train, val = image_dataset_from_directory(tmp_path, image_size=(8, 8), batch_size=4, seed=1,
                                              validation_split=0.25, subset="both",
                                              verbose=False)
    model = keras.Sequential([
        keras.Input((8, 8, 3)),
        keras.layers.Rescaling(1 / 255),
        keras.layers.Conv2D(4, 3, activation="relu"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(2, activation="softmax"),
    ])
    model.compile(keras.optimizers.Adam(0.05), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(train, validation_data=val, epochs=10, verbose=0)
    assert history.history["accuracy"][-1] == 1.0 and history.history["val_accuracy"][-1] == 1.0
    assert model.predict(val, verbose=0).shape == (4, 2)
    unlabelled = image_dataset_from_directory(tmp_path, labels=None, image_size=(8, 8),
                                              batch_size=5, shuffle=False, verbose=False)
    predictions = model.predict(unlabelled, verbose=0)
    assert predictions.shape == (16, 2) and (predictions.argmax(-1) == [0] * 8 + [1] * 8).all()
    assert train._passes == 10  # reshuffled after every epoch
