"""ZeroPadding, Cropping and UpSampling 1D-3D: shapes for every argument form and both data
formats, config round trips, argument errors, views, and outputs/configs against real Keras 3."""

import os

import numpy as np
import pytest
import torch

from torchkeras.layers.reshaping import (
    Cropping1D,
    Cropping2D,
    Cropping3D,
    UpSampling1D,
    UpSampling2D,
    UpSampling3D,
    ZeroPadding1D,
    ZeroPadding2D,
    ZeroPadding3D,
)

os.environ.setdefault("KERAS_BACKEND", "torch")
try:
    import keras
except ImportError:  # the reference comparisons are skipped without real Keras
    keras = None

needs_keras = pytest.mark.skipif(keras is None, reason="real keras is not installed")
CF = {"data_format": "channels_first"}

# (class, kwargs, input shape, expected output shape)
CASES = [
    (ZeroPadding1D, {}, (2, 5, 3), (2, 7, 3)),
    (ZeroPadding1D, {"padding": 2}, (2, 5, 3), (2, 9, 3)),
    (ZeroPadding1D, {"padding": (0, 3)}, (2, 5, 3), (2, 8, 3)),
    (ZeroPadding1D, dict(padding=(1, 2), **CF), (2, 3, 5), (2, 3, 8)),
    (ZeroPadding2D, {}, (2, 4, 5, 3), (2, 6, 7, 3)),
    (ZeroPadding2D, {"padding": 2}, (2, 4, 5, 3), (2, 8, 9, 3)),
    (ZeroPadding2D, {"padding": (1, 0)}, (2, 4, 5, 3), (2, 6, 5, 3)),
    (ZeroPadding2D, {"padding": ((1, 2), (0, 3))}, (2, 4, 5, 3), (2, 7, 8, 3)),
    (ZeroPadding2D, dict(padding=((1, 2), 3), **CF), (2, 3, 4, 5), (2, 3, 7, 11)),
    (ZeroPadding3D, {}, (2, 3, 4, 5, 2), (2, 5, 6, 7, 2)),
    (ZeroPadding3D, {"padding": (1, 0, 2)}, (2, 3, 4, 5, 2), (2, 5, 4, 9, 2)),
    (
        ZeroPadding3D,
        dict(padding=((0, 1), (2, 0), (1, 1)), **CF),
        (2, 2, 3, 4, 5),
        (2, 2, 4, 6, 7),
    ),
    (Cropping1D, {}, (2, 6, 3), (2, 4, 3)),
    (Cropping1D, {"cropping": 2}, (2, 6, 3), (2, 2, 3)),
    (Cropping1D, {"cropping": (0, 3)}, (2, 6, 3), (2, 3, 3)),
    (Cropping2D, {}, (2, 6, 7, 3), (2, 6, 7, 3)),
    (Cropping2D, {"cropping": 1}, (2, 6, 7, 3), (2, 4, 5, 3)),
    (Cropping2D, {"cropping": (2, 0)}, (2, 6, 7, 3), (2, 2, 7, 3)),
    (Cropping2D, {"cropping": ((1, 2), (0, 3))}, (2, 6, 7, 3), (2, 3, 4, 3)),
    (Cropping2D, dict(cropping=((1, 0), (2, 1)), **CF), (2, 3, 6, 7), (2, 3, 5, 4)),
    (Cropping3D, {}, (2, 4, 5, 6, 2), (2, 2, 3, 4, 2)),
    (Cropping3D, {"cropping": (0, 1, 2)}, (2, 4, 5, 6, 2), (2, 4, 3, 2, 2)),
    (
        Cropping3D,
        dict(cropping=((0, 1), (2, 0), (1, 1)), **CF),
        (2, 2, 4, 5, 6),
        (2, 2, 3, 3, 4),
    ),
    (UpSampling1D, {}, (2, 5, 3), (2, 10, 3)),
    (UpSampling1D, {"size": 3}, (2, 5, 3), (2, 15, 3)),
    (UpSampling2D, {}, (2, 4, 5, 3), (2, 8, 10, 3)),
    (UpSampling2D, {"size": 3}, (2, 4, 5, 3), (2, 12, 15, 3)),
    (UpSampling2D, dict(size=(1, 3), **CF), (2, 3, 4, 5), (2, 3, 4, 15)),
    (
        UpSampling2D,
        {"size": (2, 3), "interpolation": "bilinear"},
        (2, 4, 5, 3),
        (2, 8, 15, 3),
    ),
    (
        UpSampling2D,
        dict(size=3, interpolation="BILINEAR", **CF),
        (2, 3, 4, 5),
        (2, 3, 12, 15),
    ),
    (
        UpSampling2D,
        {"size": (2, 3), "interpolation": "bicubic"},
        (2, 4, 5, 3),
        (2, 8, 15, 3),
    ),
    (UpSampling3D, {}, (2, 3, 4, 5, 2), (2, 6, 8, 10, 2)),
    (UpSampling3D, dict(size=(1, 2, 3), **CF), (2, 2, 3, 4, 5), (2, 2, 3, 8, 15)),
]
IDS = [f"{cls.__name__}-{i}" for i, (cls, *_rest) in enumerate(CASES)]


def _input(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("cls, kwargs, shape, expected", CASES, ids=IDS)
def test_output_shapes(cls, kwargs, shape, expected):
    layer = cls(**kwargs)
    assert tuple(layer(torch.from_numpy(_input(shape))).shape) == expected
    assert layer.compute_output_shape(shape) == expected


@pytest.mark.parametrize("cls, kwargs, shape, expected", CASES, ids=IDS)
def test_unknown_lengths_stay_unknown(cls, kwargs, shape, expected):
    channel = 1 if kwargs.get("data_format") == "channels_first" else len(shape) - 1
    unknown = tuple(n if axis == channel else None for axis, n in enumerate(shape))
    wanted = tuple(n if axis == channel else None for axis, n in enumerate(expected))
    assert cls(**kwargs).compute_output_shape(unknown) == wanted


@pytest.mark.parametrize("cls, kwargs, shape, expected", CASES, ids=IDS)
def test_config_round_trip(cls, kwargs, shape, expected):
    config = cls(**kwargs).get_config()
    clone = cls.from_config(config)
    assert clone.get_config() == config
    x = torch.from_numpy(_input(shape))
    torch.testing.assert_close(clone(x), cls(**kwargs)(x), rtol=0, atol=0)


def test_config_round_trip_through_lists():
    config = ZeroPadding2D(((1, 2), (3, 4))).get_config()
    config["padding"] = [[1, 2], [3, 4]]  # as a JSON file gives it back
    assert ZeroPadding2D.from_config(config).padding == ((1, 2), (3, 4))


def test_default_data_format_reads_config(monkeypatch):
    from torchkeras import config

    monkeypatch.setattr(config, "image_data_format", lambda: "channels_first")
    assert ZeroPadding2D().data_format == "channels_first"
    assert UpSampling3D().data_format == "channels_first"
    assert Cropping2D().data_format == "channels_first"


def test_cropping_is_a_view_and_padding_keeps_values():
    x = torch.randn(2, 6, 7, 3)
    y = Cropping2D(((1, 2), (3, 1)))(x)
    assert y._base is x  # a view: no copy
    torch.testing.assert_close(y, x[:, 1:4, 3:6, :])
    z = ZeroPadding2D(((1, 0), (0, 2)))(x)
    torch.testing.assert_close(z[:, 1:, :7, :], x)
    assert z[:, 0].abs().sum() == 0 and z[:, :, 7:].abs().sum() == 0


def test_nearest_upsampling_repeats_cells():
    x = torch.arange(6.0).reshape(1, 2, 3, 1)
    y = UpSampling2D((2, 3))(x)
    torch.testing.assert_close(y, x.repeat_interleave(2, 1).repeat_interleave(3, 2))


ARGUMENT_ERRORS = [
    (lambda: ZeroPadding1D(padding=-1), "padding"),
    (lambda: ZeroPadding1D(padding=(1, 2, 3)), "padding"),
    (lambda: ZeroPadding2D(padding=(1, 2, 3)), "padding"),
    (lambda: ZeroPadding2D(padding=((1, 2), (3,))), "padding"),
    (lambda: ZeroPadding2D(padding="same"), "padding"),
    (lambda: ZeroPadding3D(padding=(1, 2)), "padding"),
    (lambda: ZeroPadding2D(data_format="nhwc"), "data_format"),
    (lambda: Cropping1D(cropping=1.5), "cropping"),
    (lambda: Cropping2D(cropping=-1), "cropping"),
    (lambda: Cropping3D(cropping=((1, 1), (1, 1))), "cropping"),
    (lambda: Cropping3D(data_format="ncdhw"), "data_format"),
    (lambda: UpSampling1D(size=0), "size"),
    (lambda: UpSampling2D(size=(2, 0)), "size"),
    (lambda: UpSampling3D(size=(2, 2)), "size"),
    (lambda: UpSampling2D(interpolation="lanczos3"), "interpolation"),
]


@pytest.mark.parametrize("make, argument", ARGUMENT_ERRORS)
def test_argument_errors_name_layer_and_argument(make, argument):
    with pytest.raises(ValueError) as info:
        make()
    message = str(info.value)
    assert f"`{argument}`" in message and "'" in message.split(":")[0]


def test_upsampling1d_size_type_error_names_layer():
    with pytest.raises(TypeError, match=r"UpSampling1D 'up'.*`size`.*2\.0"):
        UpSampling1D(size=2.0, name="up")


def test_crop_longer_than_axis_names_layer():
    layer = Cropping2D(((2, 2), (0, 0)), name="crop")
    with pytest.raises(
        ValueError, match=r"Cropping2D 'crop'.*`cropping`.*\(2, 4, 5, 3\)"
    ):
        layer(torch.zeros(2, 4, 5, 3))
    with pytest.raises(ValueError, match="Cropping1D"):
        Cropping1D(3).compute_output_shape((None, 6, 2))


def test_wrong_rank_names_layer():
    with pytest.raises(ValueError, match=r"'pad'.*ZeroPadding2D.*expected ndim=4"):
        ZeroPadding2D(name="pad")(torch.zeros(2, 4, 3))


@needs_keras
@pytest.mark.parametrize("cls, kwargs, shape, expected", CASES, ids=IDS)
def test_outputs_match_keras(cls, kwargs, shape, expected):
    x = _input(shape, seed=len(shape) + sum(shape))
    ours = cls(**kwargs)(torch.from_numpy(x)).numpy()
    theirs = keras.ops.convert_to_numpy(
        getattr(keras.layers, cls.__name__)(**kwargs)(x)
    )
    assert ours.shape == theirs.shape == expected
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)


@needs_keras
@pytest.mark.parametrize("cls, kwargs, shape, expected", CASES, ids=IDS)
def test_config_matches_keras(cls, kwargs, shape, expected):
    ours = cls(**kwargs, name="x").get_config()
    theirs = getattr(keras.layers, cls.__name__)(**kwargs, name="x").get_config()
    assert ours == theirs


@needs_keras
@pytest.mark.parametrize("cls, kwargs, shape, expected", CASES, ids=IDS)
def test_compute_output_shape_matches_keras(cls, kwargs, shape, expected):
    theirs = getattr(keras.layers, cls.__name__)(**kwargs).compute_output_shape(shape)
    assert cls(**kwargs).compute_output_shape(shape) == tuple(theirs)
