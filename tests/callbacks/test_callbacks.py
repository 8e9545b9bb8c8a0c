"""The Keras callbacks on tiny CPU models: decisions, files written, hooks that stay silent."""

import math
import os
import types
import warnings

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras.callbacks import CallbackList
from torchkeras.registry import CALLBACKS

BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end")


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x.sum(axis=1, keepdims=True) > 0).astype("float32")
    return x, y


def _model(optimizer="adam", metrics=("accuracy",)):
    model = keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer, "binary_crossentropy", metrics=list(metrics))
    return model


def _fake_model(learning_rate=0.1):
    """Just what the callbacks touch: `stop_training`, an optimizer, `save`/`save_weights`."""
    model = types.SimpleNamespace(stop_training=False, saved=[], metrics=[])
    model.optimizer = keras.optimizers.SGD(learning_rate=learning_rate)
    model.save = lambda path, overwrite=True: model.saved.append(path)
    model.save_weights = model.save
    return model


def _feed(callback, values, monitor="val_loss", model=None):
    """Runs `on_epoch_end` over `values` like `fit`, stopping when the callback says so."""
    model = model or _fake_model()
    callback.set_model(model)
    callback.on_train_begin()
    epochs = 0
    for epoch, value in enumerate(values):
        callback.on_epoch_begin(epoch)
        callback.on_epoch_end(epoch, {} if value is None else {monitor: value})
        epochs += 1
        if model.stop_training:
            break
    callback.on_train_end()
    return epochs, model


# ---- EarlyStopping ---------------------------------------------------------------------------
def test_early_stopping_patience_and_best():
    stopper = keras.callbacks.EarlyStopping(patience=2)
    epochs, model = _feed(stopper, [1.0, 0.8, 0.9, 0.85, 0.7])
    assert (epochs, stopper.stopped_epoch, stopper.best, stopper.wait) == (4, 3, 0.8, 2)
    assert model.stop_training


def test_early_stopping_min_delta_baseline_and_start_epoch():
    stopper = keras.callbacks.EarlyStopping(patience=1, min_delta=0.1)
    assert _feed(stopper, [1.0, 0.95, 0.5])[0] == 2  # 0.95 is not 0.1 better
    stopper = keras.callbacks.EarlyStopping(patience=2, baseline=0.5)
    assert _feed(stopper, [1.0, 0.9, 0.8, 0.7])[0] == 4  # improvements never stop training
    stopper = keras.callbacks.EarlyStopping(patience=2, baseline=0.5)
    assert _feed(stopper, [1.0, 0.9, 0.95])[0] == 3  # but above the baseline, `wait` grows
    assert _feed(keras.callbacks.EarlyStopping(patience=2), [1.0, 0.9, 0.95])[0] == 3 - 0
    stopper = keras.callbacks.EarlyStopping(patience=0, start_from_epoch=3)
    assert _feed(stopper, [1.0, 2.0, 3.0, 4.0, 5.0])[0] == 5  # epoch 4 is the first compared


def test_early_stopping_missing_monitor_warns_and_auto_mode():
    stopper = keras.callbacks.EarlyStopping(patience=0)
    with pytest.warns(UserWarning, match="`val_loss` which is not available"):
        _feed(stopper, [None])
    with pytest.warns(UserWarning, match="mode 'up' is unknown"):
        assert keras.callbacks.EarlyStopping(mode="up").mode == "auto"
    with pytest.raises(ValueError, match="monitor=val_foo, but Keras isn't able"):
        _feed(keras.callbacks.EarlyStopping(monitor="val_foo"), [1.0], "val_foo")
    model = _model()
    model.fit(*_data(8), verbose=0)
    stopper = keras.callbacks.EarlyStopping(monitor="val_accuracy")
    _feed(stopper, [0.5], "val_accuracy", model=model)
    assert stopper.monitor_op(2, 1) and stopper.best == 0.5  # accuracy is maximised


def test_early_stopping_restores_best_weights_on_device():
    model = _model()
    model.build((None, 4))
    stopper = keras.callbacks.EarlyStopping(monitor="loss", patience=1, restore_best_weights=True)
    stopper.set_model(model)
    stopper.on_train_begin()
    kernel = model.layers[0].kernel
    snapshots = []
    for epoch, loss in enumerate([1.0, 0.5, 0.7, 0.8]):
        with torch.no_grad():
            kernel.fill_(float(epoch))
        stopper.on_epoch_end(epoch, {"loss": loss})
        snapshots.append(stopper.best_weights)
        if model.stop_training:
            break
    assert stopper.stopped_epoch == 2 and stopper.best_epoch == 1
    assert all(s is snapshots[0] for s in snapshots)  # buffers allocated once, refreshed in place
    stopper.on_train_end()
    assert torch.all(kernel == 1.0)


def test_early_stopping_in_fit_is_epoch_only():
    x, y = _data()
    model = _model(optimizer=keras.optimizers.SGD(learning_rate=0.0))  # nothing improves
    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2)
    assert not CallbackList([stopper]).wants("on_train_batch_end")
    history = model.fit(x, y, epochs=10, validation_split=0.25, callbacks=[stopper], verbose=0)
    assert len(history.epoch) == 3 and stopper.stopped_epoch == 2


def test_early_stopping_verbose_messages(capsys):
    stopper = keras.callbacks.EarlyStopping(patience=0, verbose=1, restore_best_weights=True)
    model = _model()
    model.build((None, 4))
    _feed(stopper, [1.0, 2.0], model=model)
    out = capsys.readouterr().out
    assert "Epoch 2: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 1." in out


# ---- LearningRateScheduler / ReduceLROnPlateau -----------------------------------------------
def test_learning_rate_scheduler_sets_rate_and_logs_it():
    x, y = _data()
    model = _model(optimizer=keras.optimizers.SGD(learning_rate=0.1))
    one_arg = keras.callbacks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))
    history = model.fit(x, y, epochs=3, callbacks=[one_arg], verbose=0)
    assert np.allclose(history.history["learning_rate"], [0.1, 0.05, 0.1 / 3])
    two_arg = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    history = model.fit(x, y, epochs=2, callbacks=[two_arg], verbose=0)
    assert np.allclose(history.history["learning_rate"], [0.1 / 6, 0.1 / 12])
    with pytest.raises(ValueError, match="should be a float. Got: 1"):
        model.fit(x, y, callbacks=[keras.callbacks.LearningRateScheduler(lambda e: 1)], verbose=0)


def test_reduce_lr_on_plateau_sequence_cooldown_and_floor(capsys):
    reducer = keras.callbacks.ReduceLROnPlateau(
        factor=0.5, patience=1, cooldown=2, min_lr=0.02, verbose=1
    )
    model = _fake_model(learning_rate=0.1)
    reducer.set_model(model)
    reducer.on_train_begin()
    rates = []
    for epoch, loss in enumerate([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]):
        logs = {"val_loss": loss}
        reducer.on_epoch_end(epoch, logs)
        rates.append(round(logs["learning_rate"], 6))
    assert rates == [0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02]
    out = capsys.readouterr().out
    assert "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.0500000007" in out
    with pytest.raises(ValueError, match="factor >= 1.0. Received factor=1.5"):
        keras.callbacks.ReduceLROnPlateau(factor=1.5)


# ---- CSVLogger ---------------------------------------------------------------------------------
def test_csv_logger_rows_flush_and_append(tmp_path):
    path = tmp_path / "log.csv"
    x, y = _data()
    seen = []
    peek = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, _: seen.append(path.read_text()))
    model = _model()
    model.fit(x, y, epochs=2, callbacks=[keras.callbacks.CSVLogger(path), peek], verbose=0)
    assert seen[0].count("\n") == 2  # header and epoch 0 are on disk before epoch 1 runs
    lines = path.read_bytes().split(b"\r\n")
    assert lines[0] == b"epoch,accuracy,loss,val_accuracy,val_loss"
    assert lines[1].startswith(b"0,") and lines[1].endswith(b",NA,NA") and lines[3] == b""
    logger = keras.callbacks.CSVLogger(path, separator=";", append=True)
    model.fit(x, y, epochs=1, validation_split=0.25, callbacks=[logger], verbose=0)
    lines = path.read_bytes().split(b"\r\n")
    assert len(lines) == 5 and lines[3].startswith(b"0;") and lines[3].count(b";") == 4


# ---- TerminateOnNaN ------------------------------------------------------------------------------
def _nan_loss(y_true, y_pred):
    return torch.log(y_pred - 2.0).mean()


def test_terminate_on_nan_stops_after_the_bad_batch(capsys):
    x, y = _data()
    model = _model()
    model.compile("sgd", _nan_loss)
    batches = []
    counter = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: batches.append(b))
    stopper = keras.callbacks.TerminateOnNaN()
    assert CallbackList([stopper]).wants("on_train_batch_end")  # it reads the loss: one sync
    history = model.fit(x, y, epochs=3, batch_size=16, callbacks=[stopper, counter], verbose=0)
    assert batches == [0] and len(history.epoch) == 1 and math.isnan(history.history["loss"][0])
    assert "Batch 0: Invalid loss, terminating training" in capsys.readouterr().out
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 0"):
        model.fit(x, y, callbacks=[keras.callbacks.TerminateOnNaN(raise_error=True)], verbose=0)


# ---- LambdaCallback ------------------------------------------------------------------------------
def test_lambda_callback_only_given_hooks_are_live():
    epoch_only = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: None)
    assert not any(epoch_only.overrides(hook) for hook in BATCH_HOOKS)
    assert epoch_only.overrides("on_epoch_end") and not epoch_only.overrides("on_epoch_begin")
    keras2 = keras.callbacks.LambdaCallback(on_batch_end=lambda b, logs: None)
    assert keras2.overrides("on_train_batch_end") and not keras2.overrides("on_train_batch_begin")
    assert keras.callbacks.LambdaCallback(on_test_end=lambda logs: None).overrides("on_test_end")


def test_lambda_callback_calls_in_fit():
    x, y = _data(32)
    events = []
    callback = keras.callbacks.LambdaCallback(
        on_train_begin=lambda logs: events.append("begin"),
        on_epoch_begin=lambda epoch, logs: events.append(("epoch", epoch)),
        on_train_batch_end=lambda batch, logs: events.append(("batch", batch, "loss" in logs)),
        on_epoch_end=lambda epoch, logs: events.append(("end", epoch, sorted(logs))),
        on_train_end=lambda logs: events.append("done"),
    )
    _model().fit(x, y, epochs=1, batch_size=16, callbacks=[callback], verbose=0)
    assert events == [
        "begin", ("epoch", 0), ("batch", 0, True), ("batch", 1, True),
        ("end", 0, ["accuracy", "loss"]), "done",
    ]


# ---- SwapEMAWeights ----------------------------------------------------------------------------
class _Recorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.at_test = []
        self.at_epoch_end = []

    def on_test_begin(self, logs=None):
        self.at_test.append(self.model.layers[0].kernel.detach().clone())

    def on_epoch_end(self, epoch, logs=None):
        self.at_epoch_end.append(self.model.layers[0].kernel.detach().clone())


def _ema_average(model):
    return model.optimizer._model_variables_moving_average[0].detach().clone()


def test_swap_ema_weights_for_validation_only():
    x, y = _data()
    model = _model(optimizer=keras.optimizers.SGD(learning_rate=0.5, use_ema=True))
    recorder = _Recorder()
    swap = keras.callbacks.SwapEMAWeights()
    model.fit(x, y, epochs=1, validation_split=0.25, callbacks=[swap, recorder], verbose=0)
    assert not torch.equal(recorder.at_test[0], recorder.at_epoch_end[0])  # raw after validation
    # fit's end copied the EMA in: the average at validation time is what validation saw.
    assert torch.allclose(recorder.at_test[0], model.layers[0].kernel.detach())
    with pytest.raises(ValueError, match="Received: use_ema=False"):
        _model().fit(x, y, validation_split=0.25, callbacks=[swap], verbose=0)


def test_swap_ema_weights_on_epoch():
    x, y = _data()
    model = _model(optimizer=keras.optimizers.SGD(learning_rate=0.5, use_ema=True))
    recorder = _Recorder()
    swap = keras.callbacks.SwapEMAWeights(swap_on_epoch=True)
    model.fit(x, y, epochs=2, callbacks=[swap, recorder], verbose=0)
    assert torch.equal(recorder.at_epoch_end[-1], model.layers[0].kernel.detach())
    assert torch.equal(_ema_average(model), model.layers[0].kernel.detach())


@pytest.mark.cuda
def test_weight_copies_stay_on_the_device_without_sync():
    x, y = _data()
    model = _model(optimizer=keras.optimizers.SGD(learning_rate=0.5, use_ema=True))
    model.fit(x, y, epochs=1, verbose=0)  # builds model and optimizer on the GPU
    stopper = keras.callbacks.EarlyStopping(monitor="loss", restore_best_weights=True)
    swap = keras.callbacks.SwapEMAWeights()
    for callback in (stopper, swap):
        callback.set_model(model)
    stopper.on_train_begin()
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        stopper.on_epoch_end(0, {"loss": 1.0})
        swap.on_test_begin()
        swap.on_test_end()
        stopper.on_train_end()
    finally:
        torch.cuda.set_sync_debug_mode(0)
    assert all(tensor.device.type == "cuda" for tensor in stopper.best_weights)


# ---- the seeds' custom callback ------------------------------------------------------------------
class LossHistory(keras.callbacks.Callback):
    """The seed's callback: per-batch losses, a plot saved at each epoch end (if `plt` given)."""

    def __init__(self, directory, plt=None):
        super().__init__()
        self.directory = directory
        self.plt = plt
        self.losses = []

    def on_batch_end(self, batch, logs=None):
        self.losses.append(logs.get("loss"))

    def on_epoch_end(self, epoch, logs=None):
        if self.plt is None:
            return
        self.plt.figure()
        self.plt.plot(self.losses)
        self.plt.savefig(os.path.join(self.directory, f"loss_epoch_{epoch}.png"))
        self.plt.close()


def test_seed_loss_history_plots_each_epoch(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    plt = pytest.importorskip("matplotlib.pyplot")
    x, y = _data()
    callback = LossHistory(str(tmp_path), plt)
    _model().fit(x, y, epochs=2, batch_size=16, callbacks=[callback], verbose=0)
    assert len(callback.losses) == 8 and all(isinstance(v, float) for v in callback.losses)
    assert sorted(os.listdir(tmp_path)) == ["loss_epoch_0.png", "loss_epoch_1.png"]


def test_seed_loss_history_batches_without_plots():
    x, y = _data()
    callback = LossHistory(".")
    _model().fit(x, y, epochs=2, batch_size=16, callbacks=[callback], verbose=0)
    assert len(callback.losses) == 8 and all(isinstance(v, float) for v in callback.losses)


def test_epoch_only_callbacks_have_no_batch_hooks(tmp_path):
    quiet = [
        keras.callbacks.EarlyStopping(), keras.callbacks.ReduceLROnPlateau(),
        keras.callbacks.LearningRateScheduler(lambda e: 0.1),
        keras.callbacks.CSVLogger(tmp_path / "a.csv"), keras.callbacks.SwapEMAWeights(),
        keras.callbacks.ModelCheckpoint(tmp_path / "a.keras"),
    ]
    for callback in quiet:
        assert not any(callback.overrides(hook) for hook in BATCH_HOOKS), callback
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert keras.callbacks.ModelCheckpoint("a.keras", save_freq=2).overrides(BATCH_HOOKS[1])


def test_registered_by_name():
    for name in ("EarlyStopping", "ModelCheckpoint", "CSVLogger", "TerminateOnNaN"):
        assert CALLBACKS.lookup(name) is getattr(keras.callbacks, name)

