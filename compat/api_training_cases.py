"""Custom optimizers, schedules, initializers, regularizers and constraints, and `keras.utils`.

Like `compat/api_custom_cases.py`: each `*_record(lib)` runs the same code with real Keras or
torchkeras and returns a JSON-able record of what it observed.
"""

import math
import random

import numpy as np
import torch

from compat.api_cases import jsonable
from compat.api_custom_cases import data, history, numpy, small_model, tensor
from compat.tables import optimizer_cases


def _run_optimizer(lib, optimizer):
    """`optimizer_cases`' seeded steps; the final variables and `optimizer.variables`."""
    variables = [lib.Variable(v) if lib.__name__ == "keras" else torch.nn.Parameter(
        torch.from_numpy(v)) for v in optimizer_cases.initial_values()]
    for grads in optimizer_cases.gradients():
        optimizer.apply_gradients(zip([torch.from_numpy(g) for g in grads], variables))
    return {
        "weights": [numpy(v).tolist() for v in variables],
        "state": [numpy(v).astype("float64").tolist() for v in optimizer.variables],
    }


def optimizer_record(lib):
    class MomentumDescent(lib.optimizers.Optimizer):
        def __init__(self, learning_rate=0.01, momentum=0.9, name="momentum_descent", **kwargs):
            super().__init__(learning_rate=learning_rate, name=name, **kwargs)
            self.momentum = momentum

        def build(self, variables):
            if self.built:
                return
            super().build(variables)
            self.momentums = [self.add_variable_from_reference(v, "momentum") for v in variables]

        def update_step(self, gradient, variable, learning_rate):
            m = self.momentums[self._get_variable_index(variable)]
            self.assign(m, tensor(m) * self.momentum - gradient * learning_rate)
            self.assign_add(variable, tensor(m))

        def get_config(self):
            return {**super().get_config(), "momentum": self.momentum}

    record = {}
    for key, kwargs in {
        "plain": {"learning_rate": 0.1},
        "clipnorm": {"learning_rate": 0.1, "clipnorm": 0.5, "momentum": 0.5},
        "weight_decay": {"weight_decay": 0.1, "learning_rate": 0.05},
    }.items():
        optimizer = MomentumDescent(**kwargs)
        record[key] = {**_run_optimizer(lib, optimizer), "config": jsonable(optimizer.get_config())}
    return record


def schedule_record(lib):
    class HalveEvery(lib.optimizers.schedules.LearningRateSchedule):
        def __init__(self, initial, period):
            self.initial, self.period = initial, period

        def __call__(self, step):
            step = tensor(step).to(torch.float32)
            return self.initial * torch.pow(0.5, torch.floor(step / self.period))

        def get_config(self):
            return {"initial": self.initial, "period": self.period}

    schedule = HalveEvery(0.2, 2)
    config = lib.optimizers.schedules.serialize(schedule)
    restored = lib.optimizers.schedules.deserialize(
        config, custom_objects={"HalveEvery": HalveEvery})
    return {
        "values": [float(numpy(schedule(step))) for step in range(8)],
        "sgd": _run_optimizer(lib, lib.optimizers.SGD(learning_rate=schedule)),
        "serialize": jsonable(config),
        "deserialize": {"class": type(restored).__name__, "config": restored.get_config()},
    }


def _serialized_round_trip(module, obj, cls):
    config = module.serialize(obj)
    restored = module.deserialize(config, custom_objects={cls.__name__: cls})
    return {"serialize": jsonable(config), "restored": jsonable(restored.get_config())}


def initializer_record(lib):
    class Ramp(lib.initializers.Initializer):
        def __init__(self, scale=1.0):
            self.scale = scale

        def __call__(self, shape, dtype=None):
            size = int(np.prod(shape))
            return self.scale * torch.arange(size, dtype=torch.float32).reshape(shape) / size

        def get_config(self):
            return {"scale": self.scale}

    layer = lib.layers.Dense(3, kernel_initializer=Ramp(0.5), bias_initializer=Ramp(-1.0))
    layer.build((None, 4))
    return {
        "weights": [w.tolist() for w in layer.get_weights()],
        "layer_config": jsonable(layer.get_config()["kernel_initializer"]),
        **_serialized_round_trip(lib.initializers, Ramp(0.25), Ramp),
    }


def regularizer_record(lib):
    class HalfL1(lib.regularizers.Regularizer):
        def __init__(self, strength=0.01):
            self.strength = strength

        def __call__(self, weights):
            return 0.5 * self.strength * torch.sum(torch.abs(tensor(weights)))

        def get_config(self):
            return {"strength": self.strength}

    x, y = data()
    model = small_model(lib, kernel_regularizer=HalfL1(0.1))
    penalty = [float(numpy(loss)) for loss in model.losses]
    model.compile(optimizer=lib.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    fitted = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    return {
        "value": float(numpy(HalfL1(0.3)(torch.from_numpy(x)))),
        "model_losses": penalty,
        "fit_history": history(fitted),
        "weights": [w.tolist() for w in model.get_weights()],
        **_serialized_round_trip(lib.regularizers, HalfL1(0.2), HalfL1),
    }


def constraint_record(lib):
    class ClipTo(lib.constraints.Constraint):
        def __init__(self, bound=0.5):
            self.bound = bound

        def __call__(self, weights):
            return torch.clamp(tensor(weights), -self.bound, self.bound)

        def get_config(self):
            return {"bound": self.bound}

    x, y = data()
    model = small_model(lib, kernel_constraint=ClipTo(0.4), bias_constraint=ClipTo(0.05))
    model.compile(optimizer=lib.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy")
    fitted = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    return {
        "value": numpy(ClipTo(0.3)(torch.from_numpy(x[:2]))).tolist(),
        "fit_history": history(fitted),
        "weights": [w.tolist() for w in model.get_weights()],
        **_serialized_round_trip(lib.constraints, ClipTo(0.2), ClipTo),
    }


def py_dataset_record(lib):
    class Batches(lib.utils.PyDataset):
        def __init__(self, x, y, batch_size, **kwargs):
            super().__init__(**kwargs)
            self.x, self.y, self.batch_size = x, y, batch_size

        def __len__(self):
            return math.ceil(len(self.x) / self.batch_size)

        def __getitem__(self, index):
            part = slice(index * self.batch_size, (index + 1) * self.batch_size)
            return self.x[part], self.y[part]

    x, y = data(n=14)
    record = {"len": len(Batches(x, y, 4))}
    for key in ("arrays", "py_dataset"):
        model = small_model(lib)
        model.compile(optimizer=lib.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        if key == "arrays":
            fitted = model.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0)
        else:  # Keras shuffles a PyDataset's batch order unless told not to
            fitted = model.fit(Batches(x, y, 4), epochs=3, shuffle=False, verbose=0)
        record[key] = {
            "history": history(fitted),
            "weights": [w.tolist() for w in model.get_weights()],
            "evaluate": [float(v) for v in model.evaluate(Batches(x, y, 5), verbose=0)],
            "predict": model.predict(Batches(x, y, 5), verbose=0).tolist(),
        }
    model = small_model(lib)
    model.compile(optimizer=lib.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy")
    shuffled = model.fit(Batches(x, y, 4), epochs=3, verbose=0).history["loss"]
    record["default_shuffles_batches"] = bool(
        not np.allclose(shuffled, record["py_dataset"]["history"]["loss"], rtol=1e-5))
    return record


def clear_session_record(lib):
    lib.utils.clear_session()
    names = [lib.layers.Dense(1).name, lib.layers.Dense(1).name, lib.layers.Conv1D(1, 1).name]
    model = lib.Sequential([lib.Input((2,)), lib.layers.Dense(1)])
    names += [model.name, model.layers[0].name]
    lib.utils.clear_session()
    model = lib.Sequential([lib.Input((2,)), lib.layers.Dense(1)])
    return names + [model.name, model.layers[0].name, lib.layers.Dense(1).name]


def normalize_record(lib):
    """Keras 3.15.1 fails on a NumPy array with `axis` other than the last (it expands the norm
    on the wrong axis); a tensor input takes its ops path and works, so that case uses one."""
    x = np.random.default_rng(5).normal(size=(3, 4)).astype("float32")
    cases = {
        "default": (x, {}),
        "l1_axis1": (x, {"order": 1, "axis": 1}),
        "rank3_axis2": (x.reshape(3, 2, 2), {"order": 3, "axis": 2}),
        "zeros_row": (np.array([[0.0, 0.0], [3.0, 4.0]]), {}),
        "tensor_axis0": (torch.from_numpy(x), {"axis": 0}),
    }
    record = {}
    for key, (array, kwargs) in cases.items():
        out = lib.utils.normalize(array, **kwargs)
        record[key] = {"values": numpy(out).tolist(), "type": type(out).__name__}
    return record


def to_categorical_record(lib):
    cases = {
        "list": ([0, 2, 1, 2], {}),
        "classes": ([0, 2, 1], {"num_classes": 5}),
        "column": (np.array([[1], [0], [3]]), {}),
        "matrix": (np.array([[1, 2], [0, 3]]), {"num_classes": 4}),
        "tensor": (torch.tensor([2, 0, 1]), {"num_classes": 3}),
    }
    record = {}
    for key, (labels, kwargs) in cases.items():
        out = lib.utils.to_categorical(labels, **kwargs)
        values = numpy(out)
        record[key] = {"values": values.tolist(), "shape": list(values.shape),
                       "dtype": str(out.dtype).replace("torch.", ""), "type": type(out).__name__}
    return record


def set_random_seed_record(lib):
    """The global streams right after seeding, and seeded initializer draws after it."""
    lib.utils.set_random_seed(7)
    streams = [random.random(), float(np.random.rand()), float(torch.rand(()))]
    lib.utils.set_random_seed(7)
    seeded = lib.initializers.RandomNormal(seed=3)((2, 3))
    layer = lib.layers.Dense(2, kernel_initializer=lib.initializers.GlorotUniform(seed=5))
    layer.build((None, 3))
    return {"streams": streams, "seeded": numpy(seeded).tolist(),
            "dense": [w.tolist() for w in layer.get_weights()]}
