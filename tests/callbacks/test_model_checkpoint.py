"""ModelCheckpoint: path templates, save decisions, batch frequency, files that survive crashes."""

import os
import types
import zipfile

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras.callbacks import CallbackList


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x.sum(axis=1, keepdims=True) > 0).astype("float32")
    return x, y


def _model():
    model = keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return model


def _recording_model():
    model = types.SimpleNamespace(stop_training=False, saved=[], metrics=[])
    model.save = lambda path, overwrite=True: model.saved.append(path)
    model.save_weights = model.save
    return model


def _epochs(checkpoint, values, monitor="val_loss"):
    model = _recording_model()
    checkpoint.set_model(model)
    checkpoint.on_train_begin()
    for epoch, value in enumerate(values):
        checkpoint.on_epoch_begin(epoch)
        checkpoint.on_epoch_end(epoch, {monitor: value, "loss": 2.0})
    return model.saved


def test_seed_early_stopping_and_best_checkpoint(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    x, y = _data(128)
    model = _model()
    callbacks = [
        keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=2),
        keras.callbacks.ModelCheckpoint(
            filepath="checkpoint_path.keras", monitor="val_loss", save_best_only=True
        ),
    ]
    model.fit(x, y, epochs=5, validation_split=0.2, callbacks=callbacks, verbose=0)
    restored = keras.models.load_model("checkpoint_path.keras")
    assert np.allclose(restored.predict(x, verbose=0).shape, (128, 1))
    assert callbacks[1].best == min(model.history.history["val_loss"])


def test_templates_directories_and_weights_only(tmp_path):
    x, y = _data()
    pattern = str(tmp_path / "run" / "ckpt-{epoch:02d}-{val_loss:.2f}.weights.h5")
    checkpoint = keras.callbacks.ModelCheckpoint(pattern, save_weights_only=True)
    model = _model()
    history = model.fit(x, y, epochs=2, validation_split=0.25, callbacks=[checkpoint], verbose=0)
    expected = [
        f"ckpt-{epoch + 1:02d}-{loss:.2f}.weights.h5"
        for epoch, loss in enumerate(history.history["val_loss"])
    ]
    assert sorted(os.listdir(tmp_path / "run")) == expected
    fresh = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), keras.layers.Dense(1)])
    fresh.load_weights(str(tmp_path / "run" / expected[-1]))
    assert all(np.array_equal(a, b) for a, b in zip(fresh.get_weights(), model.get_weights()))


def test_save_best_only_decisions_and_threshold(capsys):
    values = [1.0, 0.8, 0.9, 0.7, 0.7]
    best_only = keras.callbacks.ModelCheckpoint("m{epoch}.keras", save_best_only=True, verbose=1)
    assert _epochs(best_only, values) == ["m1.keras", "m2.keras", "m4.keras"]
    out = capsys.readouterr().out
    assert "Epoch 1: val_loss improved from None to 1.00000, saving model to m1.keras" in out
    assert "Epoch 3: val_loss did not improve from 0.80000" in out
    threshold = keras.callbacks.ModelCheckpoint(
        "m{epoch}.keras", save_best_only=True, initial_value_threshold=0.75
    )
    assert _epochs(threshold, values) == ["m4.keras"]
    maximise = keras.callbacks.ModelCheckpoint("m{epoch}.keras", save_best_only=True, mode="max")
    assert _epochs(maximise, values) == ["m1.keras"]
    every = keras.callbacks.ModelCheckpoint("m{epoch}-{loss:.1f}.keras")
    assert _epochs(every, values[:2]) == ["m1-2.0.keras", "m2-2.0.keras"]
    with pytest.warns(UserWarning, match="Can save best model only with val_loss available"):
        assert _epochs(keras.callbacks.ModelCheckpoint("m.keras", save_best_only=True),
                       [1.0], monitor="other") == ["m.keras"]


def test_argument_errors():
    with pytest.raises(ValueError, match=r"must end in `.keras` \(Keras model format\)"):
        keras.callbacks.ModelCheckpoint("model.pt")
    with pytest.raises(ValueError, match=r"must end in `.weights.h5`.*Received: filepath=w.keras"):
        keras.callbacks.ModelCheckpoint("w.keras", save_weights_only=True)
    with pytest.raises(ValueError, match="Unrecognized save_freq: batch"):
        keras.callbacks.ModelCheckpoint("m.keras", save_freq="batch")
    keras.callbacks.ModelCheckpoint("w.safetensors", save_weights_only=True)  # torchkeras extra
    keras.callbacks.ModelCheckpoint("legacy.h5")
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        _epochs(keras.callbacks.ModelCheckpoint("{val_acc}.keras"), [1.0])


def test_existing_directory_is_refused(tmp_path):
    (tmp_path / "m.keras").mkdir()
    checkpoint = keras.callbacks.ModelCheckpoint(str(tmp_path / "m.keras"))
    checkpoint.set_model(_model())
    with pytest.raises(OSError, match="non-directory filepath"):
        checkpoint.on_epoch_end(0, {"val_loss": 1.0})


def test_save_freq_in_batches(tmp_path):
    x, y = _data()
    pattern = str(tmp_path / "b-{epoch}-{batch}.weights.h5")
    checkpoint = keras.callbacks.ModelCheckpoint(pattern, save_weights_only=True, save_freq=3)
    assert CallbackList([checkpoint]).wants("on_train_batch_end")
    _model().fit(x, y, epochs=2, batch_size=16, callbacks=[checkpoint], verbose=0)
    # 4 batches per epoch, counted across epochs: saves after batch 3 of epoch 1 and batch 2
    # of epoch 2 (the 6th batch); `{batch}` is 1-based, as Keras writes it.
    assert sorted(os.listdir(tmp_path)) == ["b-1-3.weights.h5", "b-2-2.weights.h5"]
    epoch_only = keras.callbacks.ModelCheckpoint(pattern.replace("{batch}", "x"))
    assert not CallbackList([epoch_only]).wants("on_train_batch_end")

    class Counting(keras.callbacks.ModelCheckpoint):
        def on_batch_end(self, batch, logs=None):
            pass

    assert CallbackList([Counting("m.keras")]).wants("on_train_batch_end")


def test_crash_while_writing_keeps_previous_checkpoint(tmp_path, monkeypatch):
    x, y = _data()
    path = tmp_path / "ckpt.keras"
    model = _model()
    checkpoint = keras.callbacks.ModelCheckpoint(str(path))
    model.fit(x, y, epochs=1, callbacks=[checkpoint], verbose=0)
    first = keras.models.load_model(str(path)).get_weights()
    real_writestr = zipfile.ZipFile.writestr

    def crash_after_first_member(archive, *args, **kwargs):
        real_writestr(archive, *args, **kwargs)
        raise KeyboardInterrupt("killed while writing")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", crash_after_first_member)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=1, callbacks=[checkpoint], verbose=0)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["ckpt.keras"]  # no temporary file left beside it
    again = keras.models.load_model(str(path)).get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not all(np.array_equal(a, b) for a, b in zip(first, model.get_weights()))


def test_checkpoint_weights_round_trip(tmp_path):
    x, y = _data()
    model = _model()
    checkpoint = keras.callbacks.ModelCheckpoint(str(tmp_path / "last.keras"))
    model.fit(x, y, epochs=2, callbacks=[checkpoint], verbose=0)
    restored = keras.models.load_model(str(tmp_path / "last.keras"))
    for mine, theirs in zip(model.get_weights(), restored.get_weights()):
        assert torch.equal(torch.as_tensor(mine), torch.as_tensor(theirs))
