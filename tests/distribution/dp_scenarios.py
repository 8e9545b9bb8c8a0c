"""What each rank runs in the data-parallel tests; results go to files in `folder`."""

import json
import os

import numpy as np
import torch

import torchkeras as keras
from torchkeras import distribution
from torchkeras.callbacks import BackupAndRestore, CSVLogger, EarlyStopping, ModelCheckpoint
from torchkeras.trainer import data as data_utils


def mnist_like(samples=46, seed=0):
    """Small synthetic 8x8 'images' with 10 classes."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(samples, 8, 8)).astype("float32")
    y = rng.integers(0, 10, size=(samples,)).astype("int64")
    return x, y


def mnist_mlp():
    """The seeds' MNIST MLP (Flatten, Dense relu, Dense softmax), small."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((8, 8)),
        keras.layers.Flatten(),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.01),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        weighted_metrics=["sparse_categorical_accuracy"],
    )
    return model


def batch_norm_model():
    """Dense, synchronized BatchNormalization, Dense: a regression."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(6),
        keras.layers.BatchNormalization(synchronized=True, momentum=0.5),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    return model


def regression(samples=32, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(samples, 4)).astype("float32")
    return x, x @ rng.normal(size=(4, 1)).astype("float32")


def train(model, x, y, **fit_kwargs):
    """The run compared between 1 and 2 processes: fit with validation, evaluate, predict."""
    weights = np.linspace(0.5, 1.5, len(x)).astype("float32")
    history = model.fit(
        x, y, batch_size=15, epochs=3, shuffle=False, validation_data=(x[:21], y[:21]),
        sample_weight=weights, **fit_kwargs,
    )
    evaluation = model.evaluate(
        x, y, batch_size=10, verbose=0, return_dict=True, sample_weight=weights
    )
    predictions = model.predict(x, batch_size=10, verbose=0)
    return history.history, evaluation, predictions


def save(folder, name, weights, history, evaluation, predictions):
    np.savez(os.path.join(folder, f"{name}.npz"), *weights, predictions=predictions)
    with open(os.path.join(folder, f"{name}.json"), "w") as file:
        json.dump({"history": history, "evaluation": evaluation}, file)


def equivalence(rank, folder):
    """Arrays and a DataLoader, shuffle=False; rank 0 logs a CSV and prints a progress bar."""
    x, y = mnist_like()
    model = mnist_mlp()
    callbacks = [
        CSVLogger(os.path.join(folder, f"log{rank}.csv")),
        EarlyStopping("loss", 0, 1),
        ModelCheckpoint(os.path.join(folder, f"best{rank}.weights.h5"), save_weights_only=True),
        BackupAndRestore(os.path.join(folder, f"backup{rank}"), delete_checkpoint=False),
    ]
    results = train(model, x, y, callbacks=callbacks, verbose=1)
    save(folder, f"arrays{rank}", model.get_weights(), *results)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=16
    )
    model = mnist_mlp()
    history = model.fit(loader, epochs=2, verbose=0)
    with open(os.path.join(folder, f"loader{rank}.json"), "w") as file:
        json.dump(history.history, file)
    np.savez(os.path.join(folder, f"loader{rank}.npz"), *model.get_weights())
    model = batch_norm_model()
    model.fit(*regression(), batch_size=16, epochs=2, shuffle=False, verbose=0)
    np.savez(os.path.join(folder, f"batch_norm{rank}.npz"), *model.get_weights())
    with open(os.path.join(folder, f"distribution{rank}.txt"), "w") as file:
        file.write(repr(distribution.distribution()))


def shards(rank, folder):
    """The rows each rank trains on, per epoch, for shuffled arrays and a shuffled Dataset."""
    ids = torch.arange(45, dtype=torch.float32)[:, None]
    arrays = data_utils.ArrayBatches((ids, ids, None), 8, shuffle=True)
    dataset = data_utils.IterableBatches(
        torch.utils.data.TensorDataset(ids, ids), "cpu", batch_size=8, shuffle=True
    )
    seen = {}
    for name, batches in (("arrays", arrays), ("dataset", dataset)):
        seen[name] = [
            [(batch[0][:real, 0].long().tolist()) for batch, real in _with_sizes(batches)]
            for _ in range(2)
        ]
    model = mnist_mlp()
    x, y = mnist_like(45)
    model.fit(x, y, batch_size=8, epochs=2, shuffle=True, verbose=0)
    seen["weights"] = [w.tolist() for w in model.get_weights()]
    with open(os.path.join(folder, f"shards{rank}.json"), "w") as file:
        json.dump(seen, file)


def _with_sizes(batches):
    found = list(batches)
    return zip(found, batches.real_sizes)


def uneven(rank, folder):
    """Data of different sizes per rank: what finishes, what fails the same way everywhere."""
    outcome = {}
    x, y = mnist_like(30 + 17 * rank)
    model = mnist_mlp()
    try:
        model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    except ValueError as error:
        outcome["sharded_arrays"] = str(error)
    distribution.set_distribution(distribution.DataParallel(auto_shard_dataset=False))
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    outcome["local_arrays"] = history.history["loss"]

    def stream():
        for start in range(0, len(x), 8):
            yield x[start:start + 8], y[start:start + 8]

    history = model.fit(stream(), steps_per_epoch=None, epochs=1, verbose=0)
    outcome["generator"] = history.history["loss"]
    stopper = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: setattr(
        model, "stop_training", model.stop_training or (rank == 1 and batch == 1)
    ))
    counter = keras.callbacks.LambdaCallback(
        on_train_batch_begin=lambda batch, logs: outcome.setdefault("batches", []).append(batch)
    )
    model.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[stopper, counter])
    outcome["weights"] = [w.tolist() for w in model.get_weights()]
    with open(os.path.join(folder, f"uneven{rank}.json"), "w") as file:
        json.dump(outcome, file)


class _Crash(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            raise RuntimeError("simulated crash")


def resume(rank, folder):
    """A run killed after epoch 2 and rerun with BackupAndRestore ends like one never killed."""
    x, y = mnist_like()
    backup = os.path.join(folder, "backup")  # shared by the ranks; only rank 0 writes
    model = mnist_mlp()
    try:
        model.fit(x, y, batch_size=15, epochs=3, verbose=0, callbacks=[
            BackupAndRestore(backup), _Crash()
        ])
    except RuntimeError:
        torch.distributed.barrier()  # a real restart begins after every rank has stopped
    model = mnist_mlp()
    resumed = model.fit(x, y, batch_size=15, epochs=3, verbose=0, callbacks=[
        BackupAndRestore(backup)
    ])
    resumed_weights = model.get_weights()
    model = mnist_mlp()
    straight = model.fit(x, y, batch_size=15, epochs=3, verbose=0)
    outcome = {
        "resumed": resumed.history, "straight": straight.history,
        "same_weights": all(
            np.allclose(a, b, rtol=1e-6, atol=1e-7)
            for a, b in zip(resumed_weights, model.get_weights())
        ),
    }
    with open(os.path.join(folder, f"resume{rank}.json"), "w") as file:
        json.dump(outcome, file)
