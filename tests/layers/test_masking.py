"""Keras masks end to end: propagation (eager, functional, Sequential), the mask arguments a call
receives, merge rules, `supports_masking` of every exported layer, and masked losses in `fit` —
each against real Keras 3 (torch backend) where it has an observable value."""

import os
import warnings

import numpy as np
import pytest
import torch

import torchkeras
from torchkeras.layers import masking_support
from torchkeras.layers.core.masking import Masking
from torchkeras.layers.layer import Layer
from torchkeras.layers.symbolic import KerasTensor

os.environ.setdefault("KERAS_BACKEND", "torch")
try:
    import keras
except ImportError:  # the reference comparisons are skipped without real Keras
    keras = None

needs_keras = pytest.mark.skipif(keras is None, reason="real keras is not installed")
# Keras (and we) warn when a layer without masking support drops a mask; tests that check the
# warning use pytest.warns, which still sees it.
pytestmark = pytest.mark.filterwarnings("ignore:.*does not support masking:UserWarning")
IDS = torch.tensor([[1, 2, 0, 0], [3, 0, 4, 0]])
IDS_MASK = IDS != 0


def mask_of(x):
    return getattr(x, "_keras_mask", None)


def padded(shape=(2, 4, 3), seed=0):
    """A float input whose steps (0, 1) and (1, 3) are all zeros."""
    x = torch.as_tensor(np.random.default_rng(seed).standard_normal(shape).astype("float32"))
    x[0, 1] = 0.0
    x[1, 3] = 0.0
    return x


def masked(x, mask):
    x._keras_mask = mask
    return x


# ---- eager propagation ------------------------------------------------------------------------
def test_embedding_mask_propagates_through_masking_layers():
    x = torchkeras.layers.Embedding(5, 3, mask_zero=True)(IDS)
    for layer in (
        torchkeras.layers.Dense(4),
        torchkeras.layers.Activation("relu"),
        torchkeras.layers.Dropout(0.5),
        torchkeras.layers.LayerNormalization(),
        torchkeras.layers.BatchNormalization(),
    ):
        x = layer(x, training=True)
        assert torch.equal(mask_of(x), IDS_MASK), layer.name


def test_layer_without_masking_drops_the_mask_and_warns_like_keras():
    x = torchkeras.layers.Embedding(5, 3, mask_zero=True)(IDS)
    with pytest.warns(UserWarning, match="does not support masking"):
        out = torchkeras.layers.Flatten()(x)
    assert mask_of(out) is None


def test_no_mask_fast_path_never_calls_compute_mask(monkeypatch):
    dense = torchkeras.layers.Dense(2)
    calls = []
    monkeypatch.setattr(dense, "compute_mask", lambda *a: calls.append(a))
    monkeypatch.setattr(masking_support, "call_with_masks", lambda *a: calls.append(a))
    out = dense(torch.ones(2, 3))
    assert calls == [] and mask_of(out) is None


def test_masked_call_under_torch_compile_has_no_graph_break():
    model = torchkeras.Sequential(
        [
            torchkeras.Input((4,), dtype="int32"),
            torchkeras.layers.Embedding(5, 3, mask_zero=True),
            torchkeras.layers.Dense(2),
        ]
    )
    compiled = torch.compile(model, backend="eager", fullgraph=True)
    out = compiled(IDS)
    assert torch.equal(mask_of(out), IDS_MASK)
    torch.testing.assert_close(out, model(IDS))


# ---- what a call receives ---------------------------------------------------------------------
def recorder(base):
    """A layer class (on Keras' or our `Layer`) recording the masks its call receives."""

    class Recorder(base):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seen = []

        def call(self, inputs, other=None, mask=None, other_mask=None):
            self.seen.append((mask, other_mask))
            return (inputs[0] if isinstance(inputs, list) else inputs) * 1.0

    return Recorder


def keras_masked(x, mask):
    x = torch.as_tensor(x).clone()
    x._keras_mask = mask
    return x


def received(base, call):
    layer = recorder(base)()
    call(layer)
    return layer.seen[-1]


@needs_keras
@pytest.mark.parametrize(
    "call",
    [
        lambda layer, x, y: layer(x),
        lambda layer, x, y: layer(x, mask=torch.tensor([[True, True, True, True]] * 2)),
        lambda layer, x, y: layer(x, other=y),  # two tensor arguments: `<name>_mask` only
        lambda layer, x, y: layer([x, y]),  # a list input: a list of masks
        lambda layer, x, y: layer([x, torch.ones(2, 4, 3)]),
    ],
    ids=["single", "explicit", "two_tensors", "list", "list_partly_masked"],
)
def test_call_receives_the_same_masks_as_in_keras(call):
    m1 = torch.tensor([[True, False, True, True], [False, True, True, True]])
    m2 = torch.tensor([[True, True, False, True], [True, True, True, False]])

    def run(base):
        x, y = keras_masked(torch.ones(2, 4, 3), m1), keras_masked(torch.ones(2, 4, 3), m2)
        return received(base, lambda layer: call(layer, x, y))

    ours, theirs = run(Layer), run(keras.layers.Layer)
    assert _plain(ours) == _plain(theirs)


def _plain(masks):
    return [
        [None if m is None else m.tolist() for m in x]
        if isinstance(x, list)
        else None
        if x is None
        else x.tolist()
        for x in masks
    ]


def test_supports_masking_defaults_follow_compute_mask():
    class Plain(Layer):
        pass

    class Computing(Layer):
        def compute_mask(self, inputs, previous_mask):
            return previous_mask

    assert Plain().supports_masking is False
    assert Computing().supports_masking is True
    layer = Plain()
    layer.supports_masking = True  # settable, as in Keras
    out = layer(masked(torch.ones(2, 3), torch.tensor([True, False])))
    assert torch.equal(mask_of(out), torch.tensor([True, False]))


# ---- merge rules ------------------------------------------------------------------------------
MERGES = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Dot", "Concatenate"]


@needs_keras
@pytest.mark.parametrize("masks", ["both", "first", "second"])
@pytest.mark.parametrize("name", MERGES + ["Concatenate_axis1"])
def test_merge_outputs_and_masks_match_keras(name, masks):
    kwargs = {"axes": 2} if name == "Dot" else {"axis": 1} if name.endswith("axis1") else {}
    cls_name = name.split("_")[0]
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal((2, 4, 3)).astype("float32") for _ in range(2)]
    mask_list = [
        torch.tensor([[1, 1, 0, 0], [1, 0, 1, 0]]).bool() if masks in ("both", "first") else None,
        torch.tensor([[1, 0, 0, 1], [0, 0, 1, 1]]).bool() if masks in ("both", "second") else None,
    ]

    def run(module):
        inputs = [torch.as_tensor(a).clone() for a in arrays]
        for x, m in zip(inputs, mask_list):
            if m is not None:
                x._keras_mask = m
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = getattr(module, cls_name)(**kwargs)(inputs)
        return out.detach().numpy(), mask_of(out)

    ours, theirs = run(torchkeras.layers), run(keras.layers)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6, atol=1e-7)
    assert (ours[1] is None) == (theirs[1] is None)
    if theirs[1] is not None:
        assert torch.equal(ours[1], theirs[1])


@needs_keras
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_average_pooling_1d_masked_mean_matches_keras(keepdims):
    x, mask = padded(), torch.tensor([[1, 0, 1, 1], [1, 1, 1, 0]]).bool()
    ours_x = masked(x.clone().requires_grad_(True), mask)
    out = torchkeras.layers.GlobalAveragePooling1D(keepdims=keepdims)(ours_x)
    keras_x = masked(x.clone(), mask)
    expected = keras.layers.GlobalAveragePooling1D(keepdims=keepdims)(keras_x)
    torch.testing.assert_close(out, expected, rtol=1e-6, atol=1e-7)
    assert mask_of(out) is None and mask_of(expected) is None
    out.sum().backward()
    assert torch.all(ours_x.grad[0, 1] == 0) and torch.all(ours_x.grad[1, 3] == 0)


# ---- the Masking layer ------------------------------------------------------------------------
@needs_keras
@pytest.mark.parametrize("mask_value", [0.0, 1.5])
def test_masking_layer_matches_keras(mask_value):
    x = padded()
    x[0, 1], x[1, 3] = mask_value, mask_value
    ours = Masking(mask_value=mask_value)(x)
    theirs = keras.layers.Masking(mask_value=mask_value)(x)
    torch.testing.assert_close(ours, theirs, rtol=0, atol=0)
    assert torch.equal(mask_of(ours), mask_of(theirs))
    layer = Masking(mask_value=mask_value)
    assert torch.equal(layer.compute_mask(x), mask_of(ours))


def test_masking_rejects_a_non_number():
    with pytest.raises(ValueError, match="mask_value"):
        Masking(mask_value="0")


# ---- functional and Sequential models ------------------------------------------------------------
def _functional(masking_first=True):
    inputs = torchkeras.Input((4, 3))
    x = Masking()(inputs) if masking_first else inputs
    x = torchkeras.layers.Dense(5)(x)
    x = torchkeras.layers.Activation("tanh")(x)
    return torchkeras.Model(inputs, torchkeras.layers.Dense(2)(x))


def test_symbolic_tensors_carry_mask_specs():
    inputs = torchkeras.Input((4,), dtype="int32")
    x = torchkeras.layers.Embedding(5, 3, mask_zero=True)(inputs)
    assert isinstance(mask_of(x), KerasTensor)
    assert (mask_of(x).shape, mask_of(x).dtype) == ((None, 4), "bool")
    y = torchkeras.layers.Dense(2)(x)
    assert mask_of(y).shape == (None, 4)
    assert mask_of(torchkeras.layers.GlobalAveragePooling1D()(x)) is None
    with pytest.warns(UserWarning):
        assert mask_of(torchkeras.layers.Flatten()(x)) is None
    assert mask_of(inputs) is None


@needs_keras
def test_functional_and_sequential_masks_equal_the_eager_chain_and_keras():
    x = padded()
    model = _functional()
    out = model(x)
    eager = x
    for layer in model.layers[1:]:
        eager = layer(eager)
    assert torch.equal(mask_of(out), mask_of(eager))
    sequential = torchkeras.Sequential([torchkeras.Input((4, 3)), *model.layers[1:]])
    assert torch.equal(mask_of(sequential(x)), mask_of(out))
    theirs = keras.Sequential([keras.Input((4, 3)), keras.layers.Masking(), keras.layers.Dense(2)])
    assert torch.equal(mask_of(theirs(x)), mask_of(out))


@needs_keras
def test_explicit_mask_to_models_matches_keras():
    mask = torch.tensor([[True, False, True, True]] * 2)
    ours = torchkeras.Sequential([torchkeras.Input((4, 3)), torchkeras.layers.Dense(2)])
    theirs = keras.Sequential([keras.Input((4, 3)), keras.layers.Dense(2)])
    assert torch.equal(mask_of(ours(torch.ones(2, 4, 3), mask=mask)), mask)
    assert torch.equal(mask_of(theirs(torch.ones(2, 4, 3), mask=mask)), mask)
    assert torch.equal(mask_of(_functional(False)(torch.ones(2, 4, 3), mask=mask)), mask)


def test_nested_model_and_dtype_conversion_keep_the_mask():
    inner = _functional(masking_first=False)
    outer_in = torchkeras.Input((4, 3))
    outer = torchkeras.Model(outer_in, inner(Masking()(outer_in)))
    x = padded()
    expected = mask_of(Masking()(x))
    with pytest.warns(UserWarning, match="functional"):  # Keras warns for models too
        out = outer(x)
    assert torch.equal(mask_of(out), expected)
    with pytest.warns(UserWarning):
        out64 = inner(masked(x.double(), expected))
    assert torch.equal(mask_of(out64), expected)


def test_layer_with_its_own_output_spec_gets_symbolic_masks():
    class OwnSpec(Layer):
        def call(self, inputs):
            return inputs[:, :, :2]

        def compute_output_spec(self, inputs):
            return KerasTensor((*inputs.shape[:-1], 2), inputs.dtype)

        def compute_mask(self, inputs, previous_mask):
            return previous_mask

    x = Masking()(torchkeras.Input((4, 3)))
    y = OwnSpec()(x)
    assert y.shape == (None, 4, 2) and mask_of(y).shape == (None, 4)
    assert mask_of(OwnSpec()(torchkeras.Input((4, 3)))) is None


def test_dict_inputs_and_masks_are_matched_by_name():
    a, b = torchkeras.Input((4, 3), name="a"), torchkeras.Input((4, 3), name="b")
    model = torchkeras.Model({"a": a, "b": b}, torchkeras.layers.Add()([a, b]))
    mask_a = torch.tensor([[True, False, False, False]] * 2)
    mask_b = torch.tensor([[False, False, False, True]] * 2)
    inputs = {"b": masked(torch.ones(2, 4, 3), mask_b), "a": masked(torch.ones(2, 4, 3), mask_a)}
    assert torch.equal(mask_of(model(inputs)), mask_a | mask_b)
    explicit = model(
        {"b": torch.ones(2, 4, 3), "a": torch.ones(2, 4, 3)}, mask={"b": mask_b, "a": mask_a}
    )
    assert torch.equal(mask_of(explicit), mask_a | mask_b)


def test_sequential_input_cast_keeps_the_mask():
    model = torchkeras.Sequential([torchkeras.Input((4, 3)), torchkeras.layers.Dense(2)])
    mask = torch.tensor([[True, False, True, True]] * 2)
    out = model(masked(torch.ones(2, 4, 3, dtype=torch.float64), mask))
    assert out.dtype == torch.float32 and torch.equal(mask_of(out), mask)
