"""Image augmentation layers in training mode: seeded outputs equal to real Keras' (the same
random numbers, drawn in the same order), labels of MixUp/CutMix, ranges and dtypes, errors,
and `.keras` files shared with Keras. Deterministic configurations are in the case table
(`preprocessing_image_cases.py`)."""

import os
import random

import numpy as np
import pytest
import torch

from torchkeras.layers.core.input_layer import Input
from torchkeras.layers.preprocessing.image import (
    AugMix,
    AutoContrast,
    ContrastLimitedAdaptiveHistogramEqualization,
    CutMix,
    Equalization,
    MixUp,
    RandAugment,
    RandomColorDegeneration,
    RandomColorJitter,
    RandomElasticTransform,
    RandomErasing,
    RandomGaussianBlur,
    RandomGrayscale,
    RandomHue,
    RandomInvert,
    RandomPerspective,
    RandomPosterization,
    RandomSaturation,
    RandomSharpness,
    RandomShear,
    Solarization,
)
from torchkeras.models import Sequential, load_model

os.environ.setdefault("KERAS_BACKEND", "torch")
try:
    import keras
    from keras.src.layers.preprocessing.image_preprocessing import random_brightness
except ImportError:  # the reference comparisons are skipped without real Keras
    keras = None

needs_keras = pytest.mark.skipif(keras is None, reason="real keras is not installed")
CHANNELS_FIRST = {"data_format": "channels_first"}

# (class, kwargs, input shape, input dtype, pixel maximum)
SEEDED = [
    (RandomGrayscale, {"factor": 0.6}, (5, 4, 3, 3), "float32", 255),
    (RandomGrayscale, {**CHANNELS_FIRST}, (4, 3, 3, 4), "uint8", 255),
    (RandomInvert, {"factor": (0.2, 0.8), "value_range": (0, 1)}, (6, 3, 3, 2), "float32", 1),
    (RandomInvert, {}, (4, 3, 2), "uint8", 255),
    (Solarization, {"addition_factor": 0.3, "threshold_factor": (0.2, 0.9)}, (3, 4, 4, 2),
     "float32", 255),
    (Solarization, {"threshold_factor": 0.5, "value_range": (0, 1)}, (4, 4, 2), "float32", 1),
    (RandomPosterization, {"factor": 6}, (4, 3, 3, 3), "uint8", 255),
    (RandomPosterization, {"factor": (2, 7), "value_range": (0, 1)}, (4, 3, 3, 1), "float32", 1),
    (RandomColorDegeneration, {"factor": 0.7}, (4, 3, 3, 3), "float32", 255),
    (RandomColorDegeneration, {"factor": (0.1, 0.9), **CHANNELS_FIRST}, (3, 3, 3, 4), "float32",
     255),
    (RandomSaturation, {"factor": (0.2, 0.9), "value_range": (0, 1)}, (4, 3, 3, 3), "float32", 1),
    (RandomSaturation, {"factor": 0.8, **CHANNELS_FIRST}, (3, 3, 4, 4), "float32", 255),
    (RandomHue, {"factor": 0.8}, (4, 3, 3, 3), "float32", 255),
    (RandomHue, {"factor": (0.2, 0.9), "value_range": (0, 1), **CHANNELS_FIRST}, (3, 3, 3, 4),
     "float32", 1),
    (RandomHue, {"factor": 0.4}, (4, 4, 3), "uint8", 255),
    (RandomColorJitter, {"brightness_factor": 0.2, "contrast_factor": 0.3,
                         "saturation_factor": 0.6, "hue_factor": 0.3}, (4, 3, 3, 3), "float32",
     255),
    (RandomColorJitter, {"contrast_factor": (0.1, 0.3), "hue_factor": 0.3, "value_range": (0, 1)},
     (3, 4, 4, 3), "float32", 1),
    (RandomSharpness, {"factor": 0.8}, (4, 4, 3, 3), "float32", 255),
    (RandomSharpness, {"factor": (0.2, 0.9), "value_range": (0, 1), **CHANNELS_FIRST},
     (3, 2, 5, 4), "float32", 1),
    (RandomGaussianBlur, {}, (4, 4, 5, 3), "float32", 255),
    (RandomGaussianBlur, {"factor": (0.3, 0.9), "kernel_size": 5, "sigma": (0.5, 0.9),
                          **CHANNELS_FIRST}, (5, 2, 6, 7), "float32", 255),
    (RandomShear, {"x_factor": 0.3, "y_factor": 0.2}, (4, 5, 4, 3), "float32", 255),
    (RandomShear, {"x_factor": (0.1, 0.4), "fill_mode": "constant", "fill_value": 5.0,
                   "interpolation": "nearest", **CHANNELS_FIRST}, (3, 2, 6, 7), "float32", 255),
    (RandomShear, {"y_factor": 0.5, "fill_mode": "wrap"}, (6, 5, 3), "uint8", 255),
    (RandomPerspective, {}, (4, 5, 4, 3), "float32", 255),
    (RandomPerspective, {"factor": (0.3, 0.8), "scale": 0.4, "fill_value": 3.0,
                         "interpolation": "nearest", **CHANNELS_FIRST}, (5, 2, 6, 7), "float32",
     255),
    (RandomErasing, {}, (4, 6, 5, 3), "float32", 255),
    (RandomErasing, {"factor": (0.3, 0.9), "scale": (0.1, 0.5), "fill_value": 7.0,
                     **CHANNELS_FIRST}, (6, 2, 8, 7), "float32", 255),
    (RandomErasing, {"scale": 0.5, "fill_value": [1.0, 300.0, 3.0]}, (8, 7, 3), "uint8", 255),
    (MixUp, {}, (4, 3, 3, 2), "float32", 255),
    (MixUp, {"alpha": 0.7, **CHANNELS_FIRST}, (6, 2, 3, 4), "uint8", 255),
    (CutMix, {}, (4, 6, 5, 3), "float32", 255),
    (CutMix, {"factor": (0.2, 0.6), **CHANNELS_FIRST}, (6, 2, 8, 7), "float32", 255),
    (CutMix, {}, (6, 5, 3), "uint8", 255),
]


def pixels(shape, dtype="float32", high=255, seed=0):
    return np.random.default_rng(seed).uniform(0, high, size=shape).astype(dtype)


def keras_numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def assert_same_as_keras(ours, theirs, x, calls=2, before_call=None, atol=0.0):
    """Two seeded training calls (the generator advances) give Keras' values and dtype."""
    for index in range(calls):
        if before_call:
            before_call(index)
        got = ours(torch.as_tensor(x), training=True)
        if before_call:
            before_call(index)
        expected = keras_numpy(theirs(x, training=True))
        assert got.dtype == (torch.float32 if expected.dtype == np.float32 else torch.uint8)
        np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6, atol=atol)


@needs_keras
@pytest.mark.parametrize("cls, kwargs, shape, dtype, high", SEEDED,
                         ids=[f"{c.__name__}-{i}" for i, (c, *_) in enumerate(SEEDED)])
def test_seeded_training_outputs_equal_keras(cls, kwargs, shape, dtype, high):
    kwargs = {**kwargs, "seed": 3}
    x = pixels(shape, dtype, high)
    # An absolute floor of 1e-7 of the pixel scale: the channels_first sharpness convolution
    # sums in another order than Keras' (which transposes), one float32 ulp apart.
    assert_same_as_keras(cls(**kwargs), getattr(keras.layers, cls.__name__)(**kwargs), x,
                         atol=1e-7 * high)


@needs_keras
@pytest.mark.parametrize("kwargs, shape", [
    ({}, (3, 12, 10, 3)),
    ({"factor": (0.3, 0.8), "scale": (0.2, 0.6), "fill_mode": "constant", "fill_value": 3.0,
      "interpolation": "nearest", **CHANNELS_FIRST}, (4, 2, 14, 15)),
    ({"fill_mode": "mirror", "value_range": (0, 1)}, (16, 13, 3)),
])
def test_elastic_transform_equals_keras_with_torch_seeded(kwargs, shape):
    # Keras' torch backend draws the displacement noise from torch's global generator.
    kwargs = {**kwargs, "seed": 5}
    x = pixels(shape, high=kwargs.get("value_range", (0, 255))[1])
    assert_same_as_keras(RandomElasticTransform(**kwargs), keras.layers.RandomElasticTransform(
        **kwargs), x, before_call=lambda index: torch.manual_seed(11 + index))


@needs_keras
@pytest.mark.parametrize("kwargs, shape", [
    ({}, (4, 8, 7, 3)),
    ({"all_ops": False, "num_chains": 2, "chain_depth": 4, "alpha": 0.5, "factor": (0.1, 0.6)},
     (3, 6, 6, 3)),
    ({"value_range": (0, 1), "interpolation": "nearest", **CHANNELS_FIRST}, (3, 3, 6, 5)),
])
def test_aug_mix_equals_keras_with_python_random_seeded(kwargs, shape):
    # Keras picks AugMix's operations with Python's `random.choice`.
    kwargs = {**kwargs, "seed": 2}
    x = pixels(shape, high=kwargs.get("value_range", (0, 255))[1])
    assert_same_as_keras(AugMix(**kwargs), keras.layers.AugMix(**kwargs), x, calls=3,
                         before_call=lambda index: random.seed(9 + index), atol=1e-4)


@pytest.fixture
def keras_brightness_out_of_place(monkeypatch):
    """Keras' RandomBrightness with `images + delta` instead of its in-place `images += delta`,
    which makes Keras' RandAugment shift every batch by the brightness draw."""

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        images = images + self.backend.cast(transformation["rgb_delta"], images.dtype)
        return self.backend.numpy.clip(images, self.value_range[0], self.value_range[1])

    monkeypatch.setattr(random_brightness.RandomBrightness, "transform_images", transform_images)


@needs_keras
@pytest.mark.usefixtures("keras_brightness_out_of_place")
@pytest.mark.parametrize("kwargs", [
    {"seed": 0}, {"seed": 1}, {"seed": 2},
    {"seed": 1, "num_ops": 4, "factor": 0.8, "interpolation": "nearest"},
    {"seed": 4, "value_range": (0, 1), **CHANNELS_FIRST},
])
def test_rand_augment_equals_keras_without_its_in_place_brightness(kwargs):
    shape = (3, 3, 6, 5) if "data_format" in kwargs else (4, 6, 5, 3)
    x = pixels(shape, high=kwargs.get("value_range", (0, 255))[1])
    assert_same_as_keras(RandAugment(**kwargs), keras.layers.RandAugment(**kwargs), x, calls=3,
                         atol=1e-4)


@needs_keras
@pytest.mark.parametrize("cls, kwargs", [(MixUp, {"alpha": 0.5}), (CutMix, {})])
def test_mix_up_and_cut_mix_mix_labels_as_keras(cls, kwargs):
    x = pixels((5, 6, 6, 3))
    labels = np.eye(4, dtype="float32")[[0, 1, 2, 3, 1]]
    ours, theirs = cls(**kwargs, seed=4), getattr(keras.layers, cls.__name__)(**kwargs, seed=4)
    got = ours({"images": torch.as_tensor(x), "labels": torch.as_tensor(labels)}, training=True)
    expected = theirs({"images": x, "labels": labels}, training=True)
    for key in ("images", "labels"):
        np.testing.assert_allclose(got[key].numpy(), keras_numpy(expected[key]), rtol=1e-6)
    np.testing.assert_allclose(got["labels"].sum(-1).numpy(), 1.0, rtol=1e-6)
    untouched = ours({"images": torch.as_tensor(x), "labels": labels})  # inference
    np.testing.assert_array_equal(np.asarray(untouched["labels"]), labels)
    assert torch.equal(untouched["images"], torch.as_tensor(x))


INFERENCE = [
    (RandomGrayscale, {}), (RandomInvert, {}), (Solarization, {}),
    (RandomPosterization, {"factor": 4}), (RandomColorDegeneration, {"factor": 0.5}),
    (RandomSaturation, {"factor": 0.5}), (RandomHue, {"factor": 0.5}),
    (RandomColorJitter, {"hue_factor": 0.2}), (RandomSharpness, {"factor": 0.5}),
    (RandomGaussianBlur, {}), (RandomShear, {"x_factor": 0.2}), (RandomPerspective, {}),
    (RandomElasticTransform, {}), (RandomErasing, {}), (AutoContrast, {}),
    (Equalization, {}), (MixUp, {}), (CutMix, {}), (RandAugment, {}), (AugMix, {}),
    (ContrastLimitedAdaptiveHistogramEqualization, {}),
]


@needs_keras
@pytest.mark.parametrize("cls, kwargs", INFERENCE, ids=[c.__name__ for c, _ in INFERENCE])
def test_inference_outputs_and_dtypes_equal_keras_on_uint8_images(cls, kwargs):
    # Some Keras layers cast to float32 at inference, others return the input as it is.
    x = pixels((2, 8, 8, 3), "uint8")
    expected = keras_numpy(getattr(keras.layers, cls.__name__)(**kwargs)(x, training=False))
    got = cls(**kwargs)(torch.as_tensor(x)).numpy()
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


# ---- semantics without Keras ------------------------------------------------------------------
RANDOM_LAYERS = [
    lambda: RandomGrayscale(seed=1), lambda: RandomInvert(seed=1),
    lambda: Solarization(0.2, 0.6, seed=1), lambda: RandomPosterization(4, seed=1),
    lambda: RandomColorDegeneration(0.5, seed=1), lambda: RandomSaturation(0.8, seed=1),
    lambda: RandomHue(0.5, seed=1), lambda: RandomColorJitter(brightness_factor=0.2, seed=1),
    lambda: RandomSharpness(0.9, seed=1),
    lambda: RandomGaussianBlur((0.9, 1.0), sigma=(0.8, 1.0), seed=1),
    lambda: RandomShear(0.3, seed=1), lambda: RandomPerspective(seed=1),
    lambda: RandomElasticTransform(seed=1), lambda: RandomErasing(seed=1),
    lambda: MixUp(seed=1), lambda: CutMix(seed=1), lambda: RandAugment(seed=1),
    lambda: AugMix(seed=1), lambda: Equalization(),
]


@pytest.mark.parametrize("make", RANDOM_LAYERS)
def test_layers_start_in_inference_mode_and_act_in_training(make):
    layer = make()
    x = torch.as_tensor(pixels((4, 8, 8, 3)))
    torch.testing.assert_close(layer(x), x, rtol=0, atol=0)
    assert layer(x).shape == x.shape
    out = layer(x, training=True)
    assert out.shape == x.shape and out.dtype == torch.float32 and not torch.equal(out, x)
    layer.train()
    assert not torch.equal(layer(x), x)


@pytest.mark.parametrize("make", RANDOM_LAYERS)
def test_seeded_layers_repeat_their_sequence(make):
    x = torch.as_tensor(pixels((3, 6, 6, 3)))
    first, second = make(), make()
    torch.manual_seed(0)
    random.seed(0)
    outputs = [first(x, training=True) for _ in range(2)]
    torch.manual_seed(0)
    random.seed(0)
    for expected in outputs:
        torch.testing.assert_close(second(x, training=True), expected, rtol=0, atol=0)


@pytest.mark.parametrize("make", [
    lambda: RandomInvert(value_range=(0, 1), seed=2),
    lambda: Solarization(0.5, 0.5, value_range=(0, 1), seed=2),
    lambda: RandomColorDegeneration((-1.0, 1.0), value_range=(0, 1), seed=2),
    lambda: RandomHue(1.0, value_range=(0, 1), seed=2),
    lambda: RandomSharpness(1.0, value_range=(0, 1), seed=2),
    lambda: RandomGaussianBlur(value_range=(0, 1), seed=2),
    lambda: RandomErasing(value_range=(0, 1), seed=2),
    lambda: RandAugment(value_range=(0, 1), num_ops=3, factor=0.9, seed=2),
    lambda: AugMix(value_range=(0, 1), seed=2),
    lambda: AutoContrast(value_range=(0, 1)),
    lambda: ContrastLimitedAdaptiveHistogramEqualization(value_range=(0, 1),
                                                         tile_grid_size=(2, 2)),
])
def test_outputs_stay_inside_value_range(make):
    out = make()(torch.as_tensor(pixels((8, 6, 6, 3), high=1.0)), training=True)
    assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0


def test_probabilities_and_factor_ranges_are_respected():
    x = torch.as_tensor(pixels((4000, 2, 2, 3)))
    gray = RandomGrayscale(0.3, seed=1)(x, training=True)
    converted = (gray[..., 0] == gray[..., 1]).flatten(1).all(1).float().mean()
    assert 0.27 < float(converted) < 0.33
    inverted = RandomInvert(seed=1).sample(x).float().mean()  # p ~ U(0, 1): P = 1/2
    assert 0.47 < float(inverted) < 0.53
    shifts = RandomPosterization((2, 6), seed=1).sample(x).flatten()
    assert set(shifts.tolist()) == {3, 4, 5, 6}  # bits in [2, 6): randint's open upper end
    hue = RandomHue((0.2, 0.6), seed=1).sample(x).abs()
    assert 0.1 <= float(hue.min()) < 0.11 and 0.29 < float(hue.max()) <= 0.3
    weights = MixUp(alpha=0.2, seed=1).sample(x)[1]
    assert float(weights.min()) >= 0 and float(weights.max()) <= 1
    assert float(((weights < 0.1) | (weights > 0.9)).float().mean()) > 0.5  # U-shaped Beta(.2)


def test_cut_mix_pastes_whole_pixels_from_one_other_image():
    x = torch.arange(6, dtype=torch.float32).view(6, 1, 1, 1).expand(6, 8, 8, 1)
    layer = CutMix(seed=3)
    out = layer(x, training=True)
    for index in range(6):
        assert len(set(out[index].unique().tolist())) <= 2
    assert layer(x[0]).shape == (8, 8, 1) and torch.equal(layer(x[0], training=True), x[0])


def test_equalization_and_auto_contrast_on_flat_images_keep_them():
    flat = torch.full((2, 4, 4, 3), 7.0)
    torch.testing.assert_close(Equalization()(flat, training=True), flat)
    torch.testing.assert_close(AutoContrast()(flat), flat)


@pytest.mark.parametrize("make, match", [
    (lambda: RandomGrayscale(1.5, name="g"), r"RandomGrayscale 'g'.*factor=1.5"),
    (lambda: RandomInvert(value_range=5, name="i"), r"RandomInvert 'i'.*value_range=5"),
    (lambda: Solarization(addition_factor=2.0, name="s"), r"'s'.*addition_factor=2.0"),
    (lambda: RandomPosterization(9, name="p"), r"RandomPosterization 'p'.*factor=9"),
    (lambda: RandomHue(-0.2, name="h"), r"RandomHue 'h'.*factor=-0.2"),
    (lambda: RandomGaussianBlur(kernel_size=4, name="b"), r"'b'.*kernel_size=4"),
    (lambda: RandomGaussianBlur(kernel_size=(3, 5), name="b"), r"two equal.*\(3, 5\)"),
    (lambda: RandomShear(x_factor=1.5, name="s"), r"RandomShear 's'.*x_factor=1.5"),
    (lambda: RandomShear(fill_mode="mirror", name="s"), r"fill_mode='mirror'"),
    (lambda: RandomPerspective(scale=2.0, name="p"), r"RandomPerspective 'p'.*scale"),
    (lambda: RandomElasticTransform(fill_mode="bogus", name="e"), r"'e'.*fill_mode='bogus'"),
    (lambda: RandomErasing(fill_value="red", name="e"), r"RandomErasing 'e'.*fill_value='red'"),
    (lambda: MixUp(alpha=0, name="m"), r"MixUp 'm'.*alpha=0"),
    (lambda: RandAugment(num_ops=0, name="r"), r"RandAugment 'r'.*num_ops=0"),
    (lambda: AugMix(interpolation="bicubic", name="a"), r"AugMix 'a'.*interpolation='bicubic'"),
    (lambda: Equalization(bins=1, name="q"), r"Equalization 'q'.*bins=1"),
    (lambda: ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(0, 2), name="c"),
     r"'c'.*tile_grid_size=\(0, 2\)"),
    (lambda: RandomSharpness(0.5, seed=1.5, name="s"), r"RandomSharpness 's'.*seed=1.5"),
])
def test_argument_errors_name_the_layer_and_argument(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_color_layers_need_three_channels_and_images_need_rank_3_or_4():
    with pytest.raises(ValueError, match=r"RandomColorDegeneration 'd'.*3 channels"):
        RandomColorDegeneration(0.5, name="d")(torch.zeros(2, 4, 4, 2), training=True)
    with pytest.raises(ValueError, match=r"RandomHue 'h'.*3D image.*\(4, 4\)"):
        RandomHue(0.5, name="h")(torch.zeros(4, 4), training=True)


@needs_keras
def test_random_shear_config_round_trips_where_keras_cannot():
    layer = RandomShear(0.2, seed=1)
    assert RandomShear.from_config(layer.get_config()).x_factor == (-0.2, 0.2)
    # Keras 3.15 refuses its own `x_factor=(-0.2, 0.2)`.
    with pytest.raises((TypeError, ValueError)):
        keras.layers.RandomShear.from_config(keras.layers.RandomShear(0.2).get_config())


@needs_keras
def test_keras_files_round_trip_with_real_keras(tmp_path):
    # Equalization is left out: Keras 3.15's returns its input KerasTensor as its output spec,
    # so a Keras model holding it fails to build ("part of a cycle").
    stack = [RandomGrayscale(0.2), RandomInvert(0.3), Solarization(0.1, 0.5),
             RandomPosterization(5), RandomColorDegeneration(0.4), RandomSaturation(0.6),
             RandomHue(0.2), RandomColorJitter(contrast_factor=0.2, hue_factor=0.1),
             RandomSharpness(0.7), RandomGaussianBlur(0.5), RandomPerspective(0.4),
             RandomElasticTransform(0.3), RandomErasing(0.5, fill_value=2.0), AutoContrast(),
             MixUp(0.3), CutMix(0.6), RandAugment(num_ops=1),
             AugMix(num_chains=2), ContrastLimitedAdaptiveHistogramEqualization(clip_limit=2.0)]
    ours = Sequential([Input((16, 16, 3)), *stack])
    ours.save(tmp_path / "ours.keras")
    theirs = keras.saving.load_model(tmp_path / "ours.keras")
    x = pixels((2, 16, 16, 3))
    np.testing.assert_allclose(ours.predict(x, verbose=0), keras_numpy(theirs(x, training=False)),
                               rtol=1e-6, atol=1e-4)
    theirs.save(tmp_path / "theirs.keras")
    again = load_model(tmp_path / "theirs.keras")
    assert [type(layer).__name__ for layer in again.layers] == [
        type(layer).__name__ for layer in stack
    ]


@pytest.mark.cuda
@pytest.mark.parametrize("make", RANDOM_LAYERS)
def test_augmentation_layers_run_on_the_inputs_cuda_device(make):
    x = torch.rand(3, 8, 8, 3, device="cuda") * 255
    out = make()(x, training=True)
    assert out.device.type == "cuda" and out.shape == x.shape
