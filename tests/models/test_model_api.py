"""Functional, Sequential and subclassed models: structure, calls, state_dict, errors."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers


def news_model(news_size=50, tag_size=6, departments=5):
    title = keras.Input(shape=(news_size,), name="title")
    content = keras.Input(shape=(news_size,), name="content")
    tags = keras.Input(shape=(tag_size,), name="tags")
    features = layers.Concatenate()([title, content, tags])
    features = layers.Dense(64, activation="relu")(features)
    priority = layers.Dense(1, activation="sigmoid", name="priority")(features)
    department = layers.Dense(departments, activation="softmax", name="department")(features)
    model = keras.Model(inputs=[title, content, tags], outputs=[priority, department])
    return model, (title, content, tags), (priority, department)


def news_data(n=8, news_size=50, tag_size=6):
    rng = np.random.default_rng(0)
    return {
        "title": rng.integers(0, 2, size=(n, news_size)),
        "content": rng.integers(0, 2, size=(n, news_size)),
        "tags": rng.integers(0, 2, size=(n, tag_size)),
    }


def test_symbolic_tensor_shape_and_dtype():
    inputs = keras.Input(shape=(3,), name="funtinoal_api")
    features = layers.Dense(64, activation="relu")(inputs)
    assert inputs.shape == (None, 3) and inputs.dtype == "float32"
    assert features.shape == (None, 64) and features.dtype == "float32"


def test_multi_input_output_model_by_list_and_by_dict():
    model, _, _ = news_model()
    data = news_data()
    by_dict = model(data)
    by_list = model([data["title"], data["content"], data["tags"]])
    assert [tuple(o.shape) for o in by_dict] == [(8, 1), (8, 5)]
    for a, b in zip(by_dict, by_list):
        torch.testing.assert_close(a, b)
    assert [layer.name for layer in model.layers] == [
        "title", "content", "tags", "concatenate", "dense", "priority", "department",
    ]


def test_missing_dict_input_is_named():
    model, _, _ = news_model()
    data = news_data()
    del data["tags"]
    with pytest.raises(ValueError, match=r"missing \['tags'\]"):
        model(data)


def test_feature_extraction_from_intermediate_layer():
    model, inputs, (priority, department) = news_model()
    features = model.layers[4].output
    potential = layers.Dense(3, activation="softmax", name="potential")(features)
    new_model = keras.Model(list(inputs), [priority, department, potential])
    outputs = new_model(news_data())
    assert [tuple(o.shape) for o in outputs] == [(8, 1), (8, 5), (8, 3)]
    torch.testing.assert_close(outputs[0], model(news_data())[0])  # shared weights


def test_shared_layer_has_two_nodes():
    a, b = keras.Input(shape=(4,)), keras.Input(shape=(4,))
    shared = layers.Dense(2)
    model = keras.Model([a, b], layers.Add()([shared(a), shared(b)]))
    assert len(shared._inbound_nodes) == 2 and model.count_params() == 10
    x = torch.ones(3, 4)
    torch.testing.assert_close(model([x, x]), 2 * shared(x))


def test_get_layer_by_name_and_index():
    model, _, _ = news_model()
    assert model.get_layer("priority") is model.layers[5]
    assert model.get_layer(index=-1).name == "department"
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")


def test_sequential_is_lazy_until_input_known():
    model = keras.Sequential([layers.Dense(64, activation="relu"), layers.Dense(10)])
    assert not model.built and model.weights == []
    model.build(input_shape=(None, 3))
    assert model.built and [tuple(w.shape) for w in model.weights] == [
        (3, 64), (64,), (64, 10), (10,),
    ]


def test_sequential_add_input_first_and_pop():
    model = keras.Sequential()
    model.add(keras.Input(shape=(3,)))
    model.add(layers.Dense(64, activation="relu"))
    model.add(layers.Dense(2))
    assert model.built and model.output.shape == (None, 2)
    popped = model.pop()
    assert popped.name == "dense_1" and model.output.shape == (None, 64)
    assert len(model.layers) == 1


def test_sequential_input_shape_argument_builds_at_once():
    model = keras.Sequential([layers.Dense(2, input_shape=(4,)), layers.Dense(1)])
    assert model.built and model.count_params() == 13


def test_sequential_builds_on_first_call():
    model = keras.Sequential([layers.Dense(4), layers.Dense(1)])
    output = model(np.ones((5, 3)))
    assert output.shape == (5, 1) and model.built and model.input.shape == (None, 3)


def test_state_dict_keys_and_round_trip():
    model = keras.Sequential([layers.Dense(4), layers.Dense(1)])
    model.build((None, 3))
    assert list(model.state_dict()) == [
        "layers.0.kernel", "layers.0.bias", "layers.1.kernel", "layers.1.bias",
    ]
    clone = keras.Sequential([layers.Dense(4), layers.Dense(1)])
    clone.build((None, 3))
    clone.load_state_dict(model.state_dict())
    x = torch.randn(2, 3)
    torch.testing.assert_close(clone(x), model(x))


def test_model_moved_with_to_runs():
    model, _, _ = news_model()
    model.to(torch.float64)
    outputs = model({k: torch.as_tensor(v, dtype=torch.float64) for k, v in news_data().items()})
    assert outputs[0].dtype == torch.float64


def test_subclassed_news_model_with_dict_inputs():
    class NewsModel(keras.Model):
        def __init__(self, n):
            super().__init__()
            self.concat_layer = layers.Concatenate()
            self.mixing_layer = layers.Dense(64, activation="relu")
            self.priority_scorer = layers.Dense(1, activation="sigmoid")
            self.department_scorer = layers.Dense(n, activation="softmax")

        def call(self, inputs):
            features = self.concat_layer([inputs["title"], inputs["content"], inputs["tags"]])
            features = self.mixing_layer(features)
            return self.priority_scorer(features), self.department_scorer(features)

    model = NewsModel(n=5)
    priority, department = model(news_data())
    assert priority.shape == (8, 1) and department.shape == (8, 5)
    assert model.name == "news_model" and len(model.layers) == 4
    assert "mixing_layer.kernel" in model.state_dict()


def test_subclass_inside_functional_and_functional_inside_subclass():
    class Classifier(keras.Model):
        def __init__(self, n):
            super().__init__()
            units, activation = (1, "sigmoid") if n == 2 else (n, "softmax")
            self.dense = layers.Dense(units, activation=activation)

        def call(self, inputs):
            return self.dense(inputs)

    inputs = keras.Input(shape=(3,))
    features = layers.Dense(64, activation="relu")(inputs)
    model = keras.Model(inputs=inputs, outputs=Classifier(n=10)(features))
    assert model(np.ones((2, 3))).shape == (2, 10)

    inner_inputs = keras.Input(shape=(64,))
    binary_classifier = keras.Model(inner_inputs, layers.Dense(1, activation="sigmoid")(inner_inputs))

    class MyModel(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(64, activation="relu")
            self.classifier = binary_classifier

        def call(self, inputs):
            return self.classifier(self.dense(inputs))

    outer = MyModel()
    assert outer(np.ones((2, 5))).shape == (2, 1)
    assert len(outer.trainable_weights) == 4


def test_subclassed_model_build_from_shape():
    class Two(keras.Model):
        def __init__(self):
            super().__init__()
            self.first, self.second = layers.Dense(4), layers.Dense(2)

        def call(self, inputs):
            return self.second(self.first(inputs))

    model = Two()
    model.build((None, 3))
    assert model.built and model.count_params() == 4 * 4 + 5 * 2


def test_functional_errors():
    with pytest.raises(ValueError, match="both `inputs` and `outputs`"):
        keras.Model(inputs=keras.Input(shape=(2,)))
    orphan = keras.Input(shape=(2,))
    other = keras.Input(shape=(2,))
    with pytest.raises(ValueError, match="not among the model's inputs"):
        keras.Model(orphan, layers.Add()([orphan, other]))
    with pytest.raises(ValueError, match="expects 1 input"):
        keras.Model(orphan, layers.Dense(1)(orphan))([np.ones((1, 2)), np.ones((1, 2))])


def test_summary_of_unbuilt_and_nested_models():
    lines = []
    model = keras.Sequential([layers.Dense(3)])
    model.summary(print_fn=lines.append)
    assert any("0 (unbuilt)" in line and "?" in line for line in lines)
    inner_inputs = keras.Input(shape=(4,))
    inner = keras.Model(inner_inputs, layers.Dense(2)(inner_inputs))
    outer_inputs = keras.Input(shape=(4,))
    outer = keras.Model(outer_inputs, inner(outer_inputs))
    lines = []
    outer.summary(print_fn=lines.append, expand_nested=True)
    text = "\n".join(lines)
    assert "functional (Functional)" in text and "└ dense_1 (Dense)" in text
    assert " Total params: 10 (40.00 B)" in text


def test_intermediate_inputs_become_input_layer_clones_as_in_keras():
    inputs = keras.Input((4,))
    hidden = layers.Dense(3, name="a")(inputs)
    model = keras.Model(hidden, layers.Dense(2, name="b")(hidden))
    assert [layer.name for layer in model.layers] == [f"{hidden.name}CLONE", "b"]
    x = np.ones((2, 3), "float32")
    rebuilt = keras.Model.from_config(model.get_config())
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_allclose(rebuilt.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(ValueError, match="not among the model's inputs"):
        keras.Model(hidden, layers.Add()([hidden, layers.Dense(3)(inputs)]))
