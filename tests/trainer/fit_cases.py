"""fit / evaluate / predict cases shared by `compat/make_fit_references.py` and the tests.

Each case has a `build(keras)` that builds and compiles a model with only the public API of the
module it gets, so the same code runs with real `keras` and with `torchkeras`, and a `data()`
that returns seeded float32 numpy arrays and the keyword arguments of `fit`, `evaluate` and
`predict` (always `epochs=3, shuffle=False`). From the initial weights Keras recorded, every
number is determined. No Dropout: random draws differ between the libraries. `run_case` runs a
case with either library; `flat` turns its record into `.npz` members.
"""

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

EPOCHS = 3
NEWS_DEPARTMENTS = 4


@dataclass(frozen=True)
class FitCase:
    """One model, its data and the arguments of `fit` / `evaluate` / `predict`.

    Args:
        build: `build(keras) -> compiled model`, using only the module's public API.
        data: `data() -> dict` with keys `fit` (kwargs, including x and y), `evaluate` (kwargs)
            and `predict` (the inputs of the fixed prediction batch).
        input_shape: For a Sequential model without `Input`, the shape for `model.build`.
        predict_batch_size: The `batch_size` of `predict`.
    """

    build: Callable
    data: Callable
    input_shape: Optional[tuple] = None
    predict_batch_size: int = 32


# ---- data ----------------------------------------------------------------------------------
def point_clouds(samples_per_class, seed, flip=0.15):
    """Two Gaussian point clouds in 2-D, labelled 0 and 1 (float32 `(n, 1)` targets).

    A fraction `flip` of the labels is inverted, so that accuracies stay below 1.
    """
    rng = np.random.default_rng(seed)
    cov = [[1.0, 0.5], [0.5, 1.0]]
    negative = rng.multivariate_normal([0.0, 3.0], cov, size=samples_per_class)
    positive = rng.multivariate_normal([3.0, 0.0], cov, size=samples_per_class)
    x = np.vstack((negative, positive)).astype(np.float32)
    y = np.repeat(np.array([0.0, 1.0], np.float32), samples_per_class)[:, None]
    y = np.where(rng.uniform(size=y.shape) < flip, 1.0 - y, y).astype(np.float32)
    order = rng.permutation(len(x))
    return x[order], y[order]


def blobs(samples, features, classes, seed):
    """`classes` Gaussian blobs in `features` dimensions; int32 labels of shape `(n,)`."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(0.0, 2.0, size=(classes, features))
    labels = rng.integers(0, classes, size=samples)
    x = centers[labels] + rng.normal(0.0, 1.0, size=(samples, features))
    return x.astype(np.float32), labels.astype(np.int32)


def one_hot(labels, classes):
    return np.eye(classes, dtype=np.float32)[labels]


def news_data(samples, seed):
    """Inputs and targets of the news-ticket model, as dicts keyed by input/output name."""
    rng = np.random.default_rng(seed)
    inputs = {
        "title": rng.normal(size=(samples, 50)).astype(np.float32),
        "body": rng.normal(size=(samples, 50)).astype(np.float32),
        "tags": rng.integers(0, 2, size=(samples, 8)).astype(np.float32),
    }
    targets = {
        "priority": rng.uniform(size=(samples, 1)).astype(np.float32),
        "department": one_hot(rng.integers(0, NEWS_DEPARTMENTS, size=samples), NEWS_DEPARTMENTS),
    }
    return inputs, targets


# ---- (a) Sequential Dense(1), RMSprop, MSE, BinaryAccuracy, validation_data ------------------
def build_dense_rmsprop(keras):
    model = keras.Sequential([keras.layers.Dense(1)])
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.1),
        loss=keras.losses.MeanSquaredError(),
        metrics=[keras.metrics.BinaryAccuracy()],
    )
    return model


def data_dense_rmsprop():
    x, y = point_clouds(40, seed=1)
    val_x, val_y = point_clouds(12, seed=2)
    return {
        "fit": dict(x=x, y=y, batch_size=16, validation_data=(val_x, val_y)),
        "evaluate": dict(x=val_x, y=val_y, batch_size=10),
        "predict": val_x[:10],
    }


# ---- (b) softmax MLP, Adam, sparse CE, "accuracy", validation_split, class_weight ------------
def build_mlp_class_weight(keras):
    model = keras.Sequential(
        [
            keras.Input(shape=(4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.05),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def data_mlp_class_weight():
    x, y = blobs(60, 4, 3, seed=3)
    return {
        "fit": dict(
            x=x, y=y, batch_size=12, validation_split=0.2, class_weight={0: 1.0, 1: 2.5, 2: 0.5}
        ),
        "evaluate": dict(x=x, y=y, batch_size=16),
        "predict": x[:7],
    }


# ---- (c) binary classifier, sample_weight, weighted_metrics, SGD nesterov ------------------
def build_binary_sample_weight(keras):
    inputs = keras.Input(shape=(2,), name="points")
    hidden = keras.layers.Dense(6, activation="tanh")(inputs)
    outputs = keras.layers.Dense(1, activation="sigmoid")(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
        loss="binary_crossentropy",
        metrics=["accuracy"],
        weighted_metrics=["accuracy"],
    )
    return model


def data_binary_sample_weight():
    x, y = point_clouds(30, seed=4)
    weight = np.random.default_rng(5).uniform(0.2, 2.0, size=len(x)).astype(np.float32)
    val_x, val_y = point_clouds(10, seed=6)
    val_weight = np.random.default_rng(7).uniform(0.2, 2.0, size=len(val_x)).astype(np.float32)
    return {
        "fit": dict(
            x=x, y=y, sample_weight=weight, batch_size=8,
            validation_data=(val_x, val_y, val_weight),
        ),
        "evaluate": dict(x=val_x, y=val_y, sample_weight=val_weight, batch_size=8),
        "predict": x[:9],
    }


# ---- (d) kernel L2 + bias L1 + activity regularizers: counted in "loss" ----------------------
def build_regularized(keras):
    model = keras.Sequential(
        [
            keras.Input(shape=(3,)),
            keras.layers.Dense(
                5,
                activation="relu",
                kernel_regularizer=keras.regularizers.L2(0.05),
                bias_regularizer=keras.regularizers.L1(0.02),
                activity_regularizer=keras.regularizers.L2(0.01),
                bias_initializer="ones",
            ),
            keras.layers.Dense(1, kernel_regularizer="l2"),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.02), loss="mse", metrics=["mae"])
    return model


def data_regularized():
    rng = np.random.default_rng(8)
    x, val_x = (rng.normal(size=(n, 3)).astype(np.float32) for n in (40, 12))
    y, val_y = (a @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3 for a in (x, val_x))
    return {
        "fit": dict(x=x, y=y, batch_size=10, validation_data=(val_x, val_y)),
        "evaluate": dict(x=val_x, y=val_y, batch_size=5),
        "predict": val_x,
    }


# ---- (e) the multi-input, multi-output news model ------------------------------------------
def _news_model(keras):
    title = keras.Input(shape=(50,), name="title")
    body = keras.Input(shape=(50,), name="body")
    tags = keras.Input(shape=(8,), name="tags")
    features = keras.layers.Concatenate()([title, body, tags])
    hidden = keras.layers.Dense(32, activation="relu")(features)
    priority = keras.layers.Dense(1, activation="sigmoid", name="priority")(hidden)
    department = keras.layers.Dense(NEWS_DEPARTMENTS, activation="softmax", name="department")(
        hidden
    )
    return keras.Model(inputs=[title, body, tags], outputs=[priority, department])


def build_news_lists(keras):
    model = _news_model(keras)
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
        loss=["mean_squared_error", "categorical_crossentropy"],
        loss_weights=[1.0, 0.5],
        metrics=[["mean_absolute_error"], ["accuracy"]],
    )
    return model


def data_news_lists():
    inputs, targets = news_data(48, seed=9)
    x = [inputs["title"], inputs["body"], inputs["tags"]]
    y = [targets["priority"], targets["department"]]
    val_inputs, val_targets = news_data(16, seed=10)
    val_x = [val_inputs["title"], val_inputs["body"], val_inputs["tags"]]
    val_y = [val_targets["priority"], val_targets["department"]]
    return {
        "fit": dict(x=x, y=y, batch_size=16, validation_data=(val_x, val_y)),
        "evaluate": dict(x=val_x, y=val_y, batch_size=16),
        "predict": val_x,
    }


def build_news_dicts(keras):
    model = _news_model(keras)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss={"priority": "mean_squared_error", "department": "categorical_crossentropy"},
        loss_weights={"priority": 1.0, "department": 0.5},
        metrics={"priority": ["mean_absolute_error"], "department": ["accuracy"]},
    )
    return model


def data_news_dicts():
    x, y = news_data(40, seed=11)
    val_x, val_y = news_data(12, seed=12)
    return {
        "fit": dict(x=x, y=y, batch_size=16, validation_data=(val_x, val_y)),
        "evaluate": dict(x=val_x, y=val_y, batch_size=5),
        "predict": val_x,
    }


# ---- (f) categorical crossentropy with label smoothing on logits ----------------------------
def build_logits_smoothing(keras):
    model = keras.Sequential(
        [keras.Input(shape=(5,)), keras.layers.Dense(8, activation="gelu"), keras.layers.Dense(4)]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.01),
        loss=keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
        metrics=[
            keras.metrics.CategoricalAccuracy(),
            keras.metrics.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
        ],
    )
    return model


def data_logits_smoothing():
    x, labels = blobs(48, 5, 4, seed=13)
    val_x, val_labels = blobs(16, 5, 4, seed=14)
    return {
        "fit": dict(
            x=x, y=one_hot(labels, 4), batch_size=16,
            validation_data=(val_x, one_hot(val_labels, 4)),
        ),
        "evaluate": dict(x=val_x, y=one_hot(val_labels, 4), batch_size=16),
        "predict": val_x[:5],
    }


# ---- (g) a batch size that does not divide the sample count --------------------------------
def build_partial_batch(keras):
    model = keras.Sequential(
        [
            keras.Input(shape=(4,)),
            keras.layers.Dense(6, activation="sigmoid"),
            keras.layers.Dense(2),
        ]
    )
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mae", metrics=["mse", "mae"])
    return model


def data_partial_batch():
    rng = np.random.default_rng(15)
    x = rng.normal(size=(45, 4)).astype(np.float32)  # 45 = 2 * 16 + 13
    y = np.stack([np.sin(x[:, 0]), x[:, 1] * x[:, 2]], axis=1).astype(np.float32)
    return {
        "fit": dict(x=x, y=y, batch_size=16, validation_split=0.3, validation_batch_size=7),
        "evaluate": dict(x=x, y=y, batch_size=13),
        "predict": x[:11],
    }


# ---- (h) AdamW with an ExponentialDecay schedule and clipnorm ------------------------------
def build_adamw_schedule(keras):
    schedule = keras.optimizers.schedules.ExponentialDecay(
        initial_learning_rate=0.05, decay_steps=2, decay_rate=0.7
    )
    model = keras.Sequential(
        [keras.Input(shape=(3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)]
    )
    model.compile(
        optimizer=keras.optimizers.AdamW(learning_rate=schedule, weight_decay=0.01, clipnorm=0.3),
        loss="mse",
        metrics=[keras.metrics.RootMeanSquaredError()],
    )
    return model


def data_adamw_schedule():
    rng = np.random.default_rng(16)
    x = rng.normal(size=(36, 3)).astype(np.float32)
    y = (np.abs(x).sum(axis=1, keepdims=True) - 1.0).astype(np.float32)
    return {
        "fit": dict(x=x, y=y, batch_size=12, validation_data=(x[:12], y[:12])),
        "evaluate": dict(x=x, y=y, batch_size=36),
        "predict": x[:6],
    }


CASES = {
    "dense_rmsprop": FitCase(build_dense_rmsprop, data_dense_rmsprop, input_shape=(None, 2)),
    "mlp_class_weight": FitCase(build_mlp_class_weight, data_mlp_class_weight),
    "binary_sample_weight": FitCase(build_binary_sample_weight, data_binary_sample_weight),
    "regularized": FitCase(build_regularized, data_regularized, predict_batch_size=5),
    "news_lists": FitCase(build_news_lists, data_news_lists),
    "news_dicts": FitCase(build_news_dicts, data_news_dicts, predict_batch_size=5),
    "logits_smoothing": FitCase(build_logits_smoothing, data_logits_smoothing),
    "partial_batch": FitCase(build_partial_batch, data_partial_batch, predict_batch_size=4),
    "adamw_schedule": FitCase(build_adamw_schedule, data_adamw_schedule),
}


# ---- running a case -------------------------------------------------------------------------
def run_case(keras, name, initial_weights=None):
    """Builds case `name` with `keras`, optionally sets its weights, and runs it.

    Returns a dict: `initial` and `final` weights (lists of numpy arrays), `history`
    (`history.history`), `evaluate_dict`, `evaluate_list` (always a list) and `predict`
    (a list of numpy arrays, one per output).
    """
    case = CASES[name]
    model = case.build(keras)
    if case.input_shape is not None:
        model.build(case.input_shape)
    if initial_weights is not None:
        model.set_weights(initial_weights)
    initial = [np.array(w) for w in model.get_weights()]
    data = case.data()
    history = model.fit(epochs=EPOCHS, shuffle=False, verbose=0, **data["fit"])
    evaluate_dict = model.evaluate(verbose=0, return_dict=True, **data["evaluate"])
    evaluate_list = model.evaluate(verbose=0, **data["evaluate"])
    predictions = model.predict(data["predict"], batch_size=case.predict_batch_size, verbose=0)
    return {
        "initial": initial,
        "final": [np.array(w) for w in model.get_weights()],
        "history": {key: [float(v) for v in values] for key, values in history.history.items()},
        "evaluate_dict": {key: float(value) for key, value in evaluate_dict.items()},
        "evaluate_list": [float(v) for v in np.atleast_1d(evaluate_list)],
        "predict": [np.asarray(p) for p in _as_list(predictions)],
    }


def _as_list(predictions):
    if isinstance(predictions, dict):
        return [predictions[key] for key in sorted(predictions)]
    if isinstance(predictions, (list, tuple)):
        return list(predictions)
    return [predictions]


def flat(record):
    """A `run_case` record as `{key: array}` for an `.npz` (history keys keep their order)."""
    arrays = {
        "history_keys": np.array(list(record["history"])),
        "evaluate_keys": np.array(list(record["evaluate_dict"])),
        "evaluate_dict": np.array(list(record["evaluate_dict"].values()), np.float64),
        "evaluate_list": np.array(record["evaluate_list"], np.float64),
    }
    for key, values in record["history"].items():
        arrays[f"history/{key}"] = np.array(values, np.float64)
    for kind in ("initial", "final", "predict"):
        for index, array in enumerate(record[kind]):
            arrays[f"{kind}/{index:02d}"] = np.asarray(array)
    return arrays
