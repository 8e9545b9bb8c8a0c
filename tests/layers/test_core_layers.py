"""Core, regularization, reshaping and merging layers: generic case-table tests, numerics against
real Keras 3 (torch backend), and the behaviours specific to each layer."""

import json
import os

import numpy as np
import pytest
import torch
from torch import nn

import torchkeras
from case_families import ALL_CASES as CASES
from torchkeras.layers.core import Dense, Embedding, TorchModuleWrapper
from torchkeras.layers.merging import (
    Add,
    Concatenate,
    Dot,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
from torchkeras.layers.regularization import Dropout
from torchkeras.layers.reshaping import Flatten, Permute, RepeatVector, Reshape
from torchkeras.layers.symbolic import KerasTensor

os.environ.setdefault("KERAS_BACKEND", "torch")
try:
    import keras
except ImportError:  # the reference comparisons are skipped without real Keras
    keras = None

needs_keras = pytest.mark.skipif(keras is None, reason="real keras is not installed")
case_params = pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])


def make_input(case, seed=0):
    """A seeded numpy input (or list of inputs) for a case."""
    inputs = case.make_inputs(seed)
    return inputs if case.several_inputs else inputs[0]


def to_torch(x):
    """Numeric arrays as tensors; string arrays stay numpy (text layers take them as they are)."""
    if isinstance(x, list):
        return [to_torch(a) for a in x]
    return torch.as_tensor(x) if x.dtype.kind in "biuf" else x


def call(case, layer, x):
    """Calls `layer` on `x` (an input or a list of them) the way `case` says."""
    return case.call(layer, x if case.several_inputs else [x])


def output_shapes(out):
    return [tuple(o.shape) for o in out] if isinstance(out, (tuple, list)) else [tuple(out.shape)]


def from_config(case, layer_config):
    objects = case.make_custom_objects()
    if objects is None:
        return case.cls.from_config(layer_config)
    return case.cls.from_config(layer_config, custom_objects=objects)


def built_layer(case):
    layer = case.cls(**case.make_kwargs())
    x = to_torch(make_input(case))
    return layer, x, call(case, layer, x)


# ---- generic tests over the case table -------------------------------------------------------
@case_params
def test_lazy_build_and_output_shape(case):
    layer = case.cls(**case.make_kwargs())
    assert not layer.built
    assert bool(layer.weights) == case.weights_at_init
    out = call(case, layer, to_torch(make_input(case)))
    assert layer.built
    assert output_shapes(out) == case.output_shapes


@case_params
def test_symbolic_call(case):
    layer = case.cls(**case.make_kwargs())
    shapes = case.input_shape if isinstance(case.input_shape, list) else [case.input_shape]
    inputs = [KerasTensor((None, *s[1:]), dtype=case.input_dtype) for s in shapes]
    out = case.call(layer, inputs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    assert all(isinstance(o, KerasTensor) for o in outs)
    assert [o.shape for o in outs] == [(None, *s[1:]) for s in case.output_shapes]


@case_params
def test_config_round_trip(case):
    layer, _, _ = built_layer(case)
    layer_config = layer.get_config()
    json.dumps(layer_config)  # Keras configs are plain JSON values
    clone = from_config(case, layer_config)
    assert type(clone) is case.cls
    assert clone.get_config() == layer_config


@case_params
def test_weights_round_trip(case):
    layer, x, out = built_layer(case)
    clone = from_config(case, layer.get_config())
    call(case, clone, x)
    clone.set_weights(layer.get_weights())
    torch.testing.assert_close(call(case, clone, x), out, rtol=0, atol=0)
    for a, b in zip(clone.get_weights(), layer.get_weights()):
        np.testing.assert_array_equal(a, b)


@case_params
def test_state_dict_keys_and_count_params(case):
    layer, _, _ = built_layer(case)
    assert set(layer.state_dict()) == set(case.state_keys)
    assert layer.count_params() == sum(w.size for w in layer.get_weights())


# ---- numerics against real Keras --------------------------------------------------------------
def keras_config(layer_config, skip):
    plain = json.loads(json.dumps(layer_config, default=str))
    return {k: v for k, v in plain.items() if k not in ("name", *skip)}


@needs_keras
@case_params
def test_config_and_weight_shapes_match_keras(case):
    # Outputs and gradients against Keras: compat/test_layers.py.
    try:
        reference = getattr(keras.layers, case.cls.__name__)(**case.make_kwargs(keras.layers))
    except ImportError as error:  # Keras' lookup, hashing and text layers need TensorFlow
        pytest.skip(f"Keras cannot build {case.cls.__name__} here: {error}")
    ours = case.cls(**case.make_kwargs())
    x = make_input(case, seed=1)
    call(case, reference, x), call(case, ours, to_torch(x))
    assert ours.count_params() == reference.count_params()
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in reference.get_weights()]
    assert keras_config(ours.get_config(), case.config_skip) == keras_config(
        reference.get_config(), case.config_skip
    )


@needs_keras
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_flatten_order_matches_keras(data_format):
    x = np.arange(2 * 3 * 4 * 5, dtype="float32").reshape(2, 3, 4, 5)
    expected = keras.ops.convert_to_numpy(keras.layers.Flatten(data_format=data_format)(x))
    ours = Flatten(data_format=data_format)(torch.as_tensor(x)).numpy()
    np.testing.assert_array_equal(ours, expected)


# ---- layer-specific behaviour -----------------------------------------------------------------
def test_flatten_order_is_height_width_channels():
    x = np.arange(2 * 3 * 4 * 5, dtype="float32").reshape(2, 3, 4, 5)
    np.testing.assert_array_equal(Flatten()(torch.as_tensor(x)).numpy(), x.reshape(2, -1))
    channels_first = Flatten(data_format="channels_first")(torch.as_tensor(x)).numpy()
    np.testing.assert_array_equal(channels_first, x.transpose(0, 2, 3, 1).reshape(2, -1))


def test_dense_wrong_last_dim_after_build_names_layer_and_shapes():
    layer = Dense(4, name="head")
    layer(torch.zeros(2, 3))
    with pytest.raises(ValueError, match=r"'head'.*\(None, 3\).*\(2, 5\)"):
        layer(torch.zeros(2, 5))


def test_dense_casts_integer_inputs_and_uses_keras_layout():
    layer = Dense(2)
    out = layer(torch.arange(6).reshape(2, 3))
    assert out.dtype == torch.float32
    assert tuple(layer.kernel.shape) == (3, 2)
    assert isinstance(layer.kernel, nn.Parameter)
    torch.testing.assert_close(out, torch.arange(6.0).reshape(2, 3) @ layer.kernel)


def test_dense_regularizers_and_constraints_reach_the_weights():
    layer = Dense(3, kernel_regularizer="l2", bias_constraint="non_neg")
    layer(torch.ones(2, 4))
    (penalty,) = layer.losses
    torch.testing.assert_close(penalty, 0.01 * layer.kernel.square().sum())
    assert set(layer._weight_constraints) == {"bias"}


@pytest.mark.parametrize(
    "layer, x, match",
    [
        (Reshape((5,), name="r"), torch.zeros(2, 3, 4), r"Reshape 'r'.*\(3, 4\).*\(5,\)"),
        (Permute((2, 1), name="p"), torch.zeros(2, 3), r"Permute 'p'.*rank 3.*\(None, 3\)"),
        (RepeatVector(2, name="v"), torch.zeros(2, 3, 4), r"RepeatVector 'v'.*rank 2"),
        (Dropout(0.1, noise_shape=(None, 1), name="o"), torch.zeros(2, 3, 4), r"'o'.*one entry"),
    ],
)
def test_build_errors_name_layer_and_shape(layer, x, match):
    with pytest.raises(ValueError, match=match):
        layer(x)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: Dense(0, name="d"), r"Dense 'd'.*units=0"),
        (lambda: Dense(2.5, name="d"), r"units=2.5"),
        (lambda: Dense(3, lora_rank=4, name="d"), r"lora_rank=4"),
        (lambda: Embedding(0, 3, name="d"), r"Embedding 'd'.*input_dim=0"),
        (lambda: Dropout(1.5, name="d"), r"Dropout 'd'.*rate=1.5"),
        (lambda: Dropout(0.5, noise_shape=(None, 0), name="d"), r"noise_shape"),
        (lambda: Reshape((-1, -1), name="d"), r"Reshape 'd'.*at most one -1"),
        (lambda: Reshape((0, 2), name="d"), r"target_shape"),
        (lambda: Permute((1, 3), name="d"), r"Permute 'd'.*dims=\(1, 3\)"),
        (lambda: RepeatVector(0, name="d"), r"RepeatVector 'd'.*n=0"),
        (lambda: Flatten(data_format="nhwc", name="d"), r"Flatten 'd'.*data_format"),
        (lambda: Dot(axes="x", name="d"), r"Dot 'd'.*axes='x'"),
        (lambda: Concatenate(axis=1.0, name="d"), r"Concatenate 'd'.*axis=1.0"),
    ],
)
def test_argument_errors_name_layer_and_argument(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_set_weights_wrong_count_or_shape_names_the_weight():
    layer = Dense(4, name="fc")
    layer(torch.zeros(2, 3))
    kernel, bias = layer.get_weights()
    with pytest.raises(ValueError, match=r"'fc'.*length 1.*2 weights"):
        layer.set_weights([kernel])
    with pytest.raises(ValueError, match=r"kernel.*\(3, 4\).*\(4, 3\)"):
        layer.set_weights([kernel.T, bias])


def test_dropout_identity_at_inference_and_scaled_in_training():
    torch.manual_seed(0)
    layer = Dropout(0.25)
    x = torch.rand(64, 32) + 1.0
    assert layer(x, training=False) is x
    assert layer(x) is x  # a layer starts in inference mode, as outside `fit`
    out = layer(x, training=True)
    kept = out != 0
    torch.testing.assert_close(out[kept], x[kept] / 0.75)
    assert 0.6 < kept.float().mean().item() < 0.9
    layer.train()
    assert (layer(x) == 0).any()


def test_dropout_noise_shape_and_seed():
    x = torch.ones(4, 5, 6)
    out = Dropout(0.5, noise_shape=(None, 1, 6), seed=1)(x, training=True)
    assert torch.equal(out, out[:, :1, :].expand_as(out))  # same mask at every step
    again = Dropout(0.5, noise_shape=(None, 1, 6), seed=1)(x, training=True)
    assert torch.equal(out, again)
    assert torch.equal(Dropout(1.0)(x, training=True), torch.zeros_like(x))


@pytest.mark.parametrize(
    "device", ["cpu", pytest.param("cuda", marks=pytest.mark.cuda)]
)
def test_unseeded_dropout_follows_the_global_seed_and_masks_its_gradient(device):
    """CPU draws `uniform < keep`, CUDA torch's fused dropout: both repeat under
    `set_random_seed`, scale kept units by 1 / keep and pass gradients only through them."""
    if device == "cuda" and not torch.cuda.is_available():
        pytest.skip("needs CUDA")
    x = (torch.rand(256, 64) + 1.0).to(device).requires_grad_()
    runs = []
    for _ in range(2):
        torchkeras.utils.set_random_seed(3)
        runs.append(Dropout(0.3)(x, training=True))
    assert torch.equal(runs[0], runs[1])
    kept = runs[0] != 0
    assert 0.65 < kept.float().mean().item() < 0.75
    torch.testing.assert_close(runs[0][kept], x[kept] / 0.7, rtol=0, atol=0)
    (grad,) = torch.autograd.grad(runs[0].sum(), x)
    torch.testing.assert_close(grad, kept.float() / 0.7, rtol=0, atol=0)


def test_embedding_mask_zero_and_init_range():
    layer = Embedding(10, 4, mask_zero=True)
    ids = torch.tensor([[0, 3, 0, 9]])
    assert layer(ids).shape == (1, 4, 4)
    assert torch.equal(layer.compute_mask(ids), torch.tensor([[False, True, False, True]]))
    assert Embedding(10, 4).compute_mask(ids) is None
    assert layer.embeddings.abs().max().item() <= 0.05


def test_embedding_weights_argument_and_float_indices():
    table = np.arange(6, dtype="float32").reshape(3, 2)
    layer = Embedding(3, 2, weights=[table])
    assert layer.built
    out = layer(torch.tensor([[1.7, 2.0]]))
    np.testing.assert_array_equal(out.detach().numpy(), table[[[1, 2]]])


def test_merge_single_tensor_and_mismatched_shapes_name_the_layer():
    with pytest.raises(ValueError, match=r"Add 'sum_1'.*list of inputs.*\(None, 3\)"):
        Add(name="sum_1")(torch.zeros(2, 3))
    with pytest.raises(ValueError, match=r"Add 'sum_2'.*incompatible shapes"):
        Add(name="sum_2")([torch.zeros(2, 3), torch.zeros(2, 4)])
    with pytest.raises(ValueError, match=r"Add 'sum_3'.*different batch sizes"):
        Add(name="sum_3")([torch.zeros(1, 3), torch.zeros(2, 3)])
    with pytest.raises(ValueError, match=r"Subtract 'diff'.*exactly 2 inputs, got 3"):
        Subtract(name="diff")([torch.zeros(2, 3)] * 3)
    with pytest.raises(ValueError, match=r"Concatenate 'cat'.*matching shapes"):
        Concatenate(axis=1, name="cat")([torch.zeros(2, 3, 4), torch.zeros(2, 3, 1)])
    with pytest.raises(ValueError, match=r"Dot 'dp'.*size 3.*size 4"):
        Dot(1, name="dp")([torch.zeros(2, 3), torch.zeros(2, 4)])


def test_merge_accepts_a_one_element_list_as_keras_does():
    x = torch.randn(2, 3)
    assert torch.equal(Add()([x]), x)
    assert torch.equal(Concatenate()([x]), x)


def test_functional_aliases():
    a, b = torch.randn(2, 3), torch.randn(2, 3)
    torch.testing.assert_close(add([a, b]), a + b)
    torch.testing.assert_close(subtract([a, b]), a - b)
    torch.testing.assert_close(multiply([a, b]), a * b)
    torch.testing.assert_close(average([a, b]), (a + b) / 2)
    torch.testing.assert_close(maximum([a, b]), torch.maximum(a, b))
    torch.testing.assert_close(minimum([a, b]), torch.minimum(a, b))
    torch.testing.assert_close(concatenate([a, b], axis=0), torch.cat([a, b]))
    torch.testing.assert_close(dot([a, b], axes=1), (a * b).sum(1, keepdim=True))
    cosine = dot([a, b], axes=1, normalize=True)
    torch.testing.assert_close(cosine[:, 0], nn.functional.cosine_similarity(a, b))
    symbolic = add([KerasTensor((None, 3)), KerasTensor((None, 3))])
    assert isinstance(symbolic, KerasTensor) and symbolic.shape == (None, 3)


@needs_keras
@pytest.mark.parametrize(
    "axes, shapes",
    [
        (2, [(2, 3, 4), (2, 5, 4)]),
        ((1, 1), [(2, 3, 4, 5), (2, 3, 6)]),
        ((3, 1), [(2, 3, 4, 5), (2, 5)]),
    ],
)
def test_dot_matches_keras_batch_dot(axes, shapes):
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal(s).astype("float32") for s in shapes]
    expected = keras.ops.convert_to_numpy(keras.layers.Dot(axes)(xs))
    ours = Dot(axes)([torch.as_tensor(x) for x in xs]).numpy()
    np.testing.assert_allclose(ours, expected, atol=1e-5)


@pytest.mark.cuda
def test_weights_modules_and_generators_follow_a_cuda_input():
    x = torch.randn(2, 3, device="cuda")
    dense = Dense(4)
    assert dense(x).device.type == "cuda" and dense.kernel.device.type == "cuda"
    wrapper = TorchModuleWrapper(nn.Linear(3, 4))
    assert wrapper(x).device.type == "cuda" and wrapper.module.weight.device.type == "cuda"
    assert Dropout(0.5, seed=1)(x, training=True).device.type == "cuda"
