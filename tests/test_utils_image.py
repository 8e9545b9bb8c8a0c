"""keras.utils image I/O (`load_img`, `img_to_array`, `array_to_img`, `save_img`) against Keras."""

import io
import os
import sys

import numpy as np
import pytest

from torchkeras import config
from torchkeras.utils import image_utils

Image = pytest.importorskip("PIL.Image")
os.environ.setdefault("KERAS_BACKEND", "torch")
try:
    from keras.src.utils import image_utils as keras_image_utils
except ImportError:  # real keras is optional here
    keras_image_utils = None

needs_keras = pytest.mark.skipif(keras_image_utils is None, reason="real keras is not installed")
RNG = np.random.default_rng(0)
RGB = RNG.integers(0, 256, size=(7, 10, 3)).astype("uint8")
RGBA = RNG.integers(0, 256, size=(6, 5, 4)).astype("uint8")
GRAY = RNG.integers(0, 256, size=(9, 4)).astype("uint8")


@pytest.fixture(scope="module")
def image_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("images")
    files = {}
    for name, array, mode in (("rgb.png", RGB, "RGB"), ("rgba.png", RGBA, "RGBA"),
                              ("gray.png", GRAY, "L"), ("rgb.jpg", RGB, "RGB"),
                              ("gray16.png", GRAY.astype("uint16") * 200, "I;16")):
        Image.fromarray(array, mode if mode != "I;16" else None).save(folder / name)
        files[name] = folder / name
    Image.fromarray(RGB).convert("P").save(folder / "palette.gif")
    files["palette.gif"] = folder / "palette.gif"
    return files


LOAD_CASES = [
    {},
    {"color_mode": "grayscale"},
    {"color_mode": "rgba"},
    {"target_size": (4, 6)},
    {"target_size": (12, 5), "interpolation": "bilinear"},
    {"target_size": (5, 5), "interpolation": "bicubic", "keep_aspect_ratio": True},
    {"target_size": (3, 8), "interpolation": "lanczos", "keep_aspect_ratio": True},
    {"target_size": (4, 4), "interpolation": "box", "color_mode": "grayscale"},
    {"target_size": (6, 3), "interpolation": "hamming", "color_mode": "rgba"},
]


@needs_keras
@pytest.mark.parametrize("name", ["rgb.png", "rgba.png", "gray.png", "rgb.jpg", "gray16.png",
                                  "palette.gif"])
@pytest.mark.parametrize("kwargs", LOAD_CASES, ids=str)
def test_load_img_and_img_to_array_match_keras(image_files, name, kwargs):
    ours = image_utils.load_img(image_files[name], **kwargs)
    theirs = keras_image_utils.load_img(image_files[name], **kwargs)
    assert ours.mode == theirs.mode and ours.size == theirs.size
    for data_format in ("channels_last", "channels_first"):
        for dtype in (None, "uint8", "float64"):
            a = image_utils.img_to_array(ours, data_format=data_format, dtype=dtype)
            b = keras_image_utils.img_to_array(theirs, data_format=data_format, dtype=dtype)
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_array_equal(a, b)


def test_load_img_accepts_str_bytes_and_bytesio(image_files):
    path = image_files["rgb.png"]
    expected = np.asarray(image_utils.load_img(path))
    np.testing.assert_array_equal(expected, RGB)
    for source in (str(path), os.fsencode(path), io.BytesIO(path.read_bytes())):
        np.testing.assert_array_equal(np.asarray(image_utils.load_img(source)), RGB)
    with pytest.raises(TypeError, match="path-like"):
        image_utils.load_img(42)


def test_load_img_errors(image_files):
    with pytest.raises(ValueError, match="color_mode.*Received: color_mode=cmyk"):
        image_utils.load_img(image_files["rgb.png"], color_mode="cmyk")
    with pytest.raises(ValueError, match="Invalid interpolation method area"):
        image_utils.load_img(image_files["rgb.png"], target_size=(2, 2), interpolation="area")
    # as Keras, the interpolation is only checked when a resize is needed
    image_utils.load_img(image_files["rgb.png"], target_size=(7, 10), interpolation="area")


ARRAYS = [
    RNG.normal(size=(5, 4, 3)),
    RNG.normal(size=(5, 4, 4)),
    RNG.uniform(0, 1, size=(5, 4, 1)),
    RNG.uniform(0, 1000, size=(3, 4, 1)),
    np.zeros((2, 3, 3)),
]


@needs_keras
@pytest.mark.parametrize("index", range(len(ARRAYS)))
@pytest.mark.parametrize("scale", [True, False])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_array_to_img_matches_keras(index, scale, data_format):
    x = ARRAYS[index] if data_format == "channels_last" else ARRAYS[index].transpose(2, 0, 1)
    ours = image_utils.array_to_img(x, data_format=data_format, scale=scale)
    theirs = keras_image_utils.array_to_img(x, data_format=data_format, scale=scale)
    assert ours.mode == theirs.mode
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))


def test_array_to_img_errors():
    with pytest.raises(ValueError, match="rank 3"):
        image_utils.array_to_img(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="1, 3 or 4 channels"):
        image_utils.array_to_img(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="data_format=nchw"):
        image_utils.array_to_img(np.zeros((2, 2, 3)), data_format="nchw")


def test_img_to_array_follows_global_settings():
    img = Image.fromarray(RGB)
    config.set_image_data_format("channels_first")
    try:
        assert image_utils.img_to_array(img).shape == (3, 7, 10)
    finally:
        config.set_image_data_format("channels_last")
    config.set_floatx("float64")
    try:
        assert image_utils.img_to_array(img).dtype == np.float64
    finally:
        config.set_floatx("float32")
    with pytest.raises(ValueError, match="rank 2 or 3"):
        image_utils.img_to_array(np.zeros((1, 2, 3, 4)))


@needs_keras
@pytest.mark.parametrize("name", ["a.png", "a.JPG", "a.bmp", "a.gif"])
def test_save_img_writes_what_keras_writes(tmp_path, name):
    x = RNG.uniform(0, 255, size=(6, 8, 4 if name == "a.png" else 3))
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.mkdir(), theirs.mkdir()
    image_utils.save_img(ours / name, x)
    keras_image_utils.save_img(str(theirs / name), x)
    assert (ours / name).read_bytes() == (theirs / name).read_bytes()
    assert sorted(os.listdir(ours)) == [name]  # no temporary file left behind


def test_save_img_rgba_as_jpeg_warns_and_converts(tmp_path):
    with pytest.warns(UserWarning, match="RGBA"):
        image_utils.save_img(tmp_path / "x.jpeg", RGBA, scale=False)
    assert Image.open(tmp_path / "x.jpeg").mode == "RGB"


def test_save_img_to_file_object_and_channels_first(tmp_path):
    buffer = io.BytesIO()
    image_utils.save_img(buffer, RGB.transpose(2, 0, 1), data_format="channels_first",
                         file_format="png", scale=False)
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(buffer.getvalue()))), RGB)
    with pytest.raises(ValueError, match="file_format"):
        image_utils.save_img(tmp_path / "no_extension", RGB)
    image_utils.save_img(os.fsencode(tmp_path / "bytes.png"), RGB, scale=False)
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "bytes.png")), RGB)


def test_save_img_failure_keeps_the_old_file(tmp_path):
    path = tmp_path / "x.png"
    image_utils.save_img(path, RGB, scale=False)
    before = path.read_bytes()
    with pytest.raises(Exception):
        image_utils.save_img(path, RGB, scale=False, file_format="no_such_format")
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["x.png"]


def test_missing_pillow_gives_a_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match="pip install pillow"):
        image_utils.load_img("anything.png")
    with pytest.raises(ImportError, match="pip install pillow"):
        image_utils.array_to_img(RGB)
