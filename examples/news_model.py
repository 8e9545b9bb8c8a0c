"""Seed 003's news model: three inputs, two outputs, trained with list and dict losses.

The functional model (title, content, tags -> priority, department) is compiled, trained,
evaluated and used for prediction twice: with lists in input order and with dicts keyed by the
inputs' and outputs' names. Then `plot_model` draws it, `model.layers[4].output` feeds a new
output head, the same network is written as a `keras.Model` subclass (`NewsModel`), and
subclassed and functional models are mixed.

Run: python examples/news_model.py [--quick] [--out DIR]
"""

import argparse
import os
import tempfile

import numpy as np

import torchkeras as keras  # was: from tensorflow import keras
from torchkeras import layers
from torchkeras.utils import plot_model  # was: from keras.utils import plot_model


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few samples and features")
    parser.add_argument("--out", help="folder for written files (default: a new temp dir)")
    args = parser.parse_args()
    args.out = args.out or tempfile.mkdtemp(prefix="torchkeras_example_")
    os.makedirs(args.out, exist_ok=True)
    return args


def news_model(news_size, tag_size, department_size):
    title = keras.Input(shape=(news_size,), name="title")
    content = keras.Input(shape=(news_size,), name="content")
    tags = keras.Input(shape=(tag_size,), name="tags")
    features = layers.Concatenate()([title, content, tags])
    features = layers.Dense(64, activation="relu")(features)
    priority = layers.Dense(1, activation="sigmoid", name="priority")(features)
    department = layers.Dense(department_size, activation="softmax", name="department")(features)
    model = keras.Model(inputs=[title, content, tags], outputs=[priority, department])
    return model, (title, content, tags), (priority, department)


def make_data(n, news_size, tag_size, department_size):
    title_data = np.random.randint(0, 2, size=(n, news_size))
    content_data = np.random.randint(0, 2, size=(n, news_size))
    tags_data = np.random.randint(0, 2, size=(n, tag_size))
    priority_data = np.random.random(size=(n, 1))
    department_data = np.random.randint(0, 2, size=(n, department_size))
    return title_data, content_data, tags_data, priority_data, department_data


def train_with_lists(model, data):
    title_data, content_data, tags_data, priority_data, department_data = data
    model.compile(optimizer="rmsprop",
                  loss=["mean_squared_error", "categorical_crossentropy"],
                  metrics=[["mean_absolute_error"], ["accuracy"]])
    history = model.fit([title_data, content_data, tags_data],
                        [priority_data, department_data], epochs=1, verbose=2)
    print("list history keys:", sorted(history.history))
    print("list evaluate:", model.evaluate([title_data, content_data, tags_data],
                                           [priority_data, department_data], verbose=0))
    priority_preds, department_preds = model.predict([title_data, content_data, tags_data],
                                                     verbose=0)
    print("predictions:", priority_preds.shape, department_preds.shape)


def train_with_dicts(model, data):
    title_data, content_data, tags_data, priority_data, department_data = data
    model.compile(
        optimizer="rmsprop",
        loss={"priority": "mean_squared_error", "department": "categorical_crossentropy"},
        metrics={"priority": ["mean_absolute_error"], "department": ["accuracy"]})
    inputs = {"title": title_data, "content": content_data, "tags": tags_data}
    targets = {"priority": priority_data, "department": department_data}
    history = model.fit(inputs, targets, epochs=1, verbose=2)
    print("dict history keys:", sorted(history.history))
    print("dict evaluate:", model.evaluate(inputs, targets, verbose=0))
    predictions = model.predict(inputs, verbose=0)  # a list, in the order of the outputs
    priority_preds, department_preds = predictions
    print("predictions:", priority_preds.shape, department_preds.shape)


def plot(model, filename, out, **kwargs):
    """`plot_model` writes PNG through Graphviz or matplotlib; without either, SVG."""
    path = os.path.join(out, filename)
    try:
        plot_model(model, path, **kwargs)
    except ImportError:
        path = os.path.splitext(path)[0] + ".svg"
        plot_model(model, path, **kwargs)
    print("wrote", path)


class NewsModel(keras.Model):
    def __init__(self, n):
        super().__init__()  # call the parent's constructor first
        self.concat_layer = layers.Concatenate()
        self.mixing_layer = layers.Dense(64, activation="relu")
        self.priority_scorer = layers.Dense(1, activation="sigmoid")
        self.department_scorer = layers.Dense(n, activation="softmax")

    def call(self, inputs):  # the forward pass
        title = inputs["title"]
        content = inputs["content"]
        tags = inputs["tags"]
        features = self.concat_layer([title, content, tags])
        features = self.mixing_layer(features)
        priority = self.priority_scorer(features)
        department = self.department_scorer(features)
        return priority, department


def subclassed(data, department_size):
    title_data, content_data, tags_data, priority_data, department_data = data
    inputs = {"title": title_data, "content": content_data, "tags": tags_data}
    model = NewsModel(n=department_size)
    priority, department = model(inputs)  # the first call builds the layers
    print("NewsModel called:", tuple(priority.shape), tuple(department.shape))
    model.compile(optimizer="rmsprop",
                  loss=["mean_squared_error", "categorical_crossentropy"],
                  metrics=[["mean_absolute_error"], ["accuracy"]])
    history = model.fit(inputs, [priority_data, department_data], epochs=1, verbose=2)
    print("NewsModel history keys:", sorted(history.history))
    model.evaluate(inputs, [priority_data, department_data], verbose=0)
    priority_preds, department_preds = model.predict(inputs, verbose=0)
    print("NewsModel predictions:", priority_preds.shape, department_preds.shape)


class Classifier(keras.Model):
    def __init__(self, n):
        super().__init__()
        if n == 2:
            units = 1
            activation = "sigmoid"
        else:
            units = n
            activation = "softmax"
        self.dense = keras.layers.Dense(units, activation=activation)

    def call(self, inputs):
        return self.dense(inputs)


def mixed_models():
    inputs = keras.Input(shape=(3,))  # a functional model that contains a subclassed one
    features = layers.Dense(64, activation="relu")(inputs)
    outputs = Classifier(n=10)(features)
    model = keras.Model(inputs=inputs, outputs=outputs)
    print("functional with subclass:", model.predict(np.ones((2, 3)), verbose=0).shape)

    inputs = keras.Input(shape=(64,))  # a subclassed model that contains a functional one
    outputs = layers.Dense(1, activation="sigmoid")(inputs)
    binary_classifier = keras.Model(inputs, outputs)

    class MyModel(keras.Model):
        def __init__(self, n):
            super().__init__()
            self.dense = layers.Dense(64, activation="relu")
            self.classifier = binary_classifier

        def call(self, inputs):
            features = self.dense(inputs)
            return self.classifier(features)

    model = MyModel(n=5)
    print("subclass with functional:", tuple(model(np.ones((2, 7), "float32")).shape))


def main():
    args = parse_args()
    keras.utils.set_random_seed(0)
    news_size = 200 if args.quick else 10000
    tag_size = 20
    department_size = 5
    n = 64 if args.quick else 1280
    data = make_data(n, news_size, tag_size, department_size)

    model, (title, content, tags), (priority, department) = news_model(
        news_size, tag_size, department_size)
    train_with_lists(model, data)
    train_with_dicts(model, data)
    plot(model, "news_classifier.png", args.out)
    print(model.layers)

    features = model.layers[4].output  # feature extraction: a new head on the hidden layer
    potential = layers.Dense(3, activation="softmax", name="potential")(features)
    new_model = keras.Model([title, content, tags], [priority, department, potential])
    plot(new_model, "new_news_classifier.png", args.out, show_layer_names=True)

    subclassed(data, department_size)
    mixed_models()


if __name__ == "__main__":
    main()
