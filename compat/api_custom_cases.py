"""Custom subclasses of the public bases, run the same way by Keras and by torchkeras.

Every `*_record(lib)` defines its subclass on `lib`'s base (a `Layer`, `Loss`, `Metric`,
`Optimizer`, `LearningRateSchedule`, `Initializer`, `Regularizer`, `Constraint`), uses it as a
user would, and returns a JSON-able record: outputs, weights, configs, serialized forms. The math
inside the subclasses is plain torch, since both libraries hand torch tensors to user code.
`CASES` maps a case id to `(Keras public name, record function)`.
"""

import numpy as np
import torch

from compat.api_cases import jsonable


def tensor(x):
    """A torch tensor from a Keras variable, a torchkeras parameter or an array."""
    if hasattr(x, "value") and not isinstance(x, torch.Tensor):
        x = x.value
    return torch.as_tensor(x)


def numpy(x):
    return tensor(x).detach().cpu().numpy()


def data(seed=0, n=12, features=4, classes=3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    return x, rng.integers(0, classes, size=n).astype("int64")


def small_model(lib, seed=1, features=4, units=3, **dense_kwargs):
    """`Sequential([Input, Dense(units, softmax)])` with seeded Keras-layout weights."""
    rng = np.random.default_rng(seed)
    model = lib.Sequential([
        lib.Input((features,)), lib.layers.Dense(units, activation="softmax", **dense_kwargs)
    ])
    model.set_weights([
        rng.normal(size=(features, units)).astype("float32"),
        rng.normal(size=units).astype("float32") * 0.1,
    ])
    return model


def history(fitted):
    return {key: [float(v) for v in values] for key, values in fitted.history.items()}


def layer_record(lib):
    class ScaleShift(lib.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            init = lib.initializers.GlorotUniform(seed=1)
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer=init,
                                     name="w")
            self.b = self.add_weight(shape=(self.units,), initializer="ones", name="b")
            self.calls = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                         name="calls")

        def call(self, inputs):
            return torch.tanh(torch.matmul(inputs, tensor(self.w)) + tensor(self.b))

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    layer = ScaleShift(3)
    x = torch.from_numpy(data()[0][:5])
    out = layer(x)
    clone = ScaleShift.from_config(layer.get_config())
    return {
        "name": layer.name,
        "output": numpy(out).tolist(),
        "weights": [w.tolist() for w in layer.get_weights()],
        "trainable": [list(numpy(w).shape) for w in layer.trainable_weights],
        "non_trainable": [list(numpy(w).shape) for w in layer.non_trainable_weights],
        "config": jsonable(layer.get_config()),
        "clone_config": jsonable(clone.get_config()),
    }


def _dtype(dtype):
    return str(dtype).replace("torch.", "")


def input_record(lib):
    tensors = {
        "x": lib.Input((3,), batch_size=4, name="x", dtype="float16"),
        "seq": lib.Input(shape=(None, 5)),
        "batch_shape": lib.Input(batch_shape=(2, 3), dtype="int32"),
    }
    return {
        key: {"shape": list(t.shape), "dtype": _dtype(t.dtype), "name": t.name}
        for key, t in tensors.items()
    }


def input_layer_record(lib):
    layers = {
        "shape": lib.layers.InputLayer(shape=(3,), batch_size=2, name="inp"),
        "batch_shape": lib.layers.InputLayer(batch_shape=(None, 4, 2), dtype="int32", name="b"),
    }
    inputs = lib.Input((3,), name="features")
    model = lib.Model(inputs, lib.layers.Dense(2)(inputs))
    record = {key: jsonable(layer.get_config()) for key, layer in layers.items()}
    record["in_model"] = {
        "class": type(model.layers[0]).__name__,
        "config": jsonable(model.layers[0].get_config()),
    }
    return record


def loss_record(lib):
    class ScaledSquared(lib.losses.Loss):
        def __init__(self, scale=2.0, **kwargs):
            super().__init__(**kwargs)
            self.scale = scale

        def call(self, y_true, y_pred):
            return self.scale * torch.mean(torch.square(y_true - y_pred), dim=-1)

        def get_config(self):
            return {**super().get_config(), "scale": self.scale}

    rng = np.random.default_rng(2)
    y_true, y_pred = (torch.from_numpy(rng.normal(size=(5, 3)).astype("float32"))
                      for _ in range(2))
    weight = torch.from_numpy(rng.uniform(size=5).astype("float32"))
    record = {}
    for reduction in ("sum_over_batch_size", "sum", None, "mean", "mean_with_sample_weight"):
        loss = ScaledSquared(scale=0.5, reduction=reduction, name="scaled")
        record[str(reduction)] = {
            "plain": numpy(loss(y_true, y_pred)).tolist(),
            "weighted": numpy(loss(y_true, y_pred, sample_weight=weight)).tolist(),
            "config": jsonable(loss.get_config()),
        }
    loss = ScaledSquared(scale=3.0)
    record["serialize"] = jsonable(lib.losses.serialize(loss))
    record["deserialize"] = jsonable(lib.losses.deserialize(
        lib.losses.serialize(loss), custom_objects={"ScaledSquared": ScaledSquared}).get_config())
    return record


def rmse_metric(lib):
    """The root mean squared error metric of the seeds (one-hot labels against probabilities)."""
    class RootMeanSquaredError(lib.metrics.Metric):
        def __init__(self, name="rmse", **kwargs):
            super().__init__(name=name, **kwargs)
            self.mse_sum = self.add_weight(name="mse_sum", initializer="zeros", shape=())
            self.total_samples = self.add_weight(name="total_samples", initializer="zeros",
                                                 shape=(), dtype="int32")

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_pred = tensor(y_pred)
            labels = tensor(y_true).long().reshape(-1)
            one_hot = torch.nn.functional.one_hot(labels, y_pred.shape[1]).to(y_pred.dtype)
            self.mse_sum.assign_add(torch.sum(torch.square(one_hot - y_pred)))
            self.total_samples.assign_add(y_pred.shape[0])

        def result(self):
            return torch.sqrt(tensor(self.mse_sum) / tensor(self.total_samples).float())

        def reset_state(self):
            self.mse_sum.assign(0.0)
            self.total_samples.assign(0)

    return RootMeanSquaredError


def metric_record(lib):
    metric = rmse_metric(lib)()
    rng = np.random.default_rng(3)
    results = []
    for size in (4, 6, 3):
        probs = rng.dirichlet(np.ones(3), size=size).astype("float32")
        labels = rng.integers(0, 3, size=size)
        metric.update_state(torch.from_numpy(labels), torch.from_numpy(probs))
        results.append(float(numpy(metric.result())))
    metric.reset_state()
    x, y = data()
    model = small_model(lib)
    model.compile(optimizer=lib.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy", rmse_metric(lib)()])
    fitted = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    return {
        "results": results,
        "after_reset": float(numpy(metric.result())),  # 0 / 0
        "variables": [list(numpy(v).shape) for v in metric.variables],
        "config": jsonable(metric.get_config()),
        "fit_history": history(fitted),
        "evaluate": [float(v) for v in model.evaluate(x, y, batch_size=5, verbose=0)],
    }


def mean_metric_wrapper_record(lib):
    def abs_diff(y_true, y_pred):
        return torch.mean(torch.abs(tensor(y_true) - tensor(y_pred)), dim=-1)

    wrappers = {
        "custom": lib.metrics.MeanMetricWrapper(abs_diff, name="abs_diff"),
        "builtin": lib.metrics.MeanMetricWrapper(lib.metrics.mean_squared_error, name="mse_w"),
        "kwargs": lib.metrics.MeanMetricWrapper(lib.metrics.huber, name="h", delta=0.3),
    }
    rng = np.random.default_rng(4)
    batches = [
        tuple(torch.from_numpy(rng.normal(size=shape).astype("float32"))
              for shape in ((n, 3), (n, 3), (n,)))
        for n in (4, 5, 2)
    ]
    record = {}
    for key, wrapper in wrappers.items():
        results = []
        for y_true, y_pred, weight in batches:
            wrapper.update_state(y_true, y_pred, sample_weight=weight)
            results.append(float(numpy(wrapper.result())))
        record[key] = {"results": results, "config": jsonable(wrapper.get_config())}
    return record
