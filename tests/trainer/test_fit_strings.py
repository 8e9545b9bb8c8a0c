"""Raw strings through `fit`/`evaluate`/`predict` into a model that starts with TextVectorization
(`keras.Input(shape=(1,), dtype="string")`): string arrays stay NumPy on the host and are cut
per batch there, with the same shuffled order as the tensors."""

import numpy as np
import pytest
import torch

import torchkeras as keras

TEXTS = np.array(["the cat sat", "a dog ran", "the dog sat", "a cat ran"] * 8)
LABELS = np.array([0, 1, 1, 0] * 8, dtype="float32")


def _text_model():
    vectorizer = keras.layers.TextVectorization(max_tokens=20, output_sequence_length=4)
    vectorizer.adapt(TEXTS)
    inputs = keras.Input(shape=(1,), dtype="string", name="text")
    x = keras.layers.Embedding(20, 8)(vectorizer(inputs))
    x = keras.layers.GlobalAveragePooling1D()(x)
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(x))
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_string_input_is_symbolic_string():
    inputs = keras.Input(shape=(1,), dtype="string")
    assert inputs.dtype == "string" and inputs.shape == (None, 1)
    assert keras.Model(inputs, keras.layers.TextVectorization()(inputs)).get_config()["layers"][0][
        "config"
    ]["dtype"] == "string"


@pytest.mark.parametrize("shuffle", [False, True])
def test_fit_evaluate_predict_on_raw_strings(shuffle):
    keras.utils.set_random_seed(0)
    model = _text_model()
    history = model.fit(TEXTS, LABELS, epochs=3, batch_size=8, shuffle=shuffle,
                        validation_split=0.25, verbose=0)  # fmt: skip
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(np.isfinite(history.history["loss"]))
    loss, accuracy = model.evaluate(TEXTS, LABELS, verbose=0)
    assert np.isfinite(loss) and 0.0 <= accuracy <= 1.0
    assert model.predict(TEXTS[:5], verbose=0).shape == (5, 1)


def test_shuffled_string_batches_cover_every_row_in_a_drawn_order():
    """Shuffled string batches cover every row once, in a drawn order."""
    seen = []

    class Recorder(keras.layers.Layer):
        def build(self, input_shape):
            self.offset = self.add_weight(shape=(1,), initializer="zeros")

        def call(self, inputs):
            seen.append(list(np.asarray(inputs).reshape(-1)))
            return torch.zeros(len(seen[-1]), 1) + self.offset

    inputs = keras.Input(shape=(1,), dtype="string")
    model = keras.Model(inputs, Recorder()(inputs))
    model.compile(optimizer="sgd", loss="mse")
    order = np.arange(len(TEXTS)).astype("float32")
    texts = np.array([f"row {i}" for i in range(len(TEXTS))])
    seen.clear()
    model.fit(texts, order[:, None], batch_size=5, shuffle=True, epochs=1, verbose=0)
    drawn = [int(text.split()[1]) for batch in seen for text in batch]
    assert sorted(drawn) == list(range(len(TEXTS))) and drawn != sorted(drawn)


def test_text_model_saves_and_loads(tmp_path):
    model = _text_model()
    model.fit(TEXTS, LABELS, epochs=1, batch_size=8, verbose=0)
    model.save(tmp_path / "text.keras")
    loaded = keras.models.load_model(tmp_path / "text.keras")
    np.testing.assert_allclose(
        loaded.predict(TEXTS[:4], verbose=0), model.predict(TEXTS[:4], verbose=0), rtol=1e-6
    )
