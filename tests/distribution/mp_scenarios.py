"""What each rank runs in the ModelParallel (FSDP) tests; results go to files in `folder`."""

import gc
import json
import os

import numpy as np
import torch

import torchkeras as keras
from torchkeras import distribution


def data(shape, samples=46, seed=0):
    """Random inputs of `shape` per sample and 10 integer classes; 46 rows cut in global
    batches of 15 leave a last batch of 1 row (rank 1 then runs a padding row)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(samples, *shape)).astype("float32")
    return x, rng.integers(0, 10, size=(samples,)).astype("int64")


def mlp():
    keras.utils.set_random_seed(0)
    return keras.Sequential([
        keras.Input((8, 8)),
        keras.layers.Flatten(),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])


def convnet():
    keras.utils.set_random_seed(0)
    return keras.Sequential([
        keras.Input((6, 6, 1)),
        keras.layers.Conv2D(4, 3, activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax"),
    ])


def batch_norm():
    """Dense, synchronized BatchNormalization (its moving statistics are buffers, never cut),
    Dense."""
    keras.utils.set_random_seed(0)
    return keras.Sequential([
        keras.Input((8,)),
        keras.layers.Dense(6, use_bias=False),  # a bias before BN learns rounding noise
        keras.layers.BatchNormalization(synchronized=True, momentum=0.5),
        keras.layers.Dense(10, activation="softmax"),
    ])


def regularized():
    """An MLP with L2 kernel penalties (a sharded weight's penalty sums over its shards)."""
    keras.utils.set_random_seed(0)
    return keras.Sequential([
        keras.Input((8,)),
        keras.layers.Dense(16, activation="relu", kernel_regularizer=keras.regularizers.L2(0.1)),
        keras.layers.Dense(10, activation="softmax", kernel_regularizer="l1"),
    ])


def checkpointed_fit(model, x, y, folder):
    """`train` with ModelCheckpoint and BackupAndRestore (every 2 batches): under
    ModelParallel every rank takes part in their saves and rank 0 writes the files."""
    callbacks = [
        keras.callbacks.ModelCheckpoint(os.path.join(folder, "ckpt-{epoch}.keras")),
        keras.callbacks.BackupAndRestore(os.path.join(folder, "backup"), save_freq=2,
                                         delete_checkpoint=False),
    ]
    history = model.fit(x, y, batch_size=15, epochs=2, shuffle=False, verbose=0,
                        callbacks=callbacks)
    return history.history


MODELS = {"mlp": (mlp, (8, 8)), "conv": (convnet, (6, 6, 1)), "batch_norm": (batch_norm, (8,)),
          "regularized": (regularized, (8,))}
MESHES = {"hybrid_1x2": (1, 2), "hybrid_2x1": (2, 1)}  # (batch, model) meshes


def compiled(name):
    model = MODELS[name][0]()
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.01),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def train(model, x, y, batch_size=15):
    """The run compared between 1 and 2 processes: batches of 15 split 8 + 7 (the gradient
    scaling matters), of 16 split evenly (it scales by 1)."""
    history = model.fit(x, y, batch_size=batch_size, epochs=2, shuffle=False, verbose=0)
    return history.history


def layout_map(mesh):
    layouts = distribution.LayoutMap(mesh)
    layouts[".*dense.*kernel"] = (None, "model")  # Dense kernels: columns cut
    layouts[".*dense.*bias"] = ("model",)
    layouts[".*conv2d.*kernel"] = (None, None, None, "model")  # Conv2D: filters cut
    return layouts


def model_parallel():
    mesh = distribution.DeviceMesh((2,), ("model",))
    return distribution.ModelParallel(layout_map=layout_map(mesh))


def _local_shapes(tensors):
    return [list(t.to_local().shape) if distribution.is_sharded(t) else None for t in tensors]


def sharded(rank, folder):
    """`_sharded`, then every sharded model freed before the process group goes: an FSDP
    model still alive when the interpreter exits sometimes aborts the process on CPU/gloo
    (plain torch does it too, about 1 exit in 5)."""
    _sharded(rank, folder)
    distribution.set_distribution(None)
    gc.collect()


def _sharded(rank, folder):
    """Every model of MODELS trained sharded, saved, and loaded back into a sharded model;
    then an even split and the two-axis meshes, and the errors."""
    distribution.set_distribution(model_parallel())
    outcome = {"errors": errors()}
    for name, (_, shape) in MODELS.items():
        x, y = data(shape)
        model = compiled(name)
        history = train(model, x, y)
        optimizer = model.optimizer
        outcome[name] = {
            "history": history,
            "weights": _local_shapes(model.trainable_weights),
            "momentums": _local_shapes(optimizer._momentums),
            "velocities": _local_shapes(optimizer._velocities),
            "classes": [type(layer).__name__ for layer in model.layers],
        }
        np.savez(os.path.join(folder, f"{name}{rank}.npz"), *model.get_weights(),
                 predictions=model.predict(x, batch_size=10, verbose=0))
        model.save(os.path.join(folder, f"{name}{rank}.keras"))  # every rank calls, rank 0
        model.save_weights(os.path.join(folder, f"{name}{rank}.weights.h5"))  # writes
        outcome[name]["loaded"] = loaded_into_sharded(name, folder, model, x, y)
    try:  # a sharded model cannot be replicated afterwards
        with distribution.DataParallel().scope():
            model.fit(x, y, epochs=1, verbose=0)
    except ValueError as error:
        outcome["errors"]["replicate"] = str(error)
    model = compiled("regularized")
    outcome["checkpointed"] = {"history": checkpointed_fit(model, *data((8,)), folder)}
    np.savez(os.path.join(folder, f"checkpointed{rank}.npz"), *model.get_weights())
    model = compiled("mlp")  # an even split (scale 1): the loss still reads softmax's logits
    outcome["even"] = {"history": train(model, *data((8, 8), samples=32), batch_size=16)}
    np.savez(os.path.join(folder, f"even{rank}.npz"), *model.get_weights())
    for key, shape in MESHES.items():
        layouts = layout_map(distribution.DeviceMesh(shape, ("batch", "model")))
        with distribution.ModelParallel(layout_map=layouts).scope():
            model = compiled("mlp")
            outcome[key] = {"history": train(model, *data((8, 8))),
                            "weights": _local_shapes(model.trainable_weights)}
            np.savez(os.path.join(folder, f"{key}{rank}.npz"), *model.get_weights())
    with open(os.path.join(folder, f"sharded{rank}.json"), "w") as file:
        json.dump(outcome, file)
    torch.distributed.barrier()  # both results are written before either process exits


def loaded_into_sharded(name, folder, trained, x, y):
    """A fresh sharded model gets the trained weights (and Adam's state) from the file, and
    the weights from set_weights."""
    expected = trained.predict(x, verbose=0)
    fresh = compiled(name)
    fresh.fit(x[:2], y[:2], epochs=1, verbose=0)  # shards it and builds its optimizer
    torch.distributed.barrier()  # rank 0 may still be writing the file
    fresh.load_weights(os.path.join(folder, f"{name}0.weights.h5"))
    from_file = float(np.abs(fresh.predict(x, verbose=0) - expected).max())
    optimizer = max(
        float((distribution.full_value(a) - distribution.full_value(b)).abs().max())
        for a, b in zip(fresh.optimizer.variables, trained.optimizer.variables)
    )
    other = compiled(name)
    other.predict(x[:2], verbose=0)
    other.set_weights(trained.get_weights())
    from_arrays = float(np.abs(other.predict(x, verbose=0) - expected).max())
    return {"from_file": from_file, "from_arrays": from_arrays, "optimizer": optimizer}


def errors():
    """The messages of the ValueErrors for a mesh of the wrong size and a layout map that
    matches no weight (each rank raises the same one, before any collective)."""
    found = {}
    try:
        distribution.ModelParallel(layout_map=distribution.LayoutMap(
            distribution.DeviceMesh((4,), ("model",), devices=[f"cpu:{i}" for i in range(4)])
        ))
    except ValueError as error:
        found["mesh"] = str(error)
    layouts = distribution.LayoutMap(distribution.DeviceMesh((2,), ("model",)))
    layouts[".*lstm.*kernel"] = (None, "model")
    model = compiled("mlp")
    with distribution.ModelParallel(layout_map=layouts).scope():
        try:
            model.fit(*data((8, 8)), epochs=1, verbose=0)
        except ValueError as error:
            found["layout_map"] = str(error)
    return found
