"""Decisions against real Keras 3: both libraries' callbacks see the same logs, epoch by epoch."""

import io
import os
import types
import warnings
from contextlib import redirect_stdout

import numpy as np
import pytest

import torchkeras

# Keras' torch backend hands numpy a tensor without `copy=`: numpy 2 warns on every read.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SEQUENCES = {
    "plateau": [1.0, 0.9, 0.9, 0.9, 0.95, 0.85, 0.85, 0.86, 0.87, 0.88, 0.5, 0.5],
    "noisy": list(np.round(1 + 0.3 * np.random.default_rng(3).normal(size=14), 3)),
    "rising": [0.1, 0.2, 0.25, 0.25, 0.3, 0.29, 0.28, 0.31, 0.31, 0.3, 0.2],
    "gaps": [1.0, None, 0.8, 0.8, None, 0.9, 0.7, 0.75, 0.76],
}


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    module = pytest.importorskip("keras")
    if module.backend.backend() != "torch":
        pytest.skip(f"real Keras runs with backend {module.backend.backend()!r}, not torch")
    return module


def _fake_model(lib, learning_rate=0.1):
    model = types.SimpleNamespace(stop_training=False, saved=[], metrics=[])
    model.optimizer = lib.optimizers.SGD(learning_rate=learning_rate)
    model.save = lambda path, overwrite=True: model.saved.append(path)
    model.save_weights = model.save
    return model


def _drive(lib, make, sequence, monitor="val_loss"):
    """Feeds `{monitor: value, "loss": 1.0}` per epoch; records everything observable."""
    callback, model = make(lib), _fake_model(lib)
    callback.set_model(model)
    callback.set_params({"epochs": len(sequence), "steps": 1, "verbose": 0})
    trace, out = [], io.StringIO()
    with warnings.catch_warnings(record=True) as caught, redirect_stdout(out):
        warnings.simplefilter("always")
        callback.on_train_begin()
        for epoch, value in enumerate(sequence):
            callback.on_epoch_begin(epoch)
            logs = {"loss": 1.0} if value is None else {"loss": 1.0, monitor: value}
            callback.on_epoch_end(epoch, logs)
            rate = float(np.array(model.optimizer.learning_rate))
            trace.append((epoch, model.stop_training, rate, logs))
            if model.stop_training:
                break
        callback.on_train_end()
    messages = [str(w.message) for w in caught if "is not available" in str(w.message)]
    return trace, model.saved, messages, out.getvalue()


def _same(keras, make, sequence, monitor="val_loss"):
    theirs = _drive(keras, make, sequence, monitor)
    mine = _drive(torchkeras, make, sequence, monitor)
    assert mine == theirs
    return mine


@pytest.mark.parametrize("name", sorted(SEQUENCES))
@pytest.mark.parametrize(
    "kwargs",
    [
        {"patience": 0},
        {"patience": 2, "verbose": 1},
        {"patience": 3, "min_delta": 0.05},
        {"patience": 2, "baseline": 0.85},
        {"patience": 1, "start_from_epoch": 3},
        {"patience": 2, "mode": "max", "verbose": 1},
        {"patience": 2, "mode": "max", "baseline": 0.3, "min_delta": 0.01},
    ],
)
def test_early_stopping(keras, name, kwargs):
    def make(lib):
        return lib.callbacks.EarlyStopping(**kwargs)

    callbacks = {}

    def keep(lib):
        callbacks[lib.__name__] = make(lib)
        return callbacks[lib.__name__]

    _same(keras, keep, SEQUENCES[name])
    theirs, mine = callbacks["keras"], callbacks["torchkeras"]
    for attribute in ("stopped_epoch", "best", "best_epoch", "wait"):
        assert getattr(mine, attribute) == getattr(theirs, attribute), attribute


@pytest.mark.parametrize("name", sorted(SEQUENCES))
@pytest.mark.parametrize(
    "kwargs",
    [
        {"patience": 1, "verbose": 1},
        {"patience": 2, "factor": 0.5, "cooldown": 1},
        {"patience": 1, "factor": 0.2, "min_lr": 1e-3, "verbose": 1},
        {"patience": 2, "mode": "max", "min_delta": 0.01, "cooldown": 2},
        {"patience": 0, "factor": 0.5},
    ],
)
def test_reduce_lr_on_plateau(keras, name, kwargs):
    trace = _same(keras, lambda lib: lib.callbacks.ReduceLROnPlateau(**kwargs), SEQUENCES[name])[0]
    assert all("learning_rate" in logs for *_, logs in trace)


@pytest.mark.parametrize("verbose", [0, 1])
def test_learning_rate_scheduler(keras, verbose):
    def two_args(lib):
        return lib.callbacks.LearningRateScheduler(lambda e, lr: lr * 0.7, verbose=verbose)

    def one_arg(lib):
        return lib.callbacks.LearningRateScheduler(lambda e: 0.5 / (e + 1), verbose=verbose)

    _same(keras, two_args, SEQUENCES["noisy"])
    _same(keras, one_arg, SEQUENCES["noisy"])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"filepath": "m-{epoch:02d}.keras"},
        {"filepath": "m-{epoch}-{val_loss:.3f}.keras", "save_best_only": True, "verbose": 1},
        {"filepath": "m.keras", "save_best_only": True, "mode": "max", "verbose": 1},
        {"filepath": "w{epoch}.weights.h5", "save_weights_only": True, "save_best_only": True,
             "initial_value_threshold": 0.86},
    ],
)
def test_model_checkpoint_epochs(keras, kwargs):
    for sequence in SEQUENCES.values():
        if "{val_loss" in kwargs["filepath"] and None in sequence:
            continue  # a missing key fails to format (checked in the error-message test)
        _same(keras, lambda lib: lib.callbacks.ModelCheckpoint(**kwargs), sequence)


@pytest.mark.parametrize("save_freq", [1, 3, 5])
@pytest.mark.parametrize("batches", [[0, 1, 2, 3], [1, 3], [0, 2, 4, 5]])
def test_model_checkpoint_batches(keras, save_freq, batches):
    def saved(lib):
        model = _fake_model(lib)
        checkpoint = lib.callbacks.ModelCheckpoint("b{epoch}-{batch}.keras", save_freq=save_freq)
        checkpoint.set_model(model)
        checkpoint.on_train_begin()
        for epoch in range(3):
            checkpoint.on_epoch_begin(epoch)
            for batch in batches:
                checkpoint.on_train_batch_end(batch, {"loss": 1.0})
            checkpoint.on_epoch_end(epoch, {"loss": 1.0})
        return model.saved

    assert saved(torchkeras) == saved(keras)


def _csv(lib, path, epochs_logs, **kwargs):
    logger = lib.callbacks.CSVLogger(path, **kwargs)
    logger.set_model(_fake_model(lib))
    logger.on_train_begin()
    for epoch, logs in enumerate(epochs_logs):
        logger.on_epoch_end(epoch, dict(logs))
    logger.on_train_end()
    with open(path, "rb") as file:
        return file.read()


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_csv_logger(keras, tmp_path, separator):
    runs = [
        [{"loss": 0.5, "acc": 0.25}, {"loss": 1 / 3, "acc": np.array([1.0, 2.0]), "new": 1}],
        [{"loss": 0.125, "val_loss": 0.2, "note": "x"}],
        [{}],
    ]
    for run in runs:
        for append in (False, True, True):
            theirs = _csv(keras, tmp_path / "k.csv", run, separator=separator, append=append)
            mine = _csv(torchkeras, tmp_path / "t.csv", run, separator=separator, append=append)
            assert mine == theirs


def _errors(lib, builders):
    found = []
    for build in builders:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                build(lib)
                found.append(("ok", [str(w.message) for w in caught]))
            except (ValueError, KeyError, TypeError) as error:
                found.append((type(error).__name__, str(error)))
    return found


def test_messages_of_errors_and_warnings(keras):
    def bad_template(lib):
        _drive(lib, lambda lib: lib.callbacks.ModelCheckpoint("{val_acc}.keras"), [1.0])

    def unknown_monitor(lib):
        _drive(lib, lambda lib: lib.callbacks.EarlyStopping(monitor="val_foo"), [1.0], "val_foo")

    def int_rate(lib):
        _drive(lib, lambda lib: lib.callbacks.LearningRateScheduler(lambda e: 1), [1.0])

    builders = [
        lambda lib: lib.callbacks.ModelCheckpoint("model.pt"),
        lambda lib: lib.callbacks.ModelCheckpoint("w.keras", save_weights_only=True),
        lambda lib: lib.callbacks.ModelCheckpoint("m.keras", save_freq="batch"),
        lambda lib: lib.callbacks.ModelCheckpoint("m.keras", mode="best"),
        lambda lib: lib.callbacks.EarlyStopping(mode="up"),
        lambda lib: lib.callbacks.ReduceLROnPlateau(factor=1.0),
        lambda lib: lib.callbacks.ReduceLROnPlateau(mode="x"),
        bad_template, unknown_monitor, int_rate,
    ]
    assert _errors(torchkeras, builders) == _errors(keras, builders)


def _trained(lib, metrics):
    lib.utils.set_random_seed(0)
    model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy", metrics=metrics(lib))
    x = np.random.default_rng(0).random((8, 3)).astype("float32")
    y = np.eye(2, dtype="float32")[np.arange(8) % 2]
    model.fit(x, y, verbose=0)
    return model


def _directions(lib, monitors, metrics):
    model, found = _trained(lib, metrics), {}
    for monitor in monitors:
        stopper = lib.callbacks.EarlyStopping(monitor=monitor)
        stopper.set_model(model)
        stopper.on_train_begin()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                stopper.on_epoch_end(0, {})
            found[monitor] = "min" if bool(stopper.monitor_op(1.0, 2.0)) else "max"
        except ValueError:
            found[monitor] = "error"
    return found


def test_auto_mode_directions(keras):
    def metrics(lib):
        return [
            "accuracy", "mae", "mse", "categorical_crossentropy", lib.metrics.AUC(),
            lib.metrics.Precision(), lib.metrics.Recall(name="rec"), lib.metrics.R2Score(),
            lib.metrics.KLDivergence(), lib.metrics.CosineSimilarity(), lib.metrics.F1Score(),
            lib.metrics.MeanIoU(num_classes=2),
            lib.metrics.MeanMetricWrapper(lambda a, b: (a - b) ** 2, name="custom"),
            lib.metrics.PrecisionAtRecall(0.5), lib.metrics.RootMeanSquaredError(),
        ]

    monitors = [
        "loss", "val_loss", "accuracy", "val_accuracy", "acc", "val_mae", "mse", "auc",
        "val_precision", "rec", "r2_score", "kl_divergence", "cosine_similarity", "f1_score",
        "mean_io_u", "custom", "precision_at_recall", "root_mean_squared_error",
        "val_categorical_crossentropy", "dense_loss", "unknown",
    ]
    mine = _directions(torchkeras, monitors, metrics)
    assert mine == _directions(keras, monitors, metrics)
    assert mine["val_accuracy"] == "max" and mine["val_loss"] == "min"
