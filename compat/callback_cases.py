"""Callback cases run the same way by Keras and torchkeras; each returns a JSON-able record.

Every case trains `api_custom_cases.small_model` (a softmax Dense layer with seeded Keras-layout
weights, so both libraries start from the same numbers) on 12 seeded samples, `batch_size=4`,
`shuffle=False`, validating on 6 others, and records what the callback produced: History values
and epochs, `stopped_epoch` and friends, learning-rate trajectories, CSV rows, checkpoint file
names and the weights they hold, the hooks a recording callback sees, printed progress lines.
Cases that write files take a scratch folder; records never hold its path.
`compat/callback_files_cases.py` holds the cases that write and read files.
"""

import io
import re
from contextlib import redirect_stdout

import numpy as np
import torch

from compat.api_custom_cases import data, history, numpy, small_model


def compiled(lib, learning_rate=0.5, optimizer=None):
    model = small_model(lib)
    model.compile(optimizer=optimizer or lib.optimizers.SGD(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def fit(model, callbacks, epochs=6, x=None, verbose=0, **kwargs):
    """`model.fit` on the seeded data with validation; `x` replaces the training inputs."""
    x_train, y_train = data()
    x_val, y_val = data(seed=9, n=6)
    return model.fit(
        x_train if x is None else x, y_train, batch_size=4, epochs=epochs, shuffle=False,
        validation_data=(x_val, y_val), callbacks=callbacks, verbose=verbose, **kwargs)


def weights(model):
    return [w.tolist() for w in model.get_weights()]


def learning_rate(model):
    return float(numpy(model.optimizer.learning_rate))


def history_record(lib):
    model = compiled(lib)
    fitted = fit(model, [], epochs=3)
    return {
        "type": type(fitted).__name__,
        "history": history(fitted),
        "epoch": list(fitted.epoch),
        "params": dict(fitted.params),
        "is_model_history": model.history is fitted,
    }


EARLY_STOPPING = {
    "val_loss_patience1": {"monitor": "val_loss", "patience": 1},
    "restore_best": {"monitor": "val_loss", "patience": 2, "restore_best_weights": True},
    "min_delta": {"monitor": "loss", "min_delta": 0.08, "patience": 0},
    "baseline": {"monitor": "val_accuracy", "baseline": 0.8, "patience": 2},
    "start_from_epoch": {"monitor": "loss", "min_delta": 0.08, "patience": 0,
                         "start_from_epoch": 4},
    "mode_max": {"monitor": "accuracy", "mode": "max", "patience": 1, "min_delta": 0.1},
}


def early_stopping_record(lib):
    record = {}
    for key, kwargs in EARLY_STOPPING.items():
        model, stopper = compiled(lib), lib.callbacks.EarlyStopping(**kwargs)
        fitted = fit(model, [stopper], epochs=10)
        record[key] = {
            "epoch": list(fitted.epoch),
            "history": history(fitted),
            "stopped_epoch": stopper.stopped_epoch,
            "best": float(stopper.best),
            "best_epoch": stopper.best_epoch,
            "wait": stopper.wait,
            "weights": weights(model),
        }
    return record


REDUCE_LR = {
    "loss": {"monitor": "loss", "patience": 1, "factor": 0.5, "min_delta": 0.08},
    "cooldown_min_lr": {"monitor": "val_loss", "patience": 0, "factor": 0.2, "min_lr": 0.05,
                        "cooldown": 1},
    "max": {"monitor": "val_accuracy", "mode": "max", "patience": 1, "factor": 0.3},
}


def reduce_lr_record(lib):
    record = {}
    for key, kwargs in REDUCE_LR.items():
        model = compiled(lib)
        fitted = fit(model, [lib.callbacks.ReduceLROnPlateau(**kwargs)], epochs=7)
        record[key] = {"history": history(fitted), "final_lr": learning_rate(model),
                       "weights": weights(model)}
    return record


def lr_scheduler_record(lib):
    schedules = {
        "two_args": lambda epoch, lr: lr if epoch == 0 else lr * 0.5,
        "one_arg": lambda epoch: 0.3 / (epoch + 1),
    }
    record = {}
    for key, schedule in schedules.items():
        model = compiled(lib)
        fitted = fit(model, [lib.callbacks.LearningRateScheduler(schedule)], epochs=4)
        record[key] = {"history": history(fitted), "final_lr": learning_rate(model),
                       "weights": weights(model)}
    return record


def recorder(lib):
    """A Callback subclass that logs every hook with its index and the keys of its logs."""
    class Recorder(lib.callbacks.Callback):
        def __init__(self, tag="r"):
            super().__init__()
            self.tag, self.events = tag, []

        def _log(self, hook, index=None, logs=None):
            self.events.append([hook, index, sorted(logs or {})])

    hooks = {
        "on_train_begin": False, "on_train_end": False, "on_epoch_begin": True,
        "on_epoch_end": True, "on_test_begin": False, "on_test_end": False,
        "on_predict_begin": False, "on_predict_end": False, "on_train_batch_begin": True,
        "on_train_batch_end": True, "on_test_batch_begin": True, "on_test_batch_end": True,
        "on_predict_batch_begin": True, "on_predict_batch_end": True,
    }
    for hook, indexed in hooks.items():
        if indexed:
            def method(self, index, logs=None, hook=hook):
                self._log(hook, index, logs)
        else:
            def method(self, logs=None, hook=hook):
                self._log(hook, None, logs)
        setattr(Recorder, hook, method)
    return Recorder


def hooks_record(lib):
    model, spy = compiled(lib), recorder(lib)()
    fit(model, [spy], epochs=2)
    x, y = data()
    model.evaluate(x, y, batch_size=5, callbacks=[spy], verbose=0)
    model.predict(x, batch_size=5, callbacks=[spy], verbose=0)
    return {"events": spy.events, "params": dict(spy.params), "model": spy.model is model}


def callback_list_record(lib):
    model, cls = compiled(lib), recorder(lib)
    first, second = cls("a"), cls("b")
    callbacks = lib.callbacks.CallbackList([first, second], add_history=True, model=model,
                                           epochs=2, steps=3, verbose=0)
    callbacks.on_train_begin()
    callbacks.on_epoch_begin(0)
    callbacks.on_train_batch_begin(0)
    callbacks.on_train_batch_end(0, {"loss": 1.5})
    callbacks.on_epoch_end(0, {"loss": 0.5, "val_loss": 0.75})
    callbacks.on_train_end({"loss": 0.5})
    record = {"manual": [first.events, second.events], "params": dict(first.params),
              "history": model.history.history, "same_model": second.model is model}
    return record


def lambda_record(lib):
    events = []
    callback = lib.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: events.append(["epoch_begin", epoch]),
        on_epoch_end=lambda epoch, logs: events.append(["epoch_end", epoch, logs["val_loss"]]),
        on_train_batch_end=lambda batch, logs: events.append(["batch_end", batch, logs["loss"]]),
        on_train_begin=lambda logs: events.append(["train_begin"]),
        on_train_end=lambda logs: events.append(["train_end", sorted(logs or {})]),
    )
    fit(compiled(lib), [callback], epochs=2)
    return {"events": [[float(v) if isinstance(v, float) else v for v in e] for e in events]}


def terminate_on_nan_record(lib):
    """A loss that is NaN exactly on the batch holding sample 9 (torchkeras refuses NaN data)."""
    def rooted_squares(y_true, y_pred):
        return torch.mean(torch.sqrt(y_true + 0.5) * torch.square(y_true - y_pred), dim=-1)

    x, _ = data()
    y = np.random.default_rng(6).uniform(size=(12, 3)).astype("float32")
    y[9, 0] = -1.0  # third batch of the first epoch
    model, spy = small_model(lib), recorder(lib)()
    model.compile(optimizer=lib.optimizers.SGD(0.1), loss=rooted_squares)
    fitted = model.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0,
                       callbacks=[lib.callbacks.TerminateOnNaN(), spy])
    batches = [event[:2] for event in spy.events if event[0] == "on_train_batch_end"]
    return {"epoch": list(fitted.epoch), "history": history(fitted), "batches": batches,
            "stop_training": bool(model.stop_training)}


def swap_ema_record(lib):
    optimizer = lib.optimizers.Adam(0.05, use_ema=True, ema_momentum=0.8)
    model = compiled(lib, optimizer=optimizer)
    fitted = fit(model, [lib.callbacks.SwapEMAWeights(swap_on_epoch=True)], epochs=3)
    x, y = data()
    return {"history": history(fitted), "weights": weights(model),
            "evaluate": [float(v) for v in model.evaluate(x, y, verbose=0)]}


_TIMING = re.compile(r"\d+(\.\d+)?(us|ms|s)(/step)?")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_METRICS = re.compile(r"(\w+): ([-+0-9.e]+)")


def _final_frames(text):
    """What a terminal shows at the end: each line's text after its last carriage return."""
    lines = [_ANSI.sub("", line.split("\r")[-1]).replace("\b", "") for line in text.split("\n")]
    return [line.strip() for line in lines if line.strip()]


def progbar_record(lib):
    """verbose=2 lines equal once timings are masked; verbose=1 (Keras draws bars even off a
    terminal) compared by each final line's step counter and printed metric values."""
    record = {}
    for verbose in (2, 1):
        model, out = compiled(lib), io.StringIO()
        with redirect_stdout(out):
            fit(model, [], epochs=2, verbose=verbose)
            x, y = data()
            model.evaluate(x, y, batch_size=5, verbose=verbose)
            model.predict(x, batch_size=5, verbose=verbose)
        frames = _final_frames(out.getvalue())
        if verbose == 2:
            record["verbose2"] = [_TIMING.sub("T", line) for line in frames]
        else:
            record["verbose1"] = [
                [line.split()[0], _METRICS.findall(line)] for line in frames
            ]
    for verbose in (0, 2):  # a ProgbarLogger passed explicitly takes fit's verbose
        out = io.StringIO()
        with redirect_stdout(out):
            fit(compiled(lib), [lib.callbacks.ProgbarLogger()], epochs=2, verbose=verbose)
        frames = _final_frames(out.getvalue())
        record[f"explicit_verbose{verbose}"] = [_TIMING.sub("T", line) for line in frames]
    return record
