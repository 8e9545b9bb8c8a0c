"""Categorical and text preprocessing layers: adapt, hashing and inversion against Keras'
recorded values, errors, saving of vocabularies, and the layers inside trained models."""

import types
from pathlib import Path

import numpy as np
import pytest
import torch
from preprocessing_text_scenarios import SCENARIOS

import torchkeras as keras
from torchkeras.layers.core import Dense, Embedding
from torchkeras.layers.pooling import GlobalAveragePooling1D
from torchkeras.layers.preprocessing.categorical import (
    CategoryEncoding,
    Discretization,
    Hashing,
    IntegerLookup,
    StringLookup,
    int_hash,
    string_hash,
)
from torchkeras.layers.preprocessing.text import TextVectorization

REFERENCES = Path(__file__).resolve().parents[2] / "compat" / "references"
LAYERS = types.SimpleNamespace(
    CategoryEncoding=CategoryEncoding,
    Discretization=Discretization,
    Hashing=Hashing,
    IntegerLookup=IntegerLookup,
    StringLookup=StringLookup,
    TextVectorization=TextVectorization,
)


@pytest.fixture(scope="module")
def keras_values():
    with np.load(REFERENCES / "preprocessing_text_scenarios.npz", allow_pickle=False) as refs:
        return {key: refs[key] for key in refs.files}


# ---- adapt, hashing, inversion: the same scenarios Keras ran (with TensorFlow) -----------------
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_scenario_matches_keras(scenario, keras_values):
    ours = SCENARIOS[scenario](LAYERS)
    expected = {k.split("/", 1)[1]: v for k, v in keras_values.items() if k.startswith(scenario)}
    assert sorted(ours) == sorted(expected)
    for key, value in ours.items():
        if value.dtype.kind in "US":
            np.testing.assert_array_equal(value, expected[key], err_msg=key)
        else:
            np.testing.assert_allclose(value, expected[key], rtol=1e-6, atol=1e-7, err_msg=key)


def test_torch_integer_hash_equals_the_string_hash():
    rng = np.random.default_rng(0)
    values = np.concatenate(
        [rng.integers(-(2**63), 2**63 - 1, 500), rng.integers(-999, 999, 500), [0, -(2**63)]]
    ).astype("int64")
    for key in (None, (7, 2**63 + 5)):
        ours = int_hash.hash_integers(torch.as_tensor(values), 1000003, key).tolist()
        expected = [string_hash.hash_bucket(str(v).encode(), 1000003, key) for v in values]
        assert ours == expected


def test_keras_documented_examples():
    # keras.io examples of Hashing, IntegerLookup and StringLookup
    words = [["A"], ["B"], ["C"], ["D"], ["E"]]
    assert Hashing(3)(words)[:, 0].tolist() == [1, 0, 1, 1, 2]
    assert Hashing(3, salt=133)(words)[:, 0].tolist() == [0, 0, 2, 1, 0]
    masked = Hashing(3, mask_value="")([["A"], ["B"], [""], ["C"], ["D"]])
    assert masked[:, 0].tolist() == [1, 1, 0, 2, 2]
    data = torch.tensor([[12, 1138, 42], [42, 1000, 36]])
    vocab = [12, 36, 1138, 42]
    assert IntegerLookup(vocabulary=vocab)(data).tolist() == [[1, 3, 4], [4, 0, 2]]
    two_oov = IntegerLookup(vocabulary=vocab, num_oov_indices=2)
    assert two_oov(data).tolist() == [[2, 4, 5], [5, 0, 3]]  # 1000 % 2 = 0
    lookup = StringLookup(vocabulary=["a", "b", "c", "d"])
    assert lookup([["a", "c", "d"], ["d", "z", "b"]]).tolist() == [[1, 3, 4], [4, 0, 2]]


def test_string_invert_returns_numpy_strings_and_vocabulary_helpers():
    layer = StringLookup(vocabulary=["a", "b"], invert=True)
    out = layer(torch.tensor([[1, 2, 0, 7]]))
    assert isinstance(out, np.ndarray) and out.tolist() == [["a", "b", "[UNK]", "[UNK]"]]
    lookup = StringLookup(vocabulary=["a", "b"], mask_token="")
    assert lookup.get_vocabulary() == ["", "[UNK]", "a", "b"]
    assert lookup.get_vocabulary(include_special_tokens=False) == ["a", "b"]
    assert lookup.vocabulary_size() == 4
    assert lookup(np.array([b"b", b""])).tolist() == [3, 0]  # bytes are decoded


def test_vocabulary_file(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("x\ny\nz\n", encoding="utf-8")
    layer = StringLookup(vocabulary=str(path))
    assert layer.get_vocabulary() == ["[UNK]", "x", "y", "z"]
    assert layer.get_config()["vocabulary"] is None
    assert layer(["z", "q"]).tolist() == [3, 0]


def test_adapted_vocabulary_saved_as_assets_and_reloaded(tmp_path):
    layer = TextVectorization(max_tokens=8, output_mode="tf_idf")
    layer.adapt(["b a c a", "d a b", "e"])
    store = {}
    layer.save_assets(str(tmp_path))
    layer.save_own_variables(store)
    assert (tmp_path / "vocabulary.txt").read_text(encoding="utf-8") == "[UNK]\na\nb\ne\nd\nc"
    clone = TextVectorization.from_config(layer.get_config())
    clone.load_own_variables(store)
    clone.load_assets(str(tmp_path))
    assert clone.get_vocabulary() == layer.get_vocabulary()
    torch.testing.assert_close(clone(["a c x"]), layer(["a c x"]))


def test_adapted_discretization_config_round_trip():
    layer = Discretization(num_bins=3)
    layer.adapt(np.arange(12.0))
    clone = Discretization.from_config(layer.get_config())
    assert clone.bin_boundaries == layer.bin_boundaries == [3.0, 7.0]  # Keras' values
    x = torch.tensor([[0.0, 3.0, 11.0]])
    assert clone(x).tolist() == [[0, 1, 2]] and clone(x).dtype == torch.int32


def test_category_encoding_count_weights_and_out_of_range():
    layer = CategoryEncoding(4, output_mode="count")
    out = layer([[0, 1, 1], [3, 3, 2]], count_weights=np.array([[0.5, 1, 2], [1, 1, 0.25]]))
    assert out.tolist() == [[0.5, 3.0, 0.0, 0.0], [0.0, 0.0, 0.25, 2.0]]
    assert CategoryEncoding(3)([[0, 5, -1]]).tolist() == [[1.0, 0.0, 0.0]]
    with pytest.raises(ValueError, match=r"CategoryEncoding 'enc'.*count_weights.*'multi_hot'"):
        CategoryEncoding(3, name="enc")([[0]], count_weights=[[1.0]])


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: CategoryEncoding(name="c"), r"CategoryEncoding 'c'.*num_tokens=None"),
        (lambda: CategoryEncoding(3, output_mode="int", name="c"), r"output_mode='int'"),
        (lambda: Discretization(name="d"), r"Discretization 'd'.*neither"),
        (lambda: Discretization([0.0], num_bins=2, name="d"), r"not both"),
        (lambda: Hashing(0, name="h"), r"Hashing 'h'.*num_bins=0"),
        (lambda: Hashing(3, salt="x", name="h"), r"Hashing 'h'.*salt='x'"),
        (lambda: IntegerLookup(max_tokens=1, name="i"), r"IntegerLookup 'i'.*max_tokens=1"),
        (lambda: IntegerLookup(salt=3, name="i"), r"IntegerLookup 'i'.*oov_method='floormod'"),
        (lambda: StringLookup(invert=True, output_mode="count", name="s"), r"'s'.*invert"),
        (lambda: StringLookup(vocabulary=["a", "a"], name="s"), r"'s'.*repeats.*'a'"),
        (lambda: StringLookup(vocabulary=["a", "b"], max_tokens=2, name="s"), r"max_tokens=2"),
        (lambda: StringLookup(output_mode="tf_idf", vocabulary=["a"], name="s"), r"idf_weights"),
        (lambda: StringLookup(sparse=True, name="s"), r"StringLookup 's'.*sparse"),
        (lambda: TextVectorization(split="comma", name="t"), r"TextVectorization 't'.*split"),
        (
            lambda: TextVectorization(output_mode="count", output_sequence_length=3, name="t"),
            r"'t'.*output_sequence_length",
        ),
        (lambda: TextVectorization(ragged=True, name="t"), r"'t'.*ragged=True"),
    ],
)
def test_argument_errors_name_layer_and_argument(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_call_errors():
    with pytest.raises(ValueError, match=r"IntegerLookup 'strict'.*OOV values \[5\]"):
        IntegerLookup(vocabulary=[1, 2], num_oov_indices=0, name="strict")(torch.tensor([1, 5]))
    with pytest.raises(ValueError, match=r"StringLookup 'strict'.*OOV values \['q'\]"):
        StringLookup(vocabulary=["a"], num_oov_indices=0, name="strict")(["a", "q"])
    with pytest.raises(RuntimeError, match=r"StringLookup 'late'.*before calling"):
        StringLookup(output_mode="multi_hot", name="late")(["a"])
    with pytest.raises(ValueError, match=r"Discretization 'd'.*adapt"):
        Discretization(num_bins=3, name="d")(torch.zeros(2))
    with pytest.raises(ValueError, match=r"cannot adapt"):
        StringLookup(vocabulary=["a"]).adapt(["a"])
    with pytest.raises(ValueError, match=r"TextVectorization 'tv'.*shape \(2, 2\)"):
        TextVectorization(vocabulary=["a"], name="tv")([["a", "b"], ["c", "d"]])


def test_integer_lookup_and_category_encoding_train_inside_a_model():
    rng = np.random.default_rng(0)
    x = rng.choice([3, 17, 40, 99, 1000], size=(256, 4)).astype("int64")
    y = (x == 17).any(axis=1).astype("float32")[:, None]  # "17 occurs in the row"
    lookup = IntegerLookup(vocabulary=[3, 17, 40, 99])
    model = keras.Sequential(
        [lookup, CategoryEncoding(num_tokens=5), Dense(1, activation="sigmoid")]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.1), loss="binary_crossentropy")
    history = model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]
    assert model.count_params() == 6  # the lookup and the encoding have no weights
    assert set(model.state_dict()) == {"layers.2.kernel", "layers.2.bias"}


def test_text_vectorization_embedding_pooling_dense_pipeline():
    sentences = [
        "good movie, great fun!",
        "bad movie. awful",
        "Great great fun",
        "awful boring bad",
    ]
    labels = np.array([1, 0, 1, 0] * 8, dtype="float32")[:, None]
    vectorizer = TextVectorization(max_tokens=20, output_sequence_length=6)
    vectorizer.adapt(sentences)
    ids = vectorizer(sentences * 8)  # the tf.data-style step: strings -> int64 ids
    assert ids.dtype == torch.int64 and tuple(ids.shape) == (32, 6)
    model = keras.Sequential(
        [Embedding(20, 8), GlobalAveragePooling1D(), Dense(1, activation="sigmoid")]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy")
    history = model.fit(ids, labels, epochs=20, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < 0.3 * history.history["loss"][0]
    predictions = model(vectorizer(["great fun", "awful bad"]))
    assert predictions[0, 0] > 0.5 > predictions[1, 0]


@pytest.mark.cuda
def test_numeric_layers_run_on_the_input_device():
    x = torch.tensor([[12, 36, 7], [1138, 42, 0]], device="cuda")
    lookup = IntegerLookup(vocabulary=[12, 36, 1138, 42], num_oov_indices=2).to("cuda")
    assert lookup(x).device.type == "cuda"
    assert (
        lookup(x).tolist()
        == IntegerLookup(vocabulary=[12, 36, 1138, 42], num_oov_indices=2)(x.cpu()).tolist()
    )
    assert Hashing(7, salt=3)(x).cpu().tolist() == Hashing(7, salt=3)(x.cpu()).tolist()
    assert CategoryEncoding(5, output_mode="count")(x % 5).device.type == "cuda"
    assert Discretization([0.0, 1.0])(torch.randn(3, device="cuda")).device.type == "cuda"


def test_encoded_vocabulary_size_is_frozen_as_in_keras():
    layer = StringLookup(output_mode="multi_hot")
    layer.adapt(["a", "b"])
    with pytest.raises(RuntimeError, match=r"cannot change once set: it was 3.*has 4"):
        layer.adapt(["a", "b", "c"])
    padded = StringLookup(output_mode="count", max_tokens=6, pad_to_max_tokens=True)
    padded.adapt(["a"])
    padded.adapt(["a", "b"])
    assert padded(["b", "b"]).tolist() == [0, 2, 0, 0, 0, 0]  # Keras: "b" ties "a", sorts first


def test_one_string_gives_one_row():
    layer = TextVectorization(vocabulary=["a", "b"], output_sequence_length=4)
    assert layer("a b c").tolist() == [2, 3, 1, 0]
    assert StringLookup(vocabulary=["a", "b"])("b").tolist() == 2
