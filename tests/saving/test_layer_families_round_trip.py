"""Every implemented layer family survives save -> load: exact predictions, same training after."""

import numpy as np
import torch

import torchkeras as keras
from torchkeras import layers


def double(x):
    return 2.0 * x


def every_core_layer_model():
    tokens = keras.Input(shape=(6,), dtype="int32", name="tokens")
    values = keras.Input(shape=(4,), name="values")
    embedded = layers.Embedding(50, 3, mask_zero=False)(tokens)  # (6, 3)
    x = layers.Permute((2, 1))(embedded)  # (3, 6)
    x = layers.Reshape((18,))(x)
    x = layers.Dense(8, activation="relu", kernel_regularizer="l2")(x)
    x = layers.Dropout(0.3)(x)
    y = layers.Activation("tanh")(layers.Identity()(values))
    y = layers.Lambda(double)(y)
    y = layers.TorchModuleWrapper(torch.nn.Linear(4, 8))(y)
    merged = [layers.Add()([x, y]), layers.Subtract()([x, y]), layers.Multiply()([x, y]),
              layers.Average()([x, y]), layers.Maximum()([x, y]), layers.Minimum()([x, y])]
    z = layers.Concatenate()(merged)
    dot = layers.Dot(axes=1)([x, y])
    z = layers.Concatenate()([z, dot])
    repeated = layers.Flatten()(layers.RepeatVector(2)(z))
    outputs = layers.Dense(1, activation="sigmoid")(repeated)
    return keras.Model([tokens, values], outputs)


def data(samples=32):
    rng = np.random.default_rng(0)
    x = [rng.integers(1, 50, size=(samples, 6)).astype("int32"),
         rng.random((samples, 4), dtype=np.float32)]
    return x, rng.integers(0, 2, size=(samples, 1)).astype("float32")


def test_every_core_layer_round_trips_through_keras_archive(tmp_path):
    model = every_core_layer_model()
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    x, y = data()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    model.save(tmp_path / "all.keras")
    wrapper = next(layer for layer in model.layers if isinstance(layer, layers.TorchModuleWrapper))
    # Code never comes from the file: the Lambda's function and the wrapped module are passed in
    # (the module's weights are then read from the archive).
    custom = {"double": double, "Linear": torch.nn.Linear(4, 8)}
    loaded = keras.models.load_model(tmp_path / "all.keras", custom_objects=custom)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    torch.testing.assert_close(
        dict(loaded.named_parameters())[_key(loaded, wrapper.name)],
        dict(model.named_parameters())[_key(model, wrapper.name)],
    )
    keras.utils.set_random_seed(5)
    after_load = loaded.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0).history
    keras.utils.set_random_seed(5)
    original = model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0).history
    assert after_load == original


def _key(model, layer_name):
    index = [layer.name for layer in model.layers].index(layer_name)
    return f"layers.{index}.module.weight"


def test_conv_pooling_and_normalization_layers_round_trip(tmp_path):
    model = keras.Sequential([
        keras.Input((8, 8, 2)),
        layers.Conv2D(4, 3, padding="same", activation="relu"),
        layers.BatchNormalization(),
        layers.MaxPooling2D(),
        layers.LayerNormalization(),
        layers.AveragePooling2D(2, padding="same"),
        layers.GlobalAveragePooling2D(),
        layers.Dense(2, activation="softmax"),
    ])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(1)
    x = rng.random((16, 8, 8, 2), dtype=np.float32)
    y = rng.integers(0, 2, size=(16,))
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    model.save(tmp_path / "cnn.keras")
    loaded = keras.models.load_model(tmp_path / "cnn.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    moving = [w for w in loaded.non_trainable_weights]
    assert len(moving) == 2 and not torch.equal(moving[1], torch.ones_like(moving[1]))
    keras.utils.set_random_seed(2)
    after_load = loaded.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0).history
    keras.utils.set_random_seed(2)
    original = model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0).history
    assert after_load == original
