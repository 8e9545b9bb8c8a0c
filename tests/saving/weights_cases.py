"""Models saved to weight files, each built the same way by real Keras and by torchkeras.

`case.build(lib)` takes `keras` or `torchkeras` (the same API) and returns a built model;
`case.inputs(rng)` gives a batch for it. Used by `tests/saving/test_weights_files.py` and by
`compat/make_weights_references.py`, which stores Keras-written files and outputs.
"""

import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True)
class WeightsCase:
    name: str
    build: object  # lib -> built model
    inputs: object  # np.random.Generator -> model input


def sequential(lib):
    L = lib.layers
    return lib.Sequential(
        [lib.Input((6,)), L.Dense(5, activation="relu"), L.Dropout(0.5), L.Dense(3), L.Dense(2)]
    )


def functional_multi_io(lib):
    L = lib.layers
    a, b = lib.Input((4,), name="a"), lib.Input((3,), name="b")
    joined = L.Concatenate()([a, b])
    hidden = L.Dense(5, activation="tanh")(joined)
    return lib.Model([a, b], [L.Dense(1)(hidden), L.Dense(2)(joined)])


def nested_functional(lib):
    L = lib.layers
    inner_in = lib.Input((5,))
    inner = lib.Model(inner_in, L.Dense(3)(L.Dense(4, activation="relu")(inner_in)), name="inner")
    stack = lib.Sequential([L.Dense(3), L.Dense(2)], name="stack")
    outer_in = lib.Input((5,))
    return lib.Model(outer_in, stack(L.Dense(3)(inner(outer_in))))


def subclassed(lib):
    L = lib.layers

    class Scale(L.Layer):
        """A custom layer: trainable `w`, non-trainable `stat`, trainable `b` (creation order)."""

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], 2), name="w")
            self.stat = self.add_weight(
                shape=(2,), trainable=False, name="stat", initializer="ones"
            )
            self.b = self.add_weight(shape=(2,), name="b", initializer="zeros")

        def call(self, x):
            return x @ self.w * self.stat + self.b

    class Net(lib.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.blocks = [L.Dense(4, activation="relu"), L.Dense(4), L.Dropout(0.1)]
            self.scale = Scale()
            self.head = L.Dense(1)
            self.side = {"first": L.Dense(1), "second": L.Dense(1)}

        def call(self, x):
            for block in self.blocks:
                x = block(x)
            x = self.scale(x)
            return self.head(x) + self.side["first"](x) - self.side["second"](x)

    model = Net()
    model(np.zeros((1, 3), "float32"))
    return model


def embedding_dense(lib):
    L = lib.layers
    return lib.Sequential(
        [lib.Input((5,), dtype="int32"), L.Embedding(20, 4), L.Flatten(), L.Dense(3)]
    )


def _floats(*shape):
    return lambda rng: rng.standard_normal(shape).astype("float32")


CASES = [
    WeightsCase("sequential", sequential, _floats(3, 6)),
    WeightsCase(
        "functional_multi_io",
        functional_multi_io,
        lambda rng: [_floats(3, 4)(rng), _floats(3, 3)(rng)],
    ),
    WeightsCase("nested_functional", nested_functional, _floats(3, 5)),
    WeightsCase("subclassed", subclassed, _floats(3, 3)),
    WeightsCase(
        "embedding_dense", embedding_dense, lambda rng: rng.integers(0, 20, (3, 5)).astype("int32")
    ),
]


def randomize(model, rng):
    """Gives every weight distinct random values, so a wrong order or layout shows."""
    model.set_weights([rng.standard_normal(w.shape).astype("float32") for w in model.get_weights()])


def predict(model, inputs):
    """Inference outputs as a list of numpy arrays (works for Keras and torchkeras models)."""
    outputs = model(inputs, training=False)
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    return [np.asarray(o.detach().cpu().numpy()) for o in outputs]
