"""Image preprocessing layers: what the case table can't say (training-mode randomness, seeds,
transforms against Keras' for forced factors, errors, an augmentation stack trained with fit)."""

import json
import os

import numpy as np
import pytest
import torch

from torchkeras.layers.convolutional import Conv2D
from torchkeras.layers.core import Dense
from torchkeras.layers.core.input_layer import Input
from torchkeras.layers.pooling import GlobalAveragePooling2D
from torchkeras.layers.preprocessing.image import (
    CenterCrop,
    RandomBrightness,
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Resizing,
)
from torchkeras.layers.preprocessing.numeric import Normalization, Rescaling
from torchkeras.layers.symbolic import KerasTensor
from torchkeras.models import Sequential, load_model

os.environ.setdefault("KERAS_BACKEND", "torch")
try:
    import keras
except ImportError:  # the reference comparisons are skipped without real Keras
    keras = None

needs_keras = pytest.mark.skipif(keras is None, reason="real keras is not installed")
RANDOM = [
    (RandomFlip, {}),
    (RandomRotation, {"factor": 0.3}),
    (RandomZoom, {"height_factor": 0.3}),
    (RandomTranslation, {"height_factor": 0.3, "width_factor": 0.3}),
    (RandomContrast, {"factor": 0.5}),
    (RandomBrightness, {"factor": 0.5}),
]
RANDOM_LAYERS = [lambda cls=cls, kwargs=kwargs: cls(**kwargs, seed=1) for cls, kwargs in RANDOM]


def images(shape=(4, 6, 5, 3), seed=0):
    return np.random.default_rng(seed).uniform(0, 255, size=shape).astype("float32")


def keras_numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


# ---- deterministic layers on unbatched images ---------------------------------------------------
@needs_keras
@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (Resizing, {"height": 3, "width": 4}),
        (Resizing, {"height": 5, "width": 2, "interpolation": "nearest"}),
        (CenterCrop, {"height": 3, "width": 3}),
        (CenterCrop, {"height": 8, "width": 4}),
    ],
)
def test_unbatched_images_match_keras(cls, kwargs):
    x = images((6, 5, 3))
    expected = keras_numpy(getattr(keras.layers, cls.__name__)(**kwargs)(x))
    np.testing.assert_allclose(cls(**kwargs)(torch.as_tensor(x)).numpy(), expected, rtol=1e-6)


def test_resizing_keeps_integer_dtype_and_refuses_unsupported_modes():
    out = Resizing(3, 3)(torch.randint(0, 256, (2, 5, 5, 3), dtype=torch.uint8))
    assert out.dtype == torch.uint8
    with pytest.raises(ValueError, match=r"Resizing 'r'.*interpolation='lanczos3'"):
        Resizing(2, 2, interpolation="lanczos3", name="r")
    with pytest.raises(ValueError, match=r"Resizing 'r2'.*only one"):
        Resizing(2, 2, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True, name="r2")
    with pytest.raises(ValueError, match=r"CenterCrop 'c'.*height=0"):
        CenterCrop(0, 2, name="c")


# ---- random layers: training only, seeds, statistics --------------------------------------------
@pytest.mark.parametrize("make", RANDOM_LAYERS)
def test_random_layers_act_only_in_training(make):
    layer = make()
    x = torch.as_tensor(images())
    assert torch.equal(layer(x), x)  # a layer starts in inference mode
    assert torch.equal(layer(x, training=False), x)
    assert not torch.equal(layer(x, training=True), x)
    layer.train()
    assert not torch.equal(layer(x), x)


@pytest.mark.parametrize("make", RANDOM_LAYERS)
def test_a_seed_makes_random_layers_reproducible(make):
    x = torch.as_tensor(images())
    first, second = make(), make()
    torch.testing.assert_close(first(x, training=True), second(x, training=True), rtol=0, atol=0)
    third = make()
    third.seed = None  # torch's global generator
    torch.manual_seed(7)
    a = third(x, training=True)
    torch.manual_seed(7)
    torch.testing.assert_close(third(x, training=True), a, rtol=0, atol=0)


def test_random_flip_flips_about_half_of_the_images_each_way():
    x = torch.arange(500 * 2 * 3, dtype=torch.float32).reshape(500, 2, 3, 1)
    out = RandomFlip("horizontal", seed=3)(x, training=True)
    flipped = (out == x.flip(2)).flatten(1).all(1)
    kept = (out == x).flatten(1).all(1)
    assert bool((flipped ^ kept).all())
    assert 0.43 < flipped.float().mean().item() < 0.57
    both = RandomFlip(seed=3)(x, training=True)
    assert torch.equal(both[flipped], x[flipped].flip(1).flip(2))  # same draws, both axes


def test_drawn_transforms_cover_the_factor_ranges():
    batch = torch.zeros(2000, 5, 7, 1)
    rotations = RandomRotation((-0.1, 0.2), seed=1).sample(batch)  # (B, 8): b0 = sin, a0 = cos
    angles = torch.rad2deg(torch.atan2(rotations[:, 3], rotations[:, 0]))
    assert -36.0 <= angles.min() < -34.0 and 70.0 < angles.max() <= 72.0
    zooms = RandomZoom((-0.2, 0.3), (0.1, 0.4), seed=1).sample(batch)
    assert 0.8 <= zooms[:, 4].min() < 0.82 and 1.28 < zooms[:, 4].max() <= 1.3  # height
    assert 1.1 <= zooms[:, 0].min() < 1.12 and 1.38 < zooms[:, 0].max() <= 1.4  # width
    shifts = RandomTranslation(0.2, (0.0, 0.5), seed=1).sample(batch)
    assert -1.0 <= shifts[:, 5].min() < -0.95 and 0.95 < shifts[:, 5].max() <= 1.0  # -dy
    assert -3.5 <= shifts[:, 2].min() < -3.4 and shifts[:, 2].max() <= 0.0  # -dx
    deltas = RandomBrightness(0.1, value_range=(0, 1), seed=1).sample(batch)
    assert -0.1 <= deltas.min() < -0.09 and 0.09 < deltas.max() <= 0.1
    contrast = RandomContrast(0.3, seed=1).sample(batch)  # Keras: [1, 1.3] for a float
    assert 1.0 <= contrast.min() < 1.01 and 1.29 < contrast.max() <= 1.3


def test_random_layers_on_unbatched_images_and_uint8_casts():
    x = torch.randint(0, 256, (5, 4, 3), dtype=torch.uint8)
    for layer in (RandomRotation(0.2, seed=1), RandomZoom(0.2, seed=1), RandomFlip(seed=1)):
        assert layer(x).dtype == torch.float32  # cast at inference too, as Keras
        out = layer(x, training=True)
        assert out.shape == x.shape and out.dtype == torch.float32
    assert RandomContrast(0.3)(x).dtype == torch.uint8  # identity at inference, as Keras
    assert RandomContrast(0.3, seed=1)(x, training=True).dtype == torch.float32
    assert RandomBrightness(0.3, seed=1)(x, training=True).dtype == torch.uint8


def test_random_crop_training_windows_and_inference_identity():
    x = torch.as_tensor(images((3, 7, 8, 2)))
    layer = RandomCrop(4, 5, seed=2)
    out = layer(x, training=True)
    assert out.shape == (3, 4, 5, 2)
    windows = [x[:, i : i + 4, j : j + 5] for i in range(4) for j in range(4)]
    assert any(torch.equal(out, w) for w in windows)  # one window for the whole batch
    assert layer(x) is x  # Keras 3.15 returns the input unchanged at inference
    symbolic = layer(KerasTensor((None, 7, 8, 2)))
    assert symbolic.shape == (None, 4, 5, 2)


# ---- transforms against Keras' for forced factors -----------------------------------------------
def compare_training(ours, theirs, x, atol=2e-4):
    expected = keras_numpy(theirs(x, training=True))
    got = ours(torch.as_tensor(x), training=True).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=atol)


@needs_keras
@pytest.mark.parametrize("fill_mode", ["reflect", "wrap", "constant", "nearest"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("factor", [(0.25, 0.25), (-0.07, -0.07)])
def test_rotation_matches_keras_for_a_forced_angle(fill_mode, interpolation, factor):
    kwargs = {"factor": factor, "fill_mode": fill_mode, "interpolation": interpolation,
              "fill_value": 7.0}
    # A quarter turn of a non-square image reads at exact half pixels, where nearest rounding
    # of float32 coordinates is a tie either way: that turn is checked on a square image.
    x = images((2, 5, 5, 2) if factor == (0.25, 0.25) else (2, 6, 5, 2))
    compare_training(RandomRotation(**kwargs), keras.layers.RandomRotation(**kwargs), x)


def test_rotation_by_a_quarter_turn_is_a_counter_clockwise_rot90():
    x = torch.as_tensor(images((2, 5, 5, 1)))
    out = RandomRotation((0.25, 0.25), interpolation="nearest")(x, training=True)
    torch.testing.assert_close(out, torch.rot90(x, k=1, dims=(1, 2)))


@needs_keras
@pytest.mark.parametrize("fill_mode", ["reflect", "wrap", "constant", "nearest"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_zoom_and_translation_match_keras_for_forced_factors(fill_mode, interpolation):
    common = {"fill_mode": fill_mode, "interpolation": interpolation, "fill_value": -3.0}
    x = images((2, 7, 6, 3))
    zoom = {"height_factor": (0.3, 0.3), "width_factor": (-0.45, -0.45), **common}
    compare_training(RandomZoom(**zoom), keras.layers.RandomZoom(**zoom), x)
    shift = {"height_factor": (0.3, 0.3), "width_factor": (-0.55, -0.55), **common}
    compare_training(RandomTranslation(**shift), keras.layers.RandomTranslation(**shift), x)


@needs_keras
def test_channels_first_rotation_matches_keras():
    kwargs = {"factor": (0.1, 0.1), "data_format": "channels_first"}
    compare_training(RandomRotation(**kwargs), keras.layers.RandomRotation(**kwargs),
                     images((2, 3, 6, 7)))


@needs_keras
@pytest.mark.parametrize("dtype", ["float32", "uint8"])
def test_brightness_and_contrast_match_keras_transforms(dtype):
    x = images((3, 4, 5, 2)).astype(dtype)
    kwargs = {"factor": (0.1, 0.1), "value_range": (0, 255)}
    compare_training(RandomBrightness(**kwargs), keras.layers.RandomBrightness(**kwargs), x)
    contrast = np.array([0.6, 1.0, 1.4], "float32").reshape(3, 1, 1, 1)
    theirs = keras.layers.RandomContrast(0.5)
    expected = theirs.transform_images(
        torch.as_tensor(x), {"contrast_factor": torch.as_tensor(contrast)}
    )
    got = RandomContrast(0.5).adjust(torch.as_tensor(x), torch.as_tensor(contrast))
    np.testing.assert_allclose(got.numpy(), keras_numpy(expected), rtol=1e-6, atol=1e-4)


@needs_keras
@pytest.mark.parametrize("mode", ["horizontal", "vertical", "horizontal_and_vertical"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_flip_matches_keras_transform_for_given_draws(mode, data_format):
    x = torch.as_tensor(images((3, 4, 5, 2)))
    flips = torch.tensor([True, False, True])
    theirs = keras.layers.RandomFlip(mode, data_format=data_format)
    expected = theirs.transform_images(x, {"flips": flips.view(3, 1, 1, 1), "input_shape": x.shape})
    got = RandomFlip(mode, data_format=data_format).flip(x, flips)
    np.testing.assert_array_equal(got.numpy(), keras_numpy(expected))


@needs_keras
def test_random_crop_window_matches_keras_transform():
    x = images((2, 7, 8, 1))
    theirs = keras.layers.RandomCrop(4, 5, seed=1)
    expected = theirs.transform_images(torch.as_tensor(x), (2, 1), training=True)
    got = RandomCrop(4, 5).crop(torch.as_tensor(x), (2, 1))
    np.testing.assert_array_equal(got.numpy(), keras_numpy(expected))


# ---- errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: RandomRotation(1.5, name="r"), r"RandomRotation 'r'.*factor=1.5"),
        (lambda: RandomRotation(0.1, fill_mode="mirror", name="r"), r"fill_mode='mirror'"),
        (lambda: RandomZoom(-1.0, name="z"), r"RandomZoom 'z'.*height_factor=-1.0"),
        (lambda: RandomTranslation(0.1, (0.1, 2), name="t"), r"'t'.*width_factor"),
        (lambda: RandomFlip("diagonal", name="f"), r"RandomFlip 'f'.*mode='diagonal'"),
        (lambda: RandomContrast(-0.2, name="c"), r"RandomContrast 'c'.*factor=-0.2"),
        (lambda: RandomBrightness(0.1, value_range=5, name="b"), r"'b'.*value_range=5"),
        (lambda: RandomFlip(seed=1.5, name="f"), r"'f'.*seed=1.5"),
        (lambda: RandomZoom(0.1, interpolation="bicubic", name="z"), r"interpolation='bicubic'"),
    ],
)
def test_argument_errors_name_the_layer_and_argument(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("make", [lambda: Resizing(2, 2, name="img"),
                                  lambda: CenterCrop(2, 2, name="img"),
                                  lambda: RandomCrop(2, 2, name="img"),
                                  *[lambda cls=cls, kwargs=kwargs: cls(**kwargs, name="img")
                                    for cls, kwargs in RANDOM]])
def test_images_of_the_wrong_rank_name_layer_and_shape(make, training):
    with pytest.raises(ValueError, match=r"'img'.*3D image.*\(2, 3\)"):
        make()(torch.zeros(2, 3), training=training)


# ---- an augmentation stack inside a CNN trains with fit -------------------------------------
def test_augmentation_stack_in_a_cnn_trains_with_fit():
    torch.manual_seed(0)
    x = np.random.default_rng(0).uniform(0, 255, size=(64, 12, 12, 3)).astype("uint8")
    y = (x[..., 0].mean(axis=(1, 2)) > x[..., 1].mean(axis=(1, 2))).astype("int64")
    model = Sequential([
        Input((12, 12, 3)),
        Rescaling(1.0 / 255),
        RandomFlip("horizontal", seed=1),
        RandomRotation(0.1, seed=2),
        RandomZoom(0.1, seed=3),
        RandomTranslation(0.1, 0.1, fill_mode="constant", seed=4),
        RandomContrast(0.2, value_range=(0, 1), seed=5),
        RandomCrop(10, 10, seed=6),
        Resizing(12, 12),
        Conv2D(4, 3, activation="relu"),
        GlobalAveragePooling2D(),
        Dense(2, activation="softmax"),
    ])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert len(losses) == 3 and all(np.isfinite(losses))
    assert model.predict(x[:4], verbose=0).shape == (4, 2)


@pytest.mark.cuda
def test_random_layers_run_on_the_inputs_cuda_device():
    x = torch.rand(2, 6, 6, 3, device="cuda") * 255
    for make in RANDOM_LAYERS:
        assert make()(x, training=True).device.type == "cuda"
    layer = Normalization()
    layer.adapt(x)
    assert Resizing(3, 3)(x).device.type == "cuda"


@needs_keras
def test_keras_files_round_trip_with_real_keras(tmp_path):
    stack = [RandomFlip("horizontal", seed=1), RandomRotation(0.1, fill_mode="constant"),
             RandomZoom(0.2, 0.1), RandomTranslation(0.1, 0.2), RandomContrast(0.3),
             RandomBrightness(0.2), RandomCrop(6, 6, seed=2), Resizing(5, 5, antialias=True),
             CenterCrop(4, 4), Rescaling(0.5, offset=1.0)]
    ours = Sequential([Input((8, 8, 3)), *stack])
    ours.save(tmp_path / "ours.keras")
    theirs = keras.saving.load_model(tmp_path / "ours.keras")
    for mine, loaded in zip(ours.layers, theirs.layers):
        assert keras_numpy_config(loaded.get_config()) == keras_numpy_config(mine.get_config())
    x = images((2, 8, 8, 3))
    np.testing.assert_allclose(
        ours.predict(x, verbose=0), keras_numpy(theirs(x, training=False)), rtol=1e-6
    )
    theirs.save(tmp_path / "theirs.keras")
    again = load_model(tmp_path / "theirs.keras")
    assert [type(layer).__name__ for layer in again.layers] == [
        type(layer).__name__ for layer in stack
    ]


def keras_numpy_config(config):
    """A config as JSON values (tuples as lists), without its name."""
    return json.loads(json.dumps({k: v for k, v in config.items() if k != "name"}))
