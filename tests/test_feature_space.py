"""FeatureSpace behaviour: specs, errors, data forms, config and `.keras` round trips, the
keras.io tutorial's functional models trained with `fit`, and HashedCrossing.

Numbers against real Keras live in `compat/test_feature_space.py`.
"""

import numpy as np
import pytest
import torch

import torchkeras as keras
from compat.feature_space_cases import table
from torchkeras.layers.preprocessing.categorical import (
    Discretization,
    Hashing,
    IntegerLookup,
    StringLookup,
)
from torchkeras.layers.preprocessing.feature_space import FeatureSpace
from torchkeras.layers.preprocessing.feature_space_features import TFDIdentity
from torchkeras.layers.preprocessing.hashed_crossing import (
    HashedCrossing,
    fingerprint_cat64,
)
from torchkeras.layers.preprocessing.numeric import Normalization, Rescaling
from torchkeras.layers.preprocessing.text import TextVectorization
from torchkeras.saving.api import load_model

FEATURES = ("age", "chol", "sex", "thal", "city")


def _space(**kwargs):
    return FeatureSpace(
        features={
            "age": "float_discretized",
            "chol": "float_normalized",
            "sex": "integer_categorical",
            "thal": "string_categorical",
            "city": "string_hashed",
        },
        crosses=[("sex", "thal")],
        crossing_dim=4,
        hashing_dim=5,
        num_discretization_bins=3,
        **kwargs,
    )


def _data(seed=0, n=40):
    return {k: v for k, v in table(seed, n).items() if k in FEATURES}


class _Batches(keras.utils.PyDataset):
    def __init__(self, batches):
        super().__init__()
        self.batches = batches

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, index):
        return self.batches[index]


def test_shorthands_make_keras_preprocessors():
    fs = _space()
    kinds = {name: type(layer) for name, layer in fs.preprocessors.items()}
    assert kinds == {"age": Discretization, "chol": Normalization, "sex": IntegerLookup,
                     "thal": StringLookup, "city": Hashing}
    assert fs.preprocessors["age"].num_bins == 3 and fs.preprocessors["city"].num_bins == 5
    assert fs.preprocessors["thal"].name == "thal_preprocessor"
    assert isinstance(FeatureSpace.float(name="x").preprocessor, TFDIdentity)
    rescaled = FeatureSpace.float_rescaled(scale=2.0, offset=1.0).preprocessor
    assert isinstance(rescaled, Rescaling) and rescaled.scale == 2.0
    assert list(fs.crossers) == ["sex_X_thal"] and fs.crossers["sex_X_thal"].num_bins == 4


def test_concat_and_dict_outputs():
    data = _data()
    fs = _space()
    fs.adapt(data)
    out = fs(data)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32
    sizes = {"age": 3, "chol": 1, "city": 5, "sex": 3, "thal": 5, "sex_X_thal": 4}
    assert tuple(out.shape) == (40, sum(sizes.values()))
    dict_fs = _space(output_mode="dict")
    dict_fs.adapt(data)
    parts = dict_fs(data)
    assert {k: v.shape[-1] for k, v in parts.items()} == sizes
    order = ["age", "chol", "city", "sex", "thal", "sex_X_thal"]  # sorted features, then crosses
    np.testing.assert_array_equal(torch.cat([parts[k] for k in order], -1).numpy(), out.numpy())


def test_unbatched_calls_and_value_forms():
    data = _data()
    fs = _space()
    fs.adapt(data)
    batch = fs(data)
    single = fs({"age": 50.0, "chol": 240.0, "sex": 1, "thal": "fixed", "city": "city_1"})
    assert single.shape == (batch.shape[1],)
    row = {k: (v[:1].tolist()) for k, v in data.items()}  # lists, batch of one
    np.testing.assert_array_equal(fs(row).numpy(), batch[:1].numpy())
    tensors = {k: torch.as_tensor(v) if v.dtype.kind != "U" else v for k, v in data.items()}
    np.testing.assert_array_equal(fs(tensors).numpy(), batch.numpy())
    column = {k: v[:, None] for k, v in data.items()}  # (batch, 1) columns
    np.testing.assert_array_equal(fs(column).numpy(), batch.numpy())
    dict_fs = _space(output_mode="dict")
    dict_fs.adapt(data)
    assert dict_fs({k: v[0] for k, v in data.items()})["thal"].shape == (5,)


def test_adapt_from_batches_pydataset_and_tuples():
    data = _data(n=64)
    reference = _space()
    reference.adapt(data)  # a dict is cut into batches of 32
    batches = [{k: v[i : i + 32] for k, v in data.items()} for i in (0, 32)]
    for source in (batches, _Batches(batches), iter([(b, None) for b in batches])):
        fs = _space()
        fs.adapt(source)
        np.testing.assert_array_equal(fs(data).numpy(), reference(data).numpy())


def test_custom_feature_with_text_vectorization():
    data = {"text": np.array(["1st string", "2nd string", "3rd string"])}
    fs = FeatureSpace(
        features={
            "text": FeatureSpace.feature(
                preprocessor=TextVectorization(output_mode="tf_idf"),
                dtype="string",
                output_mode="float",
            )
        }
    )
    fs.adapt(data)
    out = fs(data)
    assert out.shape == (3, fs.preprocessors["text"].vocabulary_size())


def test_argument_errors():
    with pytest.raises(ValueError, match="cannot be None or empty"):
        FeatureSpace({})
    with pytest.raises(ValueError, match=r"cannot contain '\.'"):
        FeatureSpace({"a.b": "float"})
    with pytest.raises(ValueError, match="invalid feature type for feature 'a'"):
        FeatureSpace({"a": "floats"})
    with pytest.raises(ValueError, match="output_mode='list'"):
        FeatureSpace({"a": "float"}, output_mode="list")
    with pytest.raises(ValueError, match="unknown features"):
        FeatureSpace({"a": "float"}, crosses=[("a", "b")])
    with pytest.raises(ValueError, match="`crossing_dim`"):
        FeatureSpace({"a": "float", "b": "float"}, crosses=[("a", "b")], crossing_dim=None)
    with pytest.raises(ValueError, match="output_mode='dense'"):
        FeatureSpace.cross(("a", "b"), crossing_dim=3, output_mode="dense")
    with pytest.raises(ValueError, match="output_mode='multi_hot'"):
        FeatureSpace.string_categorical(output_mode="multi_hot")


def test_usage_errors():
    fs = _space()
    with pytest.raises(ValueError, match="call `.adapt"):
        fs(_data())
    with pytest.raises(ValueError, match="call `.adapt"):
        fs.get_encoded_features()
    fs.adapt(_data())
    with pytest.raises(ValueError, match="can only be called with a dict"):
        fs([1.0, 2.0])
    with pytest.raises(ValueError, match=r"lacks features \['city'\]"):
        fs({k: v for k, v in _data().items() if k != "city"})
    with pytest.raises(ValueError, match="expected a dict of arrays"):
        _space().adapt(3)


def test_encoding_errors():
    one_hot_float = FeatureSpace(
        {"a": FeatureSpace.feature("float32", Rescaling(2.0), "one_hot")}
    )
    with pytest.raises(ValueError, match="should return an integer dtype"):
        one_hot_float.get_encoded_features()
    raw_ints = FeatureSpace({"a": FeatureSpace.integer_hashed(4, output_mode="int")})
    with pytest.raises(ValueError, match="cannot concatenate"):
        raw_ints.get_encoded_features()
    unknown_size = FeatureSpace(
        {"a": FeatureSpace.feature("int32", TFDIdentity(), "one_hot")}
    )
    with pytest.raises(ValueError, match="cannot be one-hot encoded"):
        unknown_size.get_encoded_features()


def test_unadaptable_spaces_need_no_adapt():
    fs = FeatureSpace({"a": FeatureSpace.float_rescaled(scale=2.0), "b": "integer_hashed"})
    out = fs({"a": np.array([1.0, 2.0]), "b": np.array([3, 4])})
    assert out.shape == (2, 33)
    np.testing.assert_allclose(out[:, 0].numpy(), [2.0, 4.0])


def test_config_round_trip():
    fs = _space()
    fs.adapt(_data())
    config = fs.get_config()
    assert set(config) == {"features", "output_mode", "crosses", "crossing_dim", "hashing_dim",
                           "num_discretization_bins"}
    age = config["features"]["age"]
    assert age["class_name"] == "Feature" and age["registered_name"] == "Feature"
    assert age["module"] == "keras.src.layers.preprocessing.feature_space"
    assert age["config"]["preprocessor"]["class_name"] == "Discretization"
    assert config["crosses"][0]["config"] == {
        "feature_names": ("sex", "thal"), "crossing_dim": 4, "output_mode": "one_hot"
    }
    clone = FeatureSpace.from_config(config)
    assert clone.get_config()["crosses"] == config["crosses"]
    assert clone.preprocessors["age"].bin_boundaries == fs.preprocessors["age"].bin_boundaries


def test_save_and_load(tmp_path):
    data = _data()
    fs = _space()
    fs.adapt(data)
    path = tmp_path / "space.keras"
    fs.save(path)
    loaded = load_model(path)
    assert isinstance(loaded, FeatureSpace)
    np.testing.assert_array_equal(loaded(data).numpy(), fs(data).numpy())
    inputs, encoded = loaded.get_inputs(), loaded.get_encoded_features()
    assert set(inputs) == set(FEATURES) and encoded.shape == (None, 21)


def _tutorial_space():
    return FeatureSpace(
        features={
            "sex": FeatureSpace.integer_categorical(num_oov_indices=0),
            "ca": FeatureSpace.integer_categorical(num_oov_indices=0),
            "thal": FeatureSpace.string_categorical(num_oov_indices=0),
            "age": FeatureSpace.float_discretized(num_bins=30),
            "chol": FeatureSpace.float_normalized(),
            "rate": FeatureSpace.float_normalized(),
        },
        crosses=[
            FeatureSpace.cross(feature_names=("sex", "age"), crossing_dim=64),
            FeatureSpace.cross(feature_names=("thal", "ca"), crossing_dim=16),
        ],
        output_mode="concat",
    )


def test_tutorial_training_and_inference_models():
    torch.manual_seed(0)
    raw = table(8, 192)
    data = {k: raw[k] for k in ("sex", "ca", "thal", "age", "chol", "rate")}
    labels = (raw["age"] > 50).astype("float32")
    batches = [({k: v[i : i + 32] for k, v in data.items()}, labels[i : i + 32])
               for i in range(0, 192, 32)]
    fs = _tutorial_space()
    fs.adapt(_Batches([x for x, _ in batches]))  # `train_ds.map(lambda x, _: x)`
    preprocessed = _Batches([(fs(x), y) for x, y in batches])
    dict_inputs = fs.get_inputs()
    encoded_features = fs.get_encoded_features()
    x = keras.layers.Dense(32, activation="relu")(encoded_features)
    x = keras.layers.Dropout(0.5)(x)
    predictions = keras.layers.Dense(1, activation="sigmoid")(x)
    training_model = keras.Model(inputs=encoded_features, outputs=predictions)
    training_model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    inference_model = keras.Model(inputs=dict_inputs, outputs=predictions)
    history = training_model.fit(preprocessed, epochs=8, validation_data=preprocessed, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    sample = {"sex": 1, "ca": 0, "thal": "fixed", "age": 60.0, "chol": 233.0, "rate": 2.3}
    input_dict = {name: np.array([value]) for name, value in sample.items()}
    probability = inference_model.predict(input_dict, verbose=0)
    assert probability.shape == (1, 1)
    expected = training_model.predict(fs(input_dict), verbose=0)
    np.testing.assert_allclose(probability, expected, rtol=1e-6)
    # as in Keras, the intermediate input became an InputLayer named `<tensor>CLONE`
    assert [type(layer).__name__ for layer in training_model.layers] == [
        "InputLayer", "Dense", "Dropout", "Dense"
    ]  # fmt: skip
    assert training_model.layers[0].name.endswith("CLONE")


def test_functional_inputs_get_keras_rank_adjustment():
    inputs = keras.Input(shape=(1,))
    model = keras.Model(inputs, keras.layers.Dense(2, kernel_initializer="ones")(inputs))
    flat = model(np.array([1.0, 2.0], dtype="float32"))  # (batch,) for shape (1,)
    np.testing.assert_allclose(flat.detach().numpy(), [[1.0, 1.0], [2.0, 2.0]])
    vectors = keras.Input(shape=(3,))
    wide = keras.Model(vectors, keras.layers.Dense(1, kernel_initializer="ones")(vectors))
    extra = wide(np.ones((2, 3, 1), dtype="float32"))  # a trailing axis of 1 is dropped
    np.testing.assert_allclose(extra.detach().numpy(), [[3.0], [3.0]])


def test_hashed_crossing_layer():
    layer = HashedCrossing(num_bins=10)
    ints = np.array([1, 2, 3])
    words = np.array(["a", "b", "c"])
    bins = layer([ints, words])
    assert bins.shape == (3,) and bins.dtype == torch.int64 and (bins < 10).all()
    np.testing.assert_array_equal(layer([ints[:, None], words[:, None]])[:, 0].numpy(), bins)
    assert layer([torch.tensor(2), np.array("b")]) == bins[1]
    one_hot = HashedCrossing(num_bins=10, output_mode="one_hot")([ints, words])
    np.testing.assert_array_equal(one_hot.argmax(-1).numpy(), bins.numpy())
    spec = layer([keras.Input(shape=(1,), dtype="int32"), keras.Input(shape=(1,), dtype="string")])
    assert spec.shape == (None, 1) and spec.dtype == "int64"
    assert layer.get_config()["num_bins"] == 10
    assert HashedCrossing.from_config(layer.get_config()).num_bins == 10


def test_hashed_crossing_errors():
    with pytest.raises(ValueError, match="num_bins"):
        HashedCrossing(num_bins=0)
    with pytest.raises(ValueError, match="output_mode"):
        HashedCrossing(num_bins=3, output_mode="multi_hot")
    layer = HashedCrossing(num_bins=3)
    with pytest.raises(ValueError, match="at least two"):
        layer([np.array([1])])
    with pytest.raises(ValueError, match="equal shapes"):
        layer([np.array([1, 2]), np.array([1])])
    with pytest.raises(ValueError, match=r"\(batch, 1\)"):
        layer([np.ones((2, 3), "int64"), np.ones((2, 3), "int64")])
    with pytest.raises(ValueError, match="integers or strings"):
        layer([np.array([1.5]), np.array([1])])


def test_fingerprint_cat64_matches_tensorflow_values():
    # FingerprintCat64(0xDECAFCAFFE, 0) then (.., 2) % 1000 = 414: TF's cross_hashed([[0]], [[2]])
    key = torch.tensor([0xDECAFCAFFE])
    value = fingerprint_cat64(fingerprint_cat64(key, torch.tensor([0])), torch.tensor([2]))
    assert int(value) % 1000 == 414 or (int(value) + 2**64) % 1000 == 414


@pytest.mark.cuda
def test_runs_on_cuda_like_on_cpu():
    data = _data()
    fs = _space()
    fs.adapt(data)
    expected = fs(data)
    fs.to("cuda")
    out = fs(data)
    assert out.device.type == "cuda"
    np.testing.assert_array_equal(out.cpu().numpy(), expected.numpy())
