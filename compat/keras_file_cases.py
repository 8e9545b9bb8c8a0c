"""Models saved to `.keras` by real Keras for the tests (built from the module given)."""

import numpy as np


def news(module):
    """The seeds' news model (small), compiled and trained one step."""
    module.backend.clear_session()
    title = module.Input(shape=(10,), name="title")
    tags = module.Input(shape=(3,), name="tags")
    features = module.layers.Concatenate()([module.layers.Dense(4, name="shared")(title), tags])
    features = module.layers.Dense(6, activation="relu")(features)
    priority = module.layers.Dense(1, activation="sigmoid", name="priority")(features)
    department = module.layers.Dense(5, activation="softmax", name="department")(features)
    model = module.Model(inputs=[title, tags], outputs=[priority, department])
    model.compile(
        optimizer="adam",
        loss=["mse", "categorical_crossentropy"],
        metrics=[["mae"], ["accuracy"]],
    )
    return model


def news_data(seed=0):
    rng = np.random.default_rng(seed)
    x = [rng.random((16, 10), dtype=np.float32), rng.random((16, 3), dtype=np.float32)]
    y = [rng.random((16, 1), dtype=np.float32), np.eye(5, dtype=np.float32)[rng.integers(0, 5, 16)]]
    return x, y


def sequential(module):
    """A Sequential MLP with Dropout and Embedding-free layers, compiled with RMSprop."""
    module.backend.clear_session()
    model = module.Sequential(
        [
            module.Input((8,)),
            module.layers.Dense(16, activation="relu"),
            module.layers.Dropout(0.5),
            module.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile("rmsprop", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def sequential_data(seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((16, 8), dtype=np.float32), rng.integers(0, 3, 16)


CASES = {"news": (news, news_data), "sequential": (sequential, sequential_data)}
