"""TensorBoard: event files read back with TensorBoard's own reader, without TensorFlow."""

import inspect
import os
import sys

import numpy as np
import pytest

import torchkeras as keras
from torchkeras.callbacks.tensorboard import TensorBoard


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
    model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
    return model


def _fit(callback, epochs=2, model=None, **kwargs):
    x, y = _data()
    model = model or _model()
    history = model.fit(
        x, y, batch_size=16, epochs=epochs, validation_split=0.25, verbose=0,
        callbacks=[callback], **kwargs,
    )
    return model, history


def _events(path):
    accumulator_module = pytest.importorskip(
        "tensorboard.backend.event_processing.event_accumulator"
    )
    accumulator = accumulator_module.EventAccumulator(
        str(path), size_guidance={"scalars": 0, "histograms": 0, "images": 0}
    )
    accumulator.Reload()
    return accumulator


def _scalars(accumulator, tag):
    return [(event.step, event.value) for event in accumulator.Scalars(tag)]


def test_epoch_scalars_equal_history(tmp_path):
    pytest.importorskip("tensorboard")
    model, history = _fit(TensorBoard(log_dir=tmp_path))
    train, validation = _events(tmp_path / "train"), _events(tmp_path / "validation")
    assert set(train.Tags()["scalars"]) == {"epoch_loss", "epoch_accuracy", "epoch_learning_rate"}
    for name in ("loss", "accuracy"):
        steps, values = zip(*_scalars(train, f"epoch_{name}"))
        assert steps == (0, 1)
        np.testing.assert_allclose(values, history.history[name], rtol=1e-6)
        steps, values = zip(*_scalars(validation, f"epoch_{name}"))
        assert steps == (0, 1)
        np.testing.assert_allclose(values, history.history[f"val_{name}"], rtol=1e-6)
    assert [v for _, v in _scalars(train, "epoch_learning_rate")] == pytest.approx([0.01, 0.01])
    # After each validation pass, Keras' `evaluation_<name>_vs_iterations` (3 steps per epoch).
    steps, values = zip(*_scalars(validation, "evaluation_loss_vs_iterations"))
    assert steps == (3, 6)
    np.testing.assert_allclose(values, history.history["val_loss"], rtol=1e-6)
    assert not train.Tags()["histograms"]


def test_histograms_every_histogram_freq_epochs(tmp_path):
    pytest.importorskip("tensorboard")
    model, _ = _fit(TensorBoard(log_dir=tmp_path, histogram_freq=1, write_images=True))
    train = _events(tmp_path / "train")
    expected = {
        f"sequential/{layer}/{weight}/histogram"
        for layer in ("dense", "dense_1") for weight in ("kernel", "bias")
    }
    assert set(train.Tags()["histograms"]) == expected
    kernel = train.Histograms("sequential/dense/kernel/histogram")
    assert [event.step for event in kernel] == [0, 1]
    last = kernel[-1].histogram_value
    weights = model.layers[0].kernel.detach().numpy()
    assert last.num == weights.size
    assert last.min == pytest.approx(weights.min()) and last.max == pytest.approx(weights.max())
    assert "sequential/dense/kernel/image" in train.Tags()["images"]


def test_histogram_freq_two_writes_even_epochs(tmp_path):
    pytest.importorskip("tensorboard")
    _fit(TensorBoard(log_dir=tmp_path, histogram_freq=2), epochs=3)
    kernel = _events(tmp_path / "train").Histograms("sequential/dense/kernel/histogram")
    assert [event.step for event in kernel] == [0, 2]


def test_batch_scalars_with_int_update_freq(tmp_path):
    pytest.importorskip("tensorboard")
    seen = []
    recorder = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(logs["loss"])
    )
    callback = TensorBoard(log_dir=tmp_path, update_freq=2, write_steps_per_second=True)
    x, y = _data()
    model = _model()
    model.fit(
        x, y, batch_size=16, epochs=2, validation_split=0.25, verbose=0,
        callbacks=[callback, recorder],
    )
    train = _events(tmp_path / "train")
    # 3 batches per epoch, global 1-based steps 1..6: every second one is written.
    steps, values = zip(*_scalars(train, "batch_loss"))
    assert steps == (2, 4, 6)
    np.testing.assert_allclose(values, [seen[1], seen[3], seen[5]], rtol=1e-6)
    assert [s for s, _ in _scalars(train, "batch_accuracy")] == [2, 4, 6]
    assert [s for s, _ in _scalars(train, "batch_steps_per_second")] == [2, 4, 6]
    assert [s for s, _ in _scalars(train, "epoch_steps_per_second")] == [0, 1]
    assert all(v > 0 for _, v in _scalars(train, "epoch_steps_per_second"))


def test_batch_hooks_are_live_only_with_int_update_freq():
    pytest.importorskip("tensorboard")
    by_epoch = TensorBoard()
    assert not by_epoch.overrides("on_train_batch_end")
    assert not by_epoch.overrides("on_train_batch_begin")
    assert by_epoch.overrides("on_epoch_end")
    live = keras.callbacks.CallbackList([by_epoch])
    assert not live.wants("on_train_batch_end") and not live.wants("on_train_batch_begin")
    assert TensorBoard(update_freq="batch").update_freq == 1
    assert TensorBoard(update_freq=5).overrides("on_train_batch_end")
    assert not TensorBoard(update_freq=5).overrides("on_train_batch_begin")
    assert TensorBoard(update_freq=5, write_steps_per_second=True).overrides(
        "on_train_batch_begin"
    )


def test_graph_is_written(tmp_path):
    pytest.importorskip("tensorboard")
    _fit(TensorBoard(log_dir=tmp_path))
    assert _events(tmp_path / "train").Tags()["graph"]


def test_graph_of_a_lazily_built_model(tmp_path):
    pytest.importorskip("tensorboard")
    model = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    _fit(TensorBoard(log_dir=tmp_path, write_graph=True), model=model)
    train = _events(tmp_path / "train")
    assert train.Tags()["graph"]
    assert "epoch_loss" in train.Tags()["scalars"]


def test_untraceable_model_warns_and_still_logs(tmp_path):
    pytest.importorskip("tensorboard")

    class DictInputs(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)

        def call(self, inputs):
            return self.dense(inputs["a"] + inputs["b"])

    model = DictInputs()
    model.compile("sgd", "mse")
    x, y = _data()
    with pytest.warns(UserWarning, match="could not trace model"):
        model.fit(
            {"a": x, "b": x}, y, epochs=2, verbose=0, callbacks=[TensorBoard(log_dir=tmp_path)]
        )
    train = _events(tmp_path / "train")
    assert not train.Tags()["graph"]
    assert [s for s, _ in _scalars(train, "epoch_loss")] == [0, 1]


def test_seed_usage_pattern(tmp_path):
    pytest.importorskip("tensorboard")
    log_dir = tmp_path / "tensor_board_log"
    # `keras.callbacks.TensorBoard` once exported from `torchkeras.callbacks`.
    tensorboard_class = getattr(keras.callbacks, "TensorBoard", TensorBoard)
    tensorboard = tensorboard_class(log_dir=str(log_dir))
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=2, batch_size=16, validation_data=(x, y), callbacks=[tensorboard],
              verbose=0)
    assert sorted(p.name for p in log_dir.iterdir()) == ["train", "validation"]
    assert any(p.name.startswith("events.out.tfevents") for p in (log_dir / "train").iterdir())
    model.evaluate(x, y, verbose=0, callbacks=[tensorboard])
    validation = _events(log_dir / "validation")
    assert len(validation.Scalars("evaluation_loss_vs_iterations")) >= 2


def test_missing_tensorboard_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)
    with pytest.raises(ImportError, match=r"torchkeras-native\[tensorboard\]"):
        TensorBoard(log_dir="unused")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"profile_batch": 2}, "profile_batch"),
        ({"profile_batch": (10, 20)}, "profile_batch"),
        ({"embeddings_freq": 1}, "embeddings_freq"),
        ({"update_freq": "step"}, "update_freq"),
        ({"update_freq": 0}, "update_freq"),
        ({"histogram_freq": -1}, "histogram_freq"),
    ],
)
def test_unsupported_or_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TensorBoard(**kwargs)


def test_signature_matches_keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras_callback = pytest.importorskip("keras.src.callbacks.tensorboard")
    ours = inspect.signature(TensorBoard.__init__).parameters
    theirs = inspect.signature(keras_callback.TensorBoard.__init__).parameters
    assert [(p.name, p.default) for p in ours.values()] == [
        (p.name, p.default) for p in theirs.values()
    ]
