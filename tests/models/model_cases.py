"""The model case table: each case builds one model with whatever Keras-like module it is given.

`build(keras)` runs unchanged on real Keras 3 (`compat/make_references.py`) and on torchkeras
(`tests/models/test_model_references.py`), so both libraries see exactly the same script. Every
builder starts with `keras.backend.clear_session()` so auto names (`dense`, `dense_1`, ...) and
model names (`functional`, `sequential`) restart from zero in both libraries.

Most cases come from a Keras tutorial (in Chinese, the project seed 003): the Sequential,
functional and subclassed versions of its "news" model. The rest cover what the tutorial does not
(non-trainable weights, regularizers, reshaping, merging, nesting, lazy building).
"""

import contextlib
import dataclasses
import os

import numpy as np

from summary_table import parse_summary

NEWS_SIZE = 1000  # the tutorial uses 10_000; 1000 keeps the weights small
TAG_SIZE = 20
DEPARTMENT_SIZE = 5
BATCH = 4  # batch of the eager calls that build subclassed and lazy models


@dataclasses.dataclass(frozen=True)
class ModelCase:
    """One model to compare between Keras and torchkeras.

    Args:
        name: Identifier used as the JSON key and pytest id.
        build: `build(keras) -> model`, using only the public API of the module it is given.
        subclassed: A subclassed `keras.Model`, built by an eager call on a batch of `BATCH`.
        built_by_call: A Sequential built by an eager call on a batch of `BATCH`.
        expand_nested: Also record `summary(expand_nested=True)`.
    """

    name: str
    build: object
    subclassed: bool = False
    built_by_call: bool = False
    expand_nested: bool = False

    @property
    def eager_batch(self):
        """Keras prints the eager call's batch size, `(4, 23)`, in this summary's shape column."""
        return self.subclassed or self.built_by_call


# --- (1) the tutorial's custom layer, stacked four times -----------------------------------------


def simple_dense_model(keras):
    keras.backend.clear_session()

    class SimpleDense(keras.layers.Layer):
        def __init__(self, units, activation=None, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.activation = keras.activations.get(activation)

        def build(self, input_shape):
            input_dim = input_shape[-1]
            self.W = self.add_weight(shape=(input_dim, self.units), initializer="random_normal")
            self.b = self.add_weight(shape=(self.units,), initializer="zeros")

        def call(self, inputs):
            # `@` rather than keras.ops.matmul, so the same code runs where `ops` does not exist.
            return self.activation(inputs @ self.W + self.b)

    model = keras.Sequential(
        [
            SimpleDense(32, activation="relu"),
            SimpleDense(64, activation="relu"),
            SimpleDense(32, activation="relu"),
            SimpleDense(10, activation="softmax"),
        ]
    )
    model.build((None, 784))
    return model


# --- (2), (3) Sequential models built from a shape -----------------------------------------------


def named_sequential(keras):
    keras.backend.clear_session()
    model = keras.Sequential(name="my_sequential_model")
    model.add(keras.layers.Dense(64, activation="relu", name="hidden_layer"))
    model.add(keras.layers.Dense(10, activation="softmax", name="output_layer"))
    model.build(input_shape=(None, 3))
    return model


def sequential_with_input(keras):
    keras.backend.clear_session()
    model = keras.Sequential()
    model.add(keras.Input(shape=(3,)))
    model.add(keras.layers.Dense(64, activation="relu"))
    return model


# --- (4), (5), (6) functional models -------------------------------------------------------------


def functional_api(keras):
    keras.backend.clear_session()
    inputs = keras.Input(shape=(3,), name="funtinoal_api")  # the tutorial's spelling
    features = keras.layers.Dense(64, activation="relu")(inputs)
    outputs = keras.layers.Dense(10, activation="softmax")(features)
    return keras.Model(inputs=inputs, outputs=outputs)


def _news_graph(keras):
    title = keras.Input(shape=(NEWS_SIZE,), name="title")
    content = keras.Input(shape=(NEWS_SIZE,), name="content")
    tags = keras.Input(shape=(TAG_SIZE,), name="tags")
    features = keras.layers.Concatenate()([title, content, tags])
    features = keras.layers.Dense(64, activation="relu")(features)
    priority = keras.layers.Dense(1, activation="sigmoid", name="priority")(features)
    department = keras.layers.Dense(DEPARTMENT_SIZE, activation="softmax", name="department")(
        features
    )
    return [title, content, tags], [priority, department]


def news_model(keras):
    keras.backend.clear_session()
    inputs, outputs = _news_graph(keras)
    return keras.Model(inputs=inputs, outputs=outputs)


def news_feature_extraction(keras):
    keras.backend.clear_session()
    inputs, (priority, department) = _news_graph(keras)
    model = keras.Model(inputs=inputs, outputs=[priority, department])
    features = model.layers[4].output  # the Dense(64) after Concatenate
    potential = keras.layers.Dense(3, activation="softmax", name="potential")(features)
    return keras.Model(inputs, [priority, department, potential])


# --- (7), (8), (9) subclassing, alone and mixed with the functional API --------------------------


def _news_data(batch=BATCH):
    rng = np.random.default_rng(0)
    return {
        "title": rng.integers(0, 2, size=(batch, NEWS_SIZE)),
        "content": rng.integers(0, 2, size=(batch, NEWS_SIZE)),
        "tags": rng.integers(0, 2, size=(batch, TAG_SIZE)),
    }


def news_subclass(keras):
    keras.backend.clear_session()

    class NewsModel(keras.Model):
        def __init__(self, n):
            super().__init__()
            self.concat_layer = keras.layers.Concatenate()
            self.mixing_layer = keras.layers.Dense(64, activation="relu")
            self.priority_scorer = keras.layers.Dense(1, activation="sigmoid")
            self.department_scorer = keras.layers.Dense(n, activation="softmax")

        def call(self, inputs):
            features = self.concat_layer([inputs["title"], inputs["content"], inputs["tags"]])
            features = self.mixing_layer(features)
            return self.priority_scorer(features), self.department_scorer(features)

    model = NewsModel(n=DEPARTMENT_SIZE)
    model(_news_data())  # builds every layer from an eager call on int arrays
    return model


def classifier_in_functional(keras):
    keras.backend.clear_session()

    class Classifier(keras.Model):
        def __init__(self, n):
            super().__init__()
            units, activation = (1, "sigmoid") if n == 2 else (n, "softmax")
            self.dense = keras.layers.Dense(units, activation=activation)

        def call(self, inputs):
            return self.dense(inputs)

    inputs = keras.Input(shape=(3,))
    features = keras.layers.Dense(64, activation="relu")(inputs)
    outputs = Classifier(n=10)(features)
    return keras.Model(inputs=inputs, outputs=outputs)


def functional_in_subclass(keras):
    keras.backend.clear_session()
    inputs = keras.Input(shape=(64,))
    outputs = keras.layers.Dense(1, activation="sigmoid")(inputs)
    binary_classifier = keras.Model(inputs, outputs)

    class MyModel(keras.Model):
        def __init__(self, n):
            super().__init__()
            self.dense = keras.layers.Dense(64, activation="relu")
            self.classifier = binary_classifier

        def call(self, inputs):
            return self.classifier(self.dense(inputs))

    model = MyModel(n=5)
    model(np.zeros((BATCH, 32), dtype="float32"))
    return model


# --- (10) - (14) layers and structures beyond the tutorial ---------------------------------------


def mlp_regularized_frozen(keras):
    keras.backend.clear_session()
    inputs = keras.Input(shape=(20,), name="features")
    x = keras.layers.Dense(
        32, activation="relu", kernel_regularizer=keras.regularizers.L2(0.01)
    )(inputs)
    x = keras.layers.Dropout(0.5)(x)
    x = keras.layers.Dense(16, activation="relu", trainable=False, name="frozen")(x)
    x = keras.layers.Dropout(0.25)(x)
    outputs = keras.layers.Dense(1)(x)
    return keras.Model(inputs, outputs, name="mlp")


def embedding_reshaping(keras):
    keras.backend.clear_session()
    inputs = keras.Input(shape=(10,), dtype="int32")
    x = keras.layers.Embedding(1000, 16)(inputs)  # (None, 10, 16)
    x = keras.layers.Permute((2, 1))(x)  # (None, 16, 10)
    x = keras.layers.Flatten()(x)  # (None, 160)
    x = keras.layers.Reshape((20, 8))(x)  # (None, 20, 8)
    x = keras.layers.Flatten()(x)  # (None, 160)
    x = keras.layers.Dense(8, activation="relu")(x)  # (None, 8)
    x = keras.layers.RepeatVector(3)(x)  # (None, 3, 8)
    outputs = keras.layers.Dense(4)(x)  # (None, 3, 4)
    return keras.Model(inputs, outputs)


def shared_and_merging(keras):
    keras.backend.clear_session()
    left = keras.Input(shape=(8,), name="left")
    right = keras.Input(shape=(8,), name="right")
    shared = keras.layers.Dense(4, name="shared")
    a, b = shared(left), shared(right)  # one layer, two inbound nodes
    merged = [
        keras.layers.Add()([a, b]),
        keras.layers.Concatenate()([a, b]),
        keras.layers.Dot(axes=1)([a, b]),
        keras.layers.Multiply()([a, b]),
        keras.layers.Average()([a, b]),
        keras.layers.Maximum()([a, b]),
        keras.layers.Subtract()([a, b]),
    ]
    x = keras.layers.Concatenate(name="all")(merged)
    outputs = keras.layers.Dense(1)(x)
    return keras.Model([left, right], outputs)


def nested_functional(keras):
    keras.backend.clear_session()
    inner_in = keras.Input(shape=(8,))
    inner_x = keras.layers.Dense(4, activation="relu")(inner_in)
    inner = keras.Model(inner_in, keras.layers.Dense(2)(inner_x), name="inner")
    inputs = keras.Input(shape=(6,))
    x = keras.layers.Dense(8)(inputs)
    x = inner(x)
    outputs = keras.layers.Dense(1)(x)
    return keras.Model(inputs, outputs, name="outer")


def lazy_sequential(keras):
    keras.backend.clear_session()
    model = keras.Sequential(
        [keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3, activation="softmax")]
    )
    model(np.zeros((BATCH, 5), dtype="float32"))  # builds from the first batch
    return model


CASES = [
    ModelCase("simple_dense", simple_dense_model),
    ModelCase("named_sequential", named_sequential),
    ModelCase("sequential_with_input", sequential_with_input),
    ModelCase("functional_api", functional_api),
    ModelCase("news", news_model),
    ModelCase("news_feature_extraction", news_feature_extraction),
    ModelCase("news_subclass", news_subclass, subclassed=True),
    ModelCase("classifier_in_functional", classifier_in_functional),
    ModelCase("functional_in_subclass", functional_in_subclass, subclassed=True),
    ModelCase("mlp_regularized_frozen", mlp_regularized_frozen),
    ModelCase("embedding_reshaping", embedding_reshaping),
    ModelCase("shared_and_merging", shared_and_merging),
    ModelCase("nested_functional", nested_functional, expand_nested=True),
    ModelCase("lazy_sequential", lazy_sequential, built_by_call=True),
]


@contextlib.contextmanager
def _wide_terminal(columns=300):
    # Keras renders the summary with `rich`, whose console crops lines to the terminal width
    # ($COLUMNS, else 80) even when `line_length` is larger.
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(columns)
    try:
        yield
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


def summary_table(model, expand_nested=False):
    """Parsed `model.summary()`; see `summary_table.parse_summary`."""
    lines = []
    with _wide_terminal():
        model.summary(line_length=250, print_fn=lines.append, expand_nested=expand_nested)
    return parse_summary(lines)


def describe(case, model):
    """What the reference JSON records about `model`, built by `case.build`."""
    record = {
        "count_params": int(model.count_params()),
        "weight_shapes": [[int(d) for d in w.shape] for w in model.weights],
        "num_trainable_weights": len(model.trainable_weights),
        "num_non_trainable_weights": len(model.non_trainable_weights),
        "summary": summary_table(model),
    }
    if case.expand_nested:
        record["summary_expanded"] = summary_table(model, expand_nested=True)
    return record
