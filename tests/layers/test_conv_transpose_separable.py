"""Transposed, depthwise and separable convolutions: what the case table cannot express.

Keras' output sizes over a grid of transposed-convolution settings, unknown spatial axes in a
functional model, default configs, the no-copy channels_last path, argument and shape errors,
weight penalties, `.keras` round trips and an autoencoder trained with `fit`. Outputs and
gradients of the table's cases are compared with Keras in `compat/test_layers.py`.
"""

import itertools
import os
import re

import numpy as np
import pytest
import torch
from torch.nn import functional as F

import torchkeras
from torchkeras.layers.convolutional import (
    Conv1DTranspose,
    Conv2D,
    Conv2DTranspose,
    Conv3DTranspose,
    Convolution2DTranspose,
    DepthwiseConv1D,
    DepthwiseConv2D,
    SeparableConv1D,
    SeparableConv2D,
    SeparableConvolution1D,
)
from torchkeras.layers.core import Dense
from torchkeras.registry import LAYERS

os.environ.setdefault("KERAS_BACKEND", "torch")
try:
    import keras
except ImportError:  # the reference comparisons are skipped without real Keras
    keras = None

needs_keras = pytest.mark.skipif(keras is None, reason="real keras is not installed")
CLASSES = [
    Conv1DTranspose,
    Conv2DTranspose,
    Conv3DTranspose,
    DepthwiseConv1D,
    DepthwiseConv2D,
    SeparableConv1D,
    SeparableConv2D,
]


def _transpose_settings():
    """(kernel, stride, padding, output_padding, dilation) over every branch of Keras' rules."""
    for kernel, stride, padding in itertools.product((1, 2, 3, 4), (1, 2, 3), ("valid", "same")):
        for extra in (None, *range(stride)):
            yield kernel, stride, padding, extra, 1
    for kernel, padding, extra in itertools.product((2, 3), ("valid", "same"), (None, 0)):
        yield kernel, 1, padding, extra, 2


TRANSPOSE_SETTINGS = list(_transpose_settings())


@needs_keras
@pytest.mark.parametrize("kernel,stride,padding,extra,dilation", TRANSPOSE_SETTINGS)
def test_transpose_sizes_and_values_match_keras(kernel, stride, padding, extra, dilation):
    kwargs = {
        "filters": 2,
        "kernel_size": kernel,
        "strides": stride,
        "padding": padding,
        "output_padding": extra,
        "dilation_rate": dilation,
    }
    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype("float32")
    theirs = keras.layers.Conv1DTranspose(**kwargs, bias_initializer="ones")
    ours = Conv1DTranspose(**kwargs, bias_initializer="ones")
    expected = keras.ops.convert_to_numpy(theirs(x))
    ours(torch.from_numpy(x))
    ours.set_weights(theirs.get_weights())
    got = ours(torch.from_numpy(x)).detach().numpy()
    assert got.shape == expected.shape
    assert ours.compute_output_shape((None, 5, 3)) == tuple(
        theirs.compute_output_shape((None, 5, 3))
    )
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


@needs_keras
@pytest.mark.parametrize(
    "cls,kwargs,shape",
    [
        (
            Conv2DTranspose,
            {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"},
            (None, 5, None, 2),
        ),
        (
            Conv2DTranspose,
            {"filters": 3, "kernel_size": (2, 3), "output_padding": (0, 1), "strides": (1, 2)},
            (None, None, 4, 2),
        ),
        (
            Conv3DTranspose,
            {"filters": 2, "kernel_size": 3, "data_format": "channels_first"},
            (None, 2, None, 3, 4),
        ),
        (
            DepthwiseConv2D,
            {"kernel_size": 3, "strides": 2, "depth_multiplier": 3},
            (None, 9, None, 2),
        ),
        (DepthwiseConv1D, {"kernel_size": 3, "padding": "same", "strides": 2}, (None, None, 4)),
        (SeparableConv2D, {"filters": 5, "kernel_size": 3, "dilation_rate": 2}, (None, None, 7, 2)),
        (
            SeparableConv1D,
            {"filters": 5, "kernel_size": 2, "data_format": "channels_first"},
            (None, 3, None),
        ),
    ],
)
def test_compute_output_shape_matches_keras(cls, kwargs, shape):
    ours = cls(**kwargs).compute_output_shape(shape)
    assert ours == tuple(getattr(keras.layers, cls.__name__)(**kwargs).compute_output_shape(shape))


@pytest.mark.parametrize(
    "layer,shape,expected",
    [
        (
            lambda: Conv2DTranspose(4, 3, strides=2, padding="same"),
            (None, None, 3),
            (None, None, 4),
        ),
        (lambda: Conv2DTranspose(4, 3, strides=2), (None, 6, 3), (None, 13, 4)),
        (lambda: DepthwiseConv2D(3, depth_multiplier=2), (None, None, 3), (None, None, 6)),
        (lambda: SeparableConv2D(5, 3, padding="same"), (7, None, 3), (7, None, 5)),
    ],
)
def test_unknown_spatial_axes_in_a_functional_model(layer, shape, expected):
    inputs = torchkeras.Input(shape)
    outputs = layer()(inputs)
    assert outputs.shape == (None, *expected)
    model = torchkeras.Model(inputs, outputs)
    concrete = [8 if d is None else d for d in shape]
    y = model(torch.randn(2, *concrete))
    assert all(e is None or e == d for e, d in zip(expected, y.shape[1:]))


@needs_keras
@pytest.mark.parametrize("cls", CLASSES)
def test_default_config_and_name_match_keras(cls):
    args = (
        {"kernel_size": 3}
        if cls.__name__.startswith("Depthwise")
        else {"filters": 2, "kernel_size": 3}
    )
    torchkeras.backend.clear_session(free_memory=False)
    keras.backend.clear_session(free_memory=False)
    ours, theirs = cls(**args), getattr(keras.layers, cls.__name__)(**args)
    assert ours.name == theirs.name  # e.g. "conv2d_transpose", "separable_conv1d"
    ours, theirs = ours.get_config(), theirs.get_config()
    ours.pop("name"), theirs.pop("name")
    assert ours == theirs


def test_aliases_and_registry():
    assert Convolution2DTranspose is Conv2DTranspose and SeparableConvolution1D is SeparableConv1D
    assert LAYERS.lookup("Convolution2DTranspose") is Conv2DTranspose
    assert LAYERS.lookup("SeparableConv2D") is SeparableConv2D


@pytest.mark.parametrize(
    "make,conv_name",
    [
        (lambda: Conv2DTranspose(4, 3, strides=2, padding="same"), "conv_transpose2d"),
        (lambda: Conv2DTranspose(4, 3, strides=2), "conv_transpose2d"),
        (lambda: DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2), "conv2d"),
        (lambda: SeparableConv2D(4, 3, padding="same"), "conv2d"),
    ],
)
def test_channels_last_runs_as_views(monkeypatch, make, conv_name):
    seen = []
    real = getattr(F, conv_name)

    def recording(x, *args, **kwargs):
        seen.append((x.is_contiguous(), x.is_contiguous(memory_format=torch.channels_last)))
        return real(x, *args, **kwargs)

    monkeypatch.setattr(torch.nn.functional, conv_name, recording)
    outputs = make()(torch.randn(2, 8, 8, 3))
    assert seen and all(format == (False, True) for format in seen)  # never `.contiguous()`
    assert outputs.stride()[-1] == 1  # channels come back innermost, a view of torch's result


def test_depthwise_groups_channels_like_keras():
    layer = DepthwiseConv1D(1, depth_multiplier=2, use_bias=False)
    x = torch.tensor([[[1.0, 10.0]]])  # (batch 1, step 1, channels 2)
    layer(x)
    layer.set_weights([np.array([[[1.0, 2.0], [3.0, 4.0]]], "float32")])  # (k, in, dm)
    # output channel c * dm + m is input channel c times kernel[0, c, m]
    np.testing.assert_array_equal(layer(x).detach().numpy(), [[[1.0, 2.0, 30.0, 40.0]]])


@pytest.mark.parametrize(
    "make,argument",
    [
        (lambda: Conv2DTranspose(4, 3, strides=2, output_padding=2), "output_padding"),
        (lambda: Conv2DTranspose(4, 3, output_padding=1), "output_padding"),
        (lambda: Conv2DTranspose(4, 3, strides=2, dilation_rate=2), "dilation_rate"),
        (lambda: Conv1DTranspose(4, 3, padding="causal"), "padding"),
        (lambda: Conv3DTranspose(0, 3), "filters"),
        (lambda: Conv2DTranspose(4, (3, 3, 3)), "kernel_size"),
        (lambda: DepthwiseConv2D(3, depth_multiplier=0), "depth_multiplier"),
        (lambda: DepthwiseConv1D(3, padding="causal"), "padding"),
        (lambda: SeparableConv2D(4, 3, strides=0), "strides"),
        (lambda: SeparableConv1D(-1, 3), "filters"),
        (lambda: SeparableConv2D(4, 3, data_format="NHWC"), "data_format"),
    ],
)
def test_argument_errors_name_layer_and_argument(make, argument):
    with pytest.raises(ValueError, match=f"`{argument}`") as info:
        make()
    assert "'" in str(info.value)  # names the layer, e.g. Conv2DTranspose 'conv2d_transpose'


@pytest.mark.parametrize(
    "make,built,wrong_rank,wrong_channels",
    [
        (lambda: Conv2DTranspose(4, 3, name="up"), (2, 5, 5, 3), (2, 5, 3), (2, 5, 5, 2)),
        (lambda: DepthwiseConv1D(3, name="up"), (2, 6, 3), (2, 6, 6, 3), (2, 6, 2)),
        (lambda: SeparableConv2D(4, 3, name="up"), (2, 5, 5, 3), (2, 5, 3), (2, 5, 5, 2)),
    ],
)
def test_shape_errors_name_layer_expected_and_received(make, built, wrong_rank, wrong_channels):
    with pytest.raises(ValueError, match=rf"'up'.*expected ndim={len(built)}") as info:
        make()(torch.randn(*wrong_rank))
    assert f"{(None, *wrong_rank[1:])}" in str(info.value)
    layer = make()
    layer(torch.randn(*built))
    with pytest.raises(ValueError, match="'up'") as info:
        layer(torch.randn(*wrong_channels))
    assert re.search(
        rf"{re.escape(str((None, *built[1:])))}.*{re.escape(str(wrong_channels))}", str(info.value)
    )


def test_valid_output_with_no_cells_names_layer_and_shape():
    with pytest.raises(ValueError, match=r"'dw'.*\(None, 2, 3\).*kernel_size=\(3,\)"):
        DepthwiseConv1D(3, name="dw")(torch.randn(1, 2, 3))


def test_weight_penalties_are_losses():
    layer = SeparableConv2D(2, 3, depthwise_regularizer="l2", pointwise_regularizer="l2")
    layer(torch.randn(1, 5, 5, 3))
    expected = sum(0.01 * float((w.detach() ** 2).sum()) for w in layer.weights[:2])
    assert len(layer.losses) == 2
    np.testing.assert_allclose(float(sum(layer.losses).detach()), expected, rtol=1e-6)
    transpose = Conv2DTranspose(2, 3, kernel_regularizer="l2", activity_regularizer="l1")
    transpose(torch.randn(1, 4, 4, 3))
    assert len(transpose.losses) == 2


@pytest.mark.parametrize("cls", CLASSES)
def test_keras_file_round_trip(tmp_path, cls):
    rank = 1 if "1D" in cls.__name__ else 3 if "3D" in cls.__name__ else 2
    args = (
        {"kernel_size": 3}
        if cls.__name__.startswith("Depthwise")
        else {"filters": 2, "kernel_size": 3}
    )
    model = torchkeras.Sequential(
        [torchkeras.Input((6,) * rank + (3,)), cls(**args, padding="same")]
    )
    x = torch.randn(2, *(6,) * rank, 3)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = torchkeras.saving.load_model(path)
    assert type(loaded.layers[0]) is cls
    torch.testing.assert_close(loaded(x), model(x), rtol=0, atol=0)


def _autoencoder():
    return torchkeras.Sequential(
        [
            torchkeras.Input((8, 8, 1)),
            Conv2D(4, 3, strides=2, padding="same", activation="relu"),
            Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu"),
            Conv2D(1, 3, padding="same"),
        ]
    )


def test_autoencoder_fits_and_loss_decreases():
    model = _autoencoder()
    assert model.output.shape == (None, 8, 8, 1)
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(0).random((64, 8, 8, 1), dtype=np.float32)
    history = model.fit(x, x, epochs=2, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert len(losses) == 2 and np.all(np.isfinite(losses))
    assert losses[1] < losses[0]


def test_classifier_fits_and_keeps_constraints():
    model = torchkeras.Sequential(
        [
            torchkeras.Input((10, 3)),
            SeparableConv1D(
                4, 3, depth_multiplier=2, activation="relu", pointwise_constraint="non_neg"
            ),
            DepthwiseConv1D(3, strides=2, padding="same", depthwise_constraint="non_neg"),
            torchkeras.layers.GlobalAveragePooling1D(),
            Dense(2, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(0).standard_normal((32, 10, 3)).astype("float32")
    y = np.random.default_rng(1).integers(0, 2, 32)
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert model.layers[0].pointwise_kernel.min() >= 0 and model.layers[1].kernel.min() >= 0
