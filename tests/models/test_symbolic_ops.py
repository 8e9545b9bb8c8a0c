"""`keras.ops` and Python operators on symbolic tensors: functional models that record operations
(`inputs * 2`, `keras.ops.expand_dims(x, -1)`, `x[:, 1:3]`) run, train, summarise, save and load,
and exchange `.keras` files and configs with real Keras 3."""

import inspect
import json
import os

import numpy as np
import pytest
import torch

import torchkeras
from torchkeras import layers
from torchkeras.layers.operation import Operation
from torchkeras.ops import symbolic_dispatch

os.environ.setdefault("KERAS_BACKEND", "torch")
try:
    import keras
except ImportError:  # the comparisons with real Keras are skipped without it
    keras = None

needs_keras = pytest.mark.skipif(keras is None, reason="real keras is not installed")
X = np.arange(24, dtype="float32").reshape(4, 6) / 10 - 1

# (Python expression on a symbolic tensor `t`, Keras' operation class it records)
OPERATORS = [
    (lambda t: t + 1, "Add"), (lambda t: 1 + t, "Add"), (lambda t: t - 1, "Subtract"),
    (lambda t: 1 - t, "Subtract"), (lambda t: t * 2, "Multiply"), (lambda t: 2 * t, "Multiply"),
    (lambda t: t @ np.ones((6, 2), "float32"), "Matmul"), (lambda t: t / 2, "TrueDivide"),
    (lambda t: 2 / (t + 5), "TrueDivide"), (lambda t: t // 0.3, "FloorDivide"),
    (lambda t: t % 0.3, "Mod"), (lambda t: t**2, "Power"), (lambda t: 2**t, "Power"),
    (lambda t: -t, "Negative"), (lambda t: abs(t), "Absolute"), (lambda t: t < 0, "Less"),
    (lambda t: t <= 0, "LessEqual"), (lambda t: t > 0, "Greater"), (lambda t: t >= 0, "GreaterEqual"),
    (lambda t: t != 0, "NotEqual"), (lambda t: (t > 0) & (t < 0.5), "LogicalAnd"),
    (lambda t: (t > 0) | (t < -0.5), "LogicalOr"), (lambda t: (t > 0) ^ (t < 0.5), "LogicalXor"),
    (lambda t: ~(t > 0), "LogicalNot"), (lambda t: round(t), "Round"),
    (lambda t: t[:, 1:3], "GetItem"), (lambda t: t[..., None, 0], "GetItem"),
    (lambda t: t.reshape((-1, 2, 3)), "Reshape"), (lambda t: t[:, None].squeeze(1), "Squeeze"),
]  # fmt: skip


def _model_of(expression):
    inputs = torchkeras.Input((6,), name="x")
    return torchkeras.Model(inputs, expression(inputs))


def _eager(expression, class_name):
    """The same expression on a tensor, through keras.ops' eager path (torch tensors have no
    `__round__`, so `round(t)` is `ops.round`)."""
    x = torch.from_numpy(X)
    return np.asarray(torchkeras.ops.round(x) if class_name == "Round" else expression(x))


@pytest.mark.parametrize("expression, class_name", OPERATORS)
def test_operators_record_keras_operations_that_compute_like_eager(expression, class_name):
    model = _model_of(expression)
    operation = model.operations[-1]
    assert isinstance(operation, Operation) and operation.keras_class_name == class_name
    found = model.predict(X, verbose=0)
    expected = _eager(expression, class_name)
    assert found.shape == expected.shape and found.dtype == expected.dtype
    np.testing.assert_allclose(found, expected, rtol=1e-6)
    assert model.output.shape == (None, *expected.shape[1:])


def test_ops_functions_record_operations_with_config_and_call_arguments():
    inputs = torchkeras.Input((6,), name="x")
    ops = torchkeras.ops
    expanded = ops.expand_dims(inputs, axis=-1)
    joined = ops.concatenate([expanded, expanded], axis=-1)
    first, second = ops.split(inputs, 2, axis=-1)
    values, indices = ops.top_k(inputs, k=2)
    summed = ops.sum(ops.softmax(first * second, axis=-1), axis=1, keepdims=True)
    model = torchkeras.Model(inputs, [joined, summed, values, indices, ops.cast(inputs > 0, "int32")])
    concatenate = model.get_config()["layers"][[op.name for op in model.operations].index("concatenate")]
    assert concatenate["config"] == {"name": "concatenate", "axis": -1}
    assert len(concatenate["inbound_nodes"][0]["args"][0]) == 2  # the list of tensors
    found = model.predict(X, verbose=0)
    x = torch.from_numpy(X)
    halves = torch.split(x, 3, dim=-1)
    expected = [
        torch.stack([x, x], dim=-1),
        torch.softmax(halves[0] * halves[1], dim=-1).sum(1, keepdim=True),
        *torch.topk(x, 2),
        (x > 0).int(),
    ]
    for got, want in zip(found, expected):
        np.testing.assert_allclose(got, want.numpy(), rtol=1e-6)
    assert [tuple(t.shape) for t in model.outputs] == [(None, 6, 2), (None, 1), (None, 2), (None, 2), (None, 6)]


@pytest.mark.parametrize(
    "name, args, class_name",
    [("swish", (), "Silu"), ("isin", (np.array([0.1, -0.5], "float32"),), "IsIn"),
     ("cdist", None, "CDist"), ("rms_normalization", (), "RMSNorm")],
)  # fmt: skip
def test_functions_named_apart_from_their_keras_class(name, args, class_name):
    function = getattr(torchkeras.ops, name)
    inputs = torchkeras.Input((6,), name="x")
    model = torchkeras.Model(inputs, function(inputs, *(args if args is not None else (inputs,))))
    assert model.operations[-1].keras_class_name == class_name
    x = torch.from_numpy(X)
    expected = function(x, *(args if args is not None else (x,)))
    np.testing.assert_allclose(model.predict(X, verbose=0), np.asarray(expected), rtol=1e-6)
    rebuilt = torchkeras.Model.from_config(model.get_config())
    np.testing.assert_allclose(rebuilt.predict(X, verbose=0), np.asarray(expected), rtol=1e-6)


def test_operations_are_not_layers_but_show_in_summary():
    inputs = torchkeras.Input((6,), name="x")
    outputs = layers.Dense(3, name="dense")(torchkeras.ops.expand_dims(inputs * 2, -1)[:, :, 0])
    model = torchkeras.Model(inputs, outputs)
    assert [layer.name for layer in model.layers] == ["x", "dense"]  # as in Keras
    assert [op.name for op in model.operations] == ["x", "multiply", "expand_dims", "get_item", "dense"]
    assert list(model.state_dict()) == ["layers.1.kernel", "layers.1.bias"]
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    for row in ("multiply (Multiply)", "get_item (GetItem)", "dense (Dense)"):
        assert row in text
    assert "expand_dims" in text and "(ExpandDims)" in text


def test_a_model_with_operations_trains():
    inputs = torchkeras.Input((6,), name="x")
    hidden = layers.Dense(4)(inputs / 2.0)
    model = torchkeras.Model(inputs, hidden + torchkeras.ops.mean(hidden, axis=-1, keepdims=True))
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_weights()[0].copy()
    history = model.fit(X, np.ones((4, 4), "float32"), epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert not np.allclose(before, model.get_weights()[0])


def _rich_model(namespace):
    inputs = namespace.Input((6,), name="x")
    scaled = inputs * np.array([1, 2, 3, 4, 5, 6], "float32") + 1
    expanded = namespace.ops.expand_dims(scaled, -1)
    window = namespace.ops.concatenate([expanded, expanded], axis=-1)[:, 1:5, ..., None]
    dense = namespace.layers.Dense(3, name="dense")(inputs.reshape((-1, 6)))
    pooled = namespace.ops.sum(namespace.ops.softmax(dense, axis=-1) ** 2, axis=1, keepdims=True)
    return namespace.Model(inputs, [window, dense, pooled, namespace.ops.cast(inputs > 0, "int32")])


def _assert_same_outputs(found, expected):
    for got, want in zip(found, expected):
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_config_and_keras_file_round_trip(tmp_path):
    model = _rich_model(torchkeras)
    expected = model.predict(X, verbose=0)
    rebuilt = torchkeras.Model.from_config(json.loads(json.dumps(model.get_config())))
    rebuilt.set_weights(model.get_weights())
    _assert_same_outputs(rebuilt.predict(X, verbose=0), expected)
    model.save(tmp_path / "ops.keras")
    loaded = torchkeras.models.load_model(tmp_path / "ops.keras")
    _assert_same_outputs(loaded.predict(X, verbose=0), expected)
    assert [op.name for op in loaded.operations] == [op.name for op in model.operations]


def test_clone_model_keeps_operations():
    model = _rich_model(torchkeras)
    clone = torchkeras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    assert sorted(op.name for op in clone.operations) == sorted(op.name for op in model.operations)
    _assert_same_outputs(clone.predict(X, verbose=0), model.predict(X, verbose=0))


@needs_keras
def test_config_equals_real_keras():
    def comparable(config):  # JSON form; Keras leaves the InputLayer's build_config out
        config = json.loads(json.dumps(config))
        config["layers"][0].pop("build_config", None)
        return config

    torchkeras.utils.clear_session()  # both name counters from zero: `multiply`, `add` ...
    keras.utils.clear_session()
    ours = _rich_model(torchkeras).get_config()
    assert comparable(ours) == comparable(_rich_model(keras).get_config())


@needs_keras
def test_keras_files_travel_both_ways(tmp_path):
    ours, theirs = _rich_model(torchkeras), _rich_model(keras)
    theirs.set_weights(ours.get_weights())
    expected = ours.predict(X, verbose=0)
    _assert_same_outputs(theirs.predict(X, verbose=0), expected)
    ours.save(tmp_path / "torchkeras.keras")
    theirs.save(tmp_path / "keras.keras")
    _assert_same_outputs(keras.models.load_model(tmp_path / "torchkeras.keras").predict(X, verbose=0), expected)
    _assert_same_outputs(torchkeras.models.load_model(tmp_path / "keras.keras").predict(X, verbose=0), expected)


def test_every_tabled_operation_matches_a_torchkeras_function():
    for name, (module, class_name, config_names, call_names) in symbolic_dispatch.keras_operations().items():
        namespace = torchkeras.ops.image if name.startswith("image.") else torchkeras.ops
        function = getattr(namespace, name.removeprefix("image."), None)
        if name == "get_item":
            continue  # KerasTensor.__getitem__'s, not a public function
        assert function is not None, name
        parameters = inspect.signature(function).parameters
        assert set(config_names + call_names) <= set(parameters), (name, class_name)
        assert module.startswith("keras.src.ops.")


def test_eager_ops_are_unchanged():
    assert torchkeras.ops.add.__name__ == "add" and "elementwise" in torchkeras.ops.add.__doc__
    result = torchkeras.ops.add(torch.ones(2), 1)
    assert isinstance(result, torch.Tensor) and result.tolist() == [2.0, 2.0]
    inputs = torchkeras.Input((3, 5))
    assert torchkeras.ops.shape(inputs) == (None, 3, 5) and torchkeras.ops.dtype(inputs) == "float32"


def test_unknown_operations_fail_clearly():
    with pytest.raises(ValueError, match="'nope' is not a `keras.ops` function"):
        Operation("nope")
    config = {"module": "keras.src.ops.numpy", "class_name": "Nope", "config": {"name": "n"}}
    with pytest.raises(ValueError, match="Unknown Keras operation class 'Nope'"):
        torchkeras.saving.deserialize_keras_object(config)


def _image_model(namespace):
    inputs = namespace.Input((8, 8, 3), name="img")
    small = namespace.ops.image.resize(inputs, (4, 4))
    patches = namespace.ops.image.extract_patches(inputs, 4)
    gray = namespace.ops.image.rgb_to_grayscale(small)
    return namespace.Model(inputs, [gray, patches, namespace.ops.image.rgb_to_hsv(inputs)])


def test_image_ops_record_operations():
    model = _image_model(torchkeras)
    names = [op.keras_class_name for op in model.operations[1:]]
    assert sorted(names) == ["ExtractPatches", "RGBToGrayscale", "RGBToHSV", "Resize"]
    images = np.random.default_rng(0).random((2, 8, 8, 3)).astype("float32")
    x = torch.from_numpy(images)
    expected = [
        torchkeras.ops.image.rgb_to_grayscale(torchkeras.ops.image.resize(x, (4, 4))),
        torchkeras.ops.image.extract_patches(x, 4),
        torchkeras.ops.image.rgb_to_hsv(x),
    ]
    _assert_same_outputs(model.predict(images, verbose=0), [np.asarray(e) for e in expected])


@needs_keras
def test_image_op_files_travel_both_ways(tmp_path):
    """Keras writes image operations without a `name` in their config (the entry names them)."""
    images = np.random.default_rng(0).random((2, 8, 8, 3)).astype("float32")
    ours, theirs = _image_model(torchkeras), _image_model(keras)
    expected = ours.predict(images, verbose=0)
    ours.save(tmp_path / "torchkeras.keras")
    theirs.save(tmp_path / "keras.keras")
    loaded_by_keras = keras.models.load_model(tmp_path / "torchkeras.keras").predict(images, verbose=0)
    loaded_by_us = torchkeras.models.load_model(tmp_path / "keras.keras").predict(images, verbose=0)
    for found in (loaded_by_keras, loaded_by_us):
        for got, want in zip(found, expected):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_submodule_functions_record_operations_too():
    inputs = torchkeras.Input((6,), name="x")
    ops = torchkeras.ops
    outputs = [
        ops.numpy.add(inputs, 1), ops.nn.relu(inputs), ops.math.logsumexp(inputs, axis=-1),
        ops.linalg.norm(inputs, axis=-1), ops.core.cast(inputs, "int32"),
    ]  # fmt: skip
    model = torchkeras.Model(inputs, outputs)
    assert [op.keras_class_name for op in model.operations[1:]] == [
        "Add", "Relu", "Logsumexp", "Norm", "Cast"
    ]  # fmt: skip
    assert ops.add is ops.numpy.add  # one wrapper, re-exported, not wrapped twice
    x = torch.from_numpy(X)
    expected = [x + 1, torch.relu(x), torch.logsumexp(x, -1), x.norm(dim=-1), x.int()]
    for got, want in zip(model.predict(X, verbose=0), expected):
        np.testing.assert_allclose(got, want.numpy(), rtol=1e-6)
