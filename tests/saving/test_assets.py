"""`.keras` archives keep what layers store outside their weights: adapted vocabularies as
`assets/<layer path>/` files, IDF weights through `save_own_variables`, as Keras lays them out."""

import zipfile

import numpy as np
import torch

import torchkeras as keras
from compat.tables import REFERENCES


def _adapted_model(output_mode="int"):
    model = keras.Sequential([
        keras.Input((2,), dtype="int64"),
        keras.layers.IntegerLookup(output_mode=output_mode),
    ])
    model.layers[0].adapt(np.array([5, 5, 7, 9, 9, 9]))
    return model


def test_adapted_vocabulary_travels_as_an_asset(tmp_path):
    model = _adapted_model()
    path = tmp_path / "lookup.keras"
    model.save(path)
    names = zipfile.ZipFile(path).namelist()
    assert "assets/layers/integer_lookup/vocabulary.txt" in names
    loaded = keras.saving.load_model(path)
    assert loaded.layers[0].get_vocabulary() == [-1, 9, 5, 7]
    x = np.array([[5, 9], [3, 7]])
    torch.testing.assert_close(loaded(x), model(x))


def test_idf_weights_travel_as_own_variables(tmp_path):
    model = _adapted_model("tf_idf")
    path = tmp_path / "tfidf.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    x = np.array([[5, 9], [9, 9]])
    torch.testing.assert_close(loaded(x), model(x))
    torch.testing.assert_close(loaded.layers[0].idf_weights, model.layers[0].idf_weights)


def test_assets_for_unknown_layers_are_ignored(tmp_path):
    path = tmp_path / "extra.keras"
    _adapted_model().save(path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("assets/layers/nothing_here/vocabulary.txt", "x\n")
    assert keras.saving.load_model(path).layers[0].vocabulary_size() == 4


def test_loads_keras_written_adapted_lookup():
    # Written by Keras 3.15.1 (torch backend, TensorFlow installed for the lookup layer):
    # Sequential([Input((2,), "int64"), IntegerLookup(output_mode="tf_idf")]) adapted on
    # [5, 5, 7, 9, 9, 9]; Keras' outputs for [[5, 9], [9, 9]] below.
    model = keras.saving.load_model(REFERENCES / "keras_files" / "adapted_integer_lookup_tfidf.keras")
    expected = [[0.0, 0.9162907600402832, 1.0986123085021973, 0.0], [0.0, 1.8325815200805664, 0.0, 0.0]]
    torch.testing.assert_close(model(np.array([[5, 9], [9, 9]])), torch.tensor(expected))


def test_compile_config_builds_the_optimizer_so_its_state_loads(tmp_path):
    # Keras builds the optimizer of a built model in `compile_from_config`; then a
    # `.weights.h5` written after training restores the optimizer state too.
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile("rmsprop", "mse")
    model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    path = tmp_path / "trained.weights.h5"
    model.save_weights(path)
    clone = keras.models.model_from_json(model.to_json())
    clone.compile_from_config(model.get_compile_config())
    assert len(clone.optimizer.variables) == len(model.optimizer.variables)
    clone.load_weights(path)
    assert int(clone.optimizer.iterations) == 1
