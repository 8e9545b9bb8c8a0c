"""Attention layers: the fused-kernel choice, dropout, masks (explicit and on `_keras_mask`),
errors, configs, Keras weight files and a Transformer block trained with `fit`.

Forward values and gradients of every configuration in attention_cases.py are compared with
Keras in compat/test_layers.py; here are the behaviours the case table cannot express.
"""

import os
import types

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import torchkeras
from torchkeras.layers.attention import (
    AdditiveAttention,
    Attention,
    GroupedQueryAttention,
    GroupQueryAttention,
    MultiHeadAttention,
)
from torchkeras.layers.core import Dense, Embedding
from torchkeras.layers.core.einsum_dense import EinsumDense
from torchkeras.layers.merging import Add
from torchkeras.layers.normalization import LayerNormalization
from torchkeras.layers.pooling import GlobalAveragePooling1D
from torchkeras.optimizers import Adam
from torchkeras.registry import LAYERS

os.environ.setdefault("KERAS_BACKEND", "torch")
try:
    import keras
except ImportError:  # the Keras comparisons are skipped without real Keras
    keras = None

needs_keras = pytest.mark.skipif(keras is None, reason="real keras is not installed")


def _randn(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


@pytest.fixture
def sdpa_calls(monkeypatch):
    """The keyword arguments of every `F.scaled_dot_product_attention` call, recorded."""
    calls, real = [], F.scaled_dot_product_attention

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(F, "scaled_dot_product_attention", spy)
    return calls


# ---- the fused kernel ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "layer, call_kwargs",
    [
        (MultiHeadAttention(2, 3), {}),
        (MultiHeadAttention(2, 3), {"use_causal_mask": True}),
        (MultiHeadAttention(2, 3, dropout=0.5), {}),
        (GroupQueryAttention(3, 4, 2), {"use_causal_mask": True}),
    ],
)
def test_fused_kernel_is_taken_and_equals_the_explicit_scores_path(layer, call_kwargs, sdpa_calls):
    query, value = _randn(2, 4, 6), _randn(2, 5, 6, seed=1)
    fused = layer(query, value, **call_kwargs)
    assert len(sdpa_calls) == 1
    assert sdpa_calls[0]["is_causal"] == call_kwargs.get("use_causal_mask", False)
    explicit, scores = layer(query, value, return_attention_scores=True, **call_kwargs)
    assert len(sdpa_calls) == 1  # the scores were formed explicitly
    torch.testing.assert_close(fused, explicit, rtol=1e-5, atol=1e-6)
    assert scores.shape[::2] == (2, 4) and scores.shape[-1] == 5


def test_fused_and_explicit_paths_agree_with_a_padding_mask(sdpa_calls):
    layer = MultiHeadAttention(2, 3)
    query, value = _randn(2, 4, 6), _randn(2, 5, 6, seed=1)
    mask = torch.tensor([[True, True, False, True, False], [True, False, False, False, False]])
    fused = layer(query, value, value_mask=mask)
    explicit, scores = layer(query, value, value_mask=mask, return_attention_scores=True)
    assert len(sdpa_calls) == 1
    torch.testing.assert_close(fused, explicit, rtol=1e-5, atol=1e-6)
    assert torch.all(scores[1, :, :, 1:] == 0)


def test_fully_masked_rows_follow_keras_path_choice():
    """Keras averages the values on its fused path (dropout 0) and zeroes on its softmax path."""
    query, value = _randn(1, 2, 4), _randn(1, 3, 4, seed=1)
    blocked = torch.tensor([[[True, True, False], [False, False, False]]])
    plain = MultiHeadAttention(1, 4, use_bias=False)
    dropping = MultiHeadAttention(1, 4, use_bias=False, dropout=0.3)
    plain(query, value), dropping(query, value)
    dropping.set_weights(plain.get_weights())
    values = plain.value_dense(value)  # (1, 3, 1, 4)
    attended = torch.einsum(
        "btnh,nho->bto", values.mean(1, keepdim=True), plain.output_dense.kernel
    )
    torch.testing.assert_close(plain(query, value, attention_mask=blocked)[0, 1], attended[0, 0])
    assert torch.all(dropping(query, value, attention_mask=blocked)[0, 1] == 0)


def test_attention_layer_uses_the_fused_kernel_for_plain_dot_scores(sdpa_calls):
    query, value = _randn(2, 3, 4), _randn(2, 5, 4, seed=1)
    fused = Attention()([query, value])
    explicit, _ = Attention()([query, value], return_attention_scores=True)
    assert len(sdpa_calls) == 1 and sdpa_calls[0]["scale"] == 1.0
    torch.testing.assert_close(fused, explicit, rtol=1e-5, atol=1e-6)
    causal = Attention()([query, value], use_causal_mask=True)  # Tq < Tv: top-left aligned
    assert sdpa_calls[1]["is_causal"] and sdpa_calls[1]["attn_mask"] is None
    explicit, _ = Attention()([query, value], use_causal_mask=True, return_attention_scores=True)
    torch.testing.assert_close(causal, explicit, rtol=1e-5, atol=1e-6)
    sdpa_calls.clear()
    Attention(use_scale=True)([query, value])
    Attention(score_mode="concat")([query, value])
    AdditiveAttention()([query, value])
    assert not sdpa_calls


# ---- dropout --------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [None, 3])
def test_mha_dropout_only_while_training(seed, sdpa_calls):
    torch.manual_seed(0)
    layer = MultiHeadAttention(2, 4, dropout=0.5, seed=seed)
    reference = MultiHeadAttention(2, 4)
    query = _randn(2, 6, 8)
    reference(query, query), layer(query, query)
    reference.set_weights(layer.get_weights())
    expected = reference(query, query)
    torch.testing.assert_close(layer(query, query), expected)  # inference: no dropout
    torch.testing.assert_close(layer(query, query, training=False), expected)
    trained = layer(query, query, training=True)
    assert not torch.allclose(trained, expected)
    # torch draws unseeded dropout inside the fused kernel; a seeded one needs the explicit path
    assert sdpa_calls[-1]["dropout_p"] == (0.5 if seed is None else 0.0)
    layer.train()
    assert not torch.allclose(layer(query, query), expected)


def test_seeded_dropout_repeats_across_layers():
    query = _randn(2, 6, 8)
    outputs = []
    for _ in range(2):
        layer = MultiHeadAttention(2, 4, dropout=0.5, seed=7, kernel_initializer="ones")
        outputs.append(layer(query, query, training=True))
    torch.testing.assert_close(outputs[0], outputs[1])


@pytest.mark.parametrize("cls", [Attention, AdditiveAttention])
def test_attention_dropout_only_while_training(cls):
    query, value = _randn(2, 4, 3), _randn(2, 6, 3, seed=1)
    layer = cls(dropout=0.5, seed=1)
    plain = layer([query, value])
    torch.testing.assert_close(layer([query, value], training=False), plain)
    _, scores = layer([query, value], training=True, return_attention_scores=True)
    torch.testing.assert_close(scores.sum(-1), torch.ones(2, 4))  # scores are pre-dropout
    assert not torch.allclose(layer([query, value], training=True), plain)


# ---- masks -----------------------------------------------------------------------------------
QUERY_MASK = torch.tensor([[True, True, False, True], [True, False, False, False]])
VALUE_MASK = torch.tensor([[True, False, True, True, True], [True, True, False, False, True]])


def _masked(x, mask):
    x = x.clone()
    x._keras_mask = mask
    return x


def test_mha_reads_masks_travelling_on_the_inputs():
    layer = MultiHeadAttention(2, 3)
    query, value = _randn(2, 4, 6), _randn(2, 5, 6, seed=1)
    explicit = layer(query, value, query_mask=QUERY_MASK, value_mask=VALUE_MASK)
    travelling = layer(_masked(query, QUERY_MASK), _masked(value, VALUE_MASK))
    torch.testing.assert_close(travelling, explicit)
    assert torch.equal(travelling._keras_mask, QUERY_MASK)
    assert torch.equal(explicit._keras_mask, QUERY_MASK)
    unmasked = layer(query, value)
    assert getattr(unmasked, "_keras_mask", None) is None
    assert not torch.allclose(unmasked, explicit)
    keyed = layer(query, value, _masked(value, VALUE_MASK))  # a key's own mask counts too
    torch.testing.assert_close(keyed, layer(query, value, key=value, key_mask=VALUE_MASK))
    assert torch.equal(layer.compute_mask(query, QUERY_MASK), QUERY_MASK)


@needs_keras
@pytest.mark.parametrize("scores", [False, True])
def test_mha_masks_on_the_inputs_match_keras(scores):
    query, value = _randn(2, 4, 6), _randn(2, 5, 6, seed=1)
    reference, ours = keras.layers.MultiHeadAttention(2, 3), MultiHeadAttention(2, 3)
    reference(query, value), ours(query, value)
    ours.set_weights([keras.ops.convert_to_numpy(w) for w in reference.weights])
    expected = reference(
        _masked(query, QUERY_MASK), _masked(value, VALUE_MASK), return_attention_scores=scores
    )
    got = ours(
        _masked(query, QUERY_MASK), _masked(value, VALUE_MASK), return_attention_scores=scores
    )
    for a, b in zip(got if scores else [got], expected if scores else [expected]):
        torch.testing.assert_close(a, b.detach(), rtol=1e-6, atol=1e-7)
    first, keras_first = (got[0], expected[0]) if scores else (got, expected)
    assert torch.equal(first._keras_mask, keras_first._keras_mask)


def test_mha_follows_an_embedding_mask_in_a_functional_model():
    ids = torch.tensor([[3, 1, 2, 0, 0], [4, 2, 0, 0, 0]])
    inputs = torchkeras.Input((5,), dtype="int64")
    embedded = Embedding(6, 4, mask_zero=True)(inputs)
    outputs = MultiHeadAttention(2, 2)(embedded, embedded)
    model = torchkeras.Model(inputs, outputs)
    embedding, attention = model.layers[1], model.layers[2]
    mask = ids != 0
    expected = attention(embedding(ids), embedding(ids), query_mask=mask, value_mask=mask)
    torch.testing.assert_close(model(ids), expected)


def test_attention_masks_explicit_and_travelling_agree():
    query, value = _randn(2, 4, 3), _randn(2, 5, 3, seed=1)
    layer = Attention()
    explicit = layer([query, value], mask=[QUERY_MASK, VALUE_MASK])
    travelling = layer([_masked(query, QUERY_MASK), _masked(value, VALUE_MASK)])
    torch.testing.assert_close(travelling, explicit)
    assert torch.all(explicit[~QUERY_MASK] == 0)  # masked query rows output zeros
    assert torch.equal(layer.compute_mask([query, value], [QUERY_MASK, VALUE_MASK]), QUERY_MASK)
    assert layer.compute_mask([query, value], [None, VALUE_MASK]) is None
    assert layer.compute_mask([query, value]) is None
    assert torch.equal(travelling._keras_mask, QUERY_MASK)  # the query's mask travels on


@needs_keras
@pytest.mark.parametrize("name", ["Attention", "AdditiveAttention"])
def test_attention_masks_on_the_inputs_match_keras(name):
    query, value = _randn(2, 4, 3), _randn(2, 5, 3, seed=1)
    reference = getattr(keras.layers, name)()
    ours = {"Attention": Attention, "AdditiveAttention": AdditiveAttention}[name]()
    reference([query, value]), ours([query, value])
    ours.set_weights([keras.ops.convert_to_numpy(w) for w in reference.weights])
    inputs = [_masked(query, QUERY_MASK), _masked(value, VALUE_MASK)]
    expected = reference(inputs, use_causal_mask=True)
    got = ours(inputs, use_causal_mask=True)
    torch.testing.assert_close(got, expected.detach(), rtol=1e-6, atol=1e-7)


def test_gqa_reads_masks_travelling_on_the_inputs():
    layer = GroupQueryAttention(2, 4, 2)
    query, value = _randn(2, 4, 6), _randn(2, 5, 6, seed=1)
    explicit = layer(query, value, query_mask=QUERY_MASK, value_mask=VALUE_MASK)
    travelling = layer(_masked(query, QUERY_MASK), _masked(value, VALUE_MASK))
    torch.testing.assert_close(travelling, explicit)


# ---- training end to end -------------------------------------------------------------------
def _encoder_block(inputs, heads=2, key_dim=4, units=16):
    attended = MultiHeadAttention(heads, key_dim, dropout=0.1)(inputs, inputs)
    x = LayerNormalization()(Add()([inputs, attended]))
    hidden = Dense(units, activation="relu")(x)
    return LayerNormalization()(Add()([x, Dense(inputs.shape[-1])(hidden)]))


def test_transformer_encoder_block_trains_with_fit():
    torchkeras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 6, 8)).astype("float32")
    y = x.mean(axis=(1, 2))[:, None] * 3.0  # needs mixing over the time steps
    inputs = torchkeras.Input((6, 8))
    outputs = Dense(1)(GlobalAveragePooling1D()(_encoder_block(inputs)))
    model = torchkeras.Model(inputs, outputs)
    model.compile(optimizer=Adam(0.01), loss="mse")
    losses = model.fit(x, y, epochs=10, batch_size=16, verbose=0).history["loss"]
    assert losses[-1] < 0.25 * losses[0]
    assert len(model.trainable_weights) == 8 + 4 + 4 + 2  # MHA, two norms, three Dense


# ---- errors, configs, names -----------------------------------------------------------------
@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: MultiHeadAttention(0, 2, name="m"), r"MultiHeadAttention 'm'.*num_heads=0"),
        (lambda: MultiHeadAttention(2, 2.5, name="m"), r"'m'.*key_dim=2.5"),
        (lambda: MultiHeadAttention(2, 2, value_dim=-1, name="m"), r"value_dim=-1"),
        (lambda: MultiHeadAttention(2, 2, attention_axes="x", name="m"), r"attention_axes='x'"),
        (lambda: MultiHeadAttention(2, 2, sliding_window=0, name="m"), r"sliding_window=0"),
        (
            lambda: MultiHeadAttention(2, 2, dropout=0.1, flash_attention=True, name="m"),
            r"'m'.*flash attention",
        ),
        (lambda: GroupQueryAttention(2, 4, 3, name="g"), r"GroupQueryAttention 'g'.*divisible"),
        (lambda: Attention(score_mode="add", name="a"), r"Attention 'a'.*score_mode='add'"),
        (lambda: Attention(dropout=2.0, name="a"), r"Attention 'a'.*dropout=2.0"),
        (lambda: EinsumDense("ab->b", 3, name="e"), r"EinsumDense 'e'.*'ab->b'"),
        (lambda: EinsumDense("ab,bc->ac", 3, lora_rank=2, name="e"), r"lora_rank=2"),
    ],
)
def test_argument_errors_name_layer_and_argument(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_call_errors_name_layer_and_shapes():
    with pytest.raises(
        ValueError, match=r"'mha'.*value_shape=\(None, 4, 5\).*key_shape=\(None, 3, 5\)"
    ):
        MultiHeadAttention(2, 2, name="mha")(
            torch.zeros(2, 4, 5), torch.zeros(2, 4, 5), torch.zeros(2, 3, 5)
        )
    with pytest.raises(ValueError, match=r"Attention 'att'.*list of 2 or 3.*\(2, 3, 4\)"):
        Attention(name="att")(torch.zeros(2, 3, 4))
    with pytest.raises(ValueError, match=r"Attention 'att2'.*mask.*list"):
        Attention(name="att2")([torch.zeros(2, 3, 4)] * 2, mask=torch.ones(2, 3, dtype=bool))
    with pytest.raises(ValueError, match=r"'ed'.*\(None, 3\).*rank 3"):
        EinsumDense("abc,cd->abd", (None, 2), name="ed")(torch.zeros(2, 3))
    with pytest.raises(
        ValueError, match=r"'ed2'.*shared dimension 'b'.*input size 3.*output size 5"
    ):
        EinsumDense("abc,cd->abd", (5, 2), name="ed2")(torch.zeros(2, 3, 4))
    with pytest.raises(ValueError, match=r"'fa'.*scores"):
        MultiHeadAttention(1, 2, flash_attention=True, name="fa")(
            torch.zeros(1, 2, 3), torch.zeros(1, 2, 3), return_attention_scores=True
        )


def test_flash_attention_flag_is_kept_out_of_the_config():
    assert "flash_attention" not in MultiHeadAttention(1, 2, flash_attention=True).get_config()


@needs_keras
@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("MultiHeadAttention", {"num_heads": 2, "key_dim": 3, "attention_axes": 1}),
        ("MultiHeadAttention", {"num_heads": 2, "key_dim": 3, "output_shape": [4, 2]}),
        ("GroupQueryAttention", {"head_dim": 2, "num_query_heads": 2, "num_key_value_heads": 1}),
        ("Attention", {"use_scale": True, "seed": 3}),
        ("AdditiveAttention", {"use_scale": False, "dropout": 0.2}),
    ],
)
def test_unbuilt_config_matches_keras(name, kwargs):
    ours = LAYERS.lookup(name)(**kwargs).get_config()
    reference = getattr(keras.layers, name)(**kwargs).get_config()
    ours.pop("name"), reference.pop("name")
    assert ours == reference


def test_group_query_attention_names():
    layer = GroupQueryAttention(2, 2, 1)
    assert layer.name.startswith("grouped_query_attention")
    assert GroupedQueryAttention is GroupQueryAttention
    assert LAYERS.lookup("GroupedQueryAttention") is GroupQueryAttention


def test_build_config_round_trip():
    layer = MultiHeadAttention(2, 3)
    layer(torch.zeros(2, 3, 4), torch.zeros(2, 5, 6), torch.zeros(2, 5, 7))
    build_config = layer.get_build_config()
    assert build_config == {
        "shapes_dict": {
            "query_shape": (None, 3, 4),
            "value_shape": (None, 5, 6),
            "key_shape": (None, 5, 7),
        }
    }
    clone = MultiHeadAttention.from_config(layer.get_config())
    clone.build_from_config(build_config)
    assert [w.shape for w in clone.weights] == [w.shape for w in layer.weights]
    assert clone.get_build_config() == build_config


def test_regularizers_reach_every_projection():
    layer = MultiHeadAttention(2, 3, kernel_regularizer="l2", activity_regularizer="l2")
    layer(_randn(2, 3, 4), _randn(2, 3, 4, seed=1))
    assert len(layer.losses) == 8  # four kernels and four projection outputs, as Keras


def test_symbolic_call_gives_cross_attention_score_shapes():
    query, value = torchkeras.Input((3, 4)), torchkeras.Input((5, 4))
    outputs, scores = MultiHeadAttention(2, 2)(query, value, return_attention_scores=True)
    assert outputs.shape == (None, 3, 4)
    assert scores.shape == (None, 2, 3, 5)  # Keras 3.15.1 says (None, 2, 3, 3) here


@needs_keras
@pytest.mark.parametrize("gqa", [False, True])
def test_keras_weights_file_loads(gqa, tmp_path):
    def model(lib, attention):
        query, value = lib.Input((3, 4)), lib.Input((5, 4))
        return lib.Model([query, value], attention(query, value))

    if gqa:
        ours = model(torchkeras, GroupQueryAttention(2, 4, 2, use_gate=True))
        reference = model(keras, keras.layers.GroupQueryAttention(2, 4, 2, use_gate=True))
    else:
        ours = model(torchkeras, MultiHeadAttention(2, 3, use_gate=True))
        reference = model(keras, keras.layers.MultiHeadAttention(2, 3, use_gate=True))
    path = str(tmp_path / "attention.weights.h5")
    reference.save_weights(path)
    ours.load_weights(path)
    inputs = [_randn(2, 3, 4), _randn(2, 5, 4, seed=1)]
    torch.testing.assert_close(ours(inputs), reference(inputs).detach(), rtol=1e-6, atol=1e-7)


@needs_keras
def test_seeded_initializers_give_keras_weights():
    reference = keras.layers.MultiHeadAttention(
        2, 3, kernel_initializer=keras.initializers.GlorotUniform(seed=3), bias_initializer="ones"
    )
    ours = MultiHeadAttention(
        2,
        3,
        kernel_initializer=torchkeras.initializers.GlorotUniform(seed=3),
        bias_initializer="ones",
    )
    query, value = _randn(2, 3, 4), _randn(2, 5, 6, seed=1)
    reference(query, value), ours(query, value)
    for got, want in zip(ours.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    # EinsumDense gives a variance-scaling initializer the equation's fan axes, as Keras does
    dense = EinsumDense("abc,cde->abde", (None, 2, 3), kernel_initializer="he_uniform")
    reference = keras.layers.EinsumDense(
        "abc,cde->abde", (None, 2, 3), kernel_initializer="he_uniform"
    )
    dense.kernel_initializer.seed = reference.kernel_initializer.seed = 5
    dense(query), reference(query)
    np.testing.assert_allclose(dense.get_weights()[0], reference.get_weights()[0], rtol=1e-6)
    assert dense.get_config()["kernel_initializer"]["config"]["input_axes"] is None


@pytest.mark.cuda
def test_attention_layers_run_on_cuda_as_on_cpu():
    query, value = _randn(2, 4, 6), _randn(2, 5, 6, seed=1)
    mask = torch.tensor([[True, True, False, True, False], [True, False, False, False, False]])
    for layer in (MultiHeadAttention(2, 3), GroupQueryAttention(3, 4, 2)):
        expected = layer(query, value, value_mask=mask, use_causal_mask=True)
        layer.to("cuda")
        got = layer(query.cuda(), value.cuda(), value_mask=mask.cuda(), use_causal_mask=True)
        assert got.device.type == "cuda"
        torch.testing.assert_close(got.cpu(), expected, rtol=1e-4, atol=1e-5)  # TF32 / kernels
    attention = Attention()
    expected = attention([query, value], mask=[None, mask])
    got = attention([query.cuda(), value.cuda()], mask=[None, mask.cuda()])
    torch.testing.assert_close(got.cpu(), expected, rtol=1e-4, atol=1e-5)


def _attention_model(lib):
    query, value = lib.Input((3, 4)), lib.Input((5, 4))
    layers = lib.layers
    x = layers.MultiHeadAttention(2, 3, value_dim=2, use_gate=True)(query, value)
    x = layers.GroupQueryAttention(2, 4, 2)(x, value, use_causal_mask=True)
    x = layers.Attention(use_scale=True)([x, value])
    x = layers.AdditiveAttention()([x, value])
    return lib.Model([query, value], layers.EinsumDense("abc,cd->abd", (None, 2), bias_axes="d")(x))


@needs_keras
@pytest.mark.parametrize("direction", ["keras_to_torchkeras", "torchkeras_to_keras"])
def test_keras_archives_load_both_ways(direction, tmp_path):
    lib = _namespace()
    path = str(tmp_path / "attention.keras")
    source = _attention_model(keras if direction == "keras_to_torchkeras" else lib)
    source.save(path)
    loaded = (
        torchkeras.models.load_model
        if direction == "keras_to_torchkeras"
        else keras.models.load_model
    )(path)
    inputs = [_randn(2, 3, 4), _randn(2, 5, 4, seed=1)]
    torch.testing.assert_close(
        torch.as_tensor(np.asarray(loaded.predict(inputs, verbose=0))),
        torch.as_tensor(np.asarray(source.predict(inputs, verbose=0))),
        rtol=1e-6,
        atol=1e-7,
    )


def _namespace():
    """torchkeras with the attention layers reachable as `lib.layers.<Name>` (not exported yet)."""
    layers = types.SimpleNamespace(
        MultiHeadAttention=MultiHeadAttention,
        GroupQueryAttention=GroupQueryAttention,
        Attention=Attention,
        AdditiveAttention=AdditiveAttention,
        EinsumDense=EinsumDense,
    )
    return types.SimpleNamespace(Input=torchkeras.Input, Model=torchkeras.Model, layers=layers)
