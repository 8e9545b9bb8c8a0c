"""Hand-built tf.keras 2 `.h5` model files (h5py + json only) and their expected predictions.

TensorFlow is not installed here, so these files reproduce what tf.keras 2.x's `model.save("m.h5")`
writes, convention by convention: byte-string attributes, `batch_input_shape`, nested-list
`inbound_nodes`, `Functional`/`Sequential` class names, dtype strings, initializers without
`module`, `kernel:0` weight names, a tf.keras 2 training config and optimizer state. Expected
outputs are computed with numpy from the stored weights, independently of torchkeras.

Run `python -m compat.make_legacy_references` to rewrite `compat/references/legacy/`.
"""

import base64
import json
import marshal
import pathlib
import types

import h5py
import numpy as np

OUT = pathlib.Path(__file__).resolve().parent / "references" / "legacy"
_GLOROT = {"class_name": "GlorotUniform", "config": {"seed": None}}
_ZEROS = {"class_name": "Zeros", "config": {}}


def dense_config(name, units, activation="linear", **extra):
    """A tf.keras 2 Dense config."""
    return {
        "name": name, "trainable": True, **extra, "dtype": "float32", "units": units,
        "activation": activation, "use_bias": True, "kernel_initializer": _GLOROT,
        "bias_initializer": _ZEROS, "kernel_regularizer": None, "bias_regularizer": None,
        "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None,
    }


def _names(values):
    """tf.keras 2 writes names as fixed-length byte strings (an empty list as float64)."""
    return np.asarray([v.encode("utf8") for v in values])


def _write(path, model_config, layers, training_config=None, optimizer=None, top_level=True):
    """`layers`: `[(layer_name, [(weight_name, array), ...]), ...]` in `model.layers` order."""
    with h5py.File(path, "w") as h5:
        h5.attrs["keras_version"] = b"2.13.1"
        h5.attrs["backend"] = b"tensorflow"
        h5.attrs["model_config"] = json.dumps(model_config).encode("utf8")
        if training_config is not None:
            h5.attrs["training_config"] = json.dumps(training_config).encode("utf8")
        weights = h5.create_group("model_weights")
        weights.attrs["layer_names"] = _names([name for name, _ in layers])
        weights.attrs["backend"] = b"tensorflow"
        weights.attrs["keras_version"] = b"2.13.1"
        for name, values in layers + ([("top_level_model_weights", [])] if top_level else []):
            group = weights.create_group(name)
            group.attrs["weight_names"] = _names([weight for weight, _ in values])
            for weight, value in values:
                group.create_dataset(weight, data=value)
        if optimizer:
            group = h5.create_group("optimizer_weights")
            group.attrs["weight_names"] = _names([weight for weight, _ in optimizer])
            for weight, value in optimizer:
                group.create_dataset(weight, data=value)


def _dense_weights(rng, name, fan_in, units):
    kernel = rng.uniform(-0.5, 0.5, (fan_in, units)).astype(np.float32)
    bias = rng.uniform(-0.1, 0.1, (units,)).astype(np.float32)
    return name, [(f"{name}/kernel:0", kernel), (f"{name}/bias:0", bias)]


def _relu(x):
    return np.maximum(x, 0)


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def write_tf2_sequential(path, seed=0):
    """A TF 2.0-2.3-style Sequential (input shape on the first Dense); returns (x, expected)."""
    rng = np.random.default_rng(seed)
    config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
        {"class_name": "Dense",
         "config": dense_config("dense", 16, "relu", batch_input_shape=[None, 8])},
        {"class_name": "Dropout", "config": {"name": "dropout", "trainable": True,
                                             "dtype": "float32", "rate": 0.5,
                                             "noise_shape": None, "seed": None}},
        {"class_name": "Dense", "config": dense_config("dense_1", 3, "softmax")},
    ]}}
    d1, d2 = _dense_weights(rng, "dense", 8, 16), _dense_weights(rng, "dense_1", 16, 3)
    training = {
        "loss": "sparse_categorical_crossentropy",
        "metrics": [[{"class_name": "MeanMetricWrapper", "config": {
            "name": "accuracy", "dtype": "float32", "fn": "sparse_categorical_accuracy"}}]],
        "weighted_metrics": None, "loss_weights": None,
        "optimizer_config": {"class_name": "RMSprop", "config": {
            "name": "RMSprop", "learning_rate": 0.001, "decay": 0.0, "rho": 0.9,
            "momentum": 0.0, "epsilon": 1e-07, "centered": False}},
    }
    optimizer = [("RMSprop/iter:0", np.array(3, dtype=np.int64))] + [
        (f"RMSprop/{w[:-2]}/rms:0", np.ones_like(v)) for _, ws in (d1, d2) for w, v in ws
    ]
    _write(path, config, [d1, ("dropout", []), d2], training, optimizer, top_level=False)
    x = rng.random((6, 8), dtype=np.float32)
    (_, k1), (_, b1) = d1[1]
    (_, k2), (_, b2) = d2[1]
    return x, _softmax(_relu(x @ k1 + b1) @ k2 + b2)


def _input(name, shape, dtype="float32"):
    return {"class_name": "InputLayer", "name": name, "inbound_nodes": [], "config": {
        "batch_input_shape": [None, *shape], "dtype": dtype, "sparse": False,
        "ragged": False, "name": name}}


def _node(*sources):
    return [[name, node, 0, {}] for name, node in sources]


def _functional_layers():
    """Two inputs share a Dense (two nodes); an Embedding with `input_length`, Flatten, Add,
    Concatenate and two output Dense layers."""
    embedding = {"name": "emb", "trainable": True, "dtype": "float32", "input_dim": 10,
                 "output_dim": 2, "embeddings_initializer": {"class_name": "RandomUniform",
                 "config": {"minval": -0.05, "maxval": 0.05, "seed": None}},
                 "embeddings_regularizer": None, "activity_regularizer": None,
                 "embeddings_constraint": None, "mask_zero": False, "input_length": 3}
    plain = {"trainable": True, "dtype": "float32"}
    return [
        _input("title", [10]), _input("title2", [10]), _input("tokens", [3], "int32"),
        {"class_name": "Dense", "name": "shared", "config": dense_config("shared", 4),
         "inbound_nodes": [_node(("title", 0)), _node(("title2", 0))]},
        {"class_name": "Add", "name": "add", "config": {"name": "add", **plain},
         "inbound_nodes": [_node(("shared", 0), ("shared", 1))]},
        {"class_name": "Embedding", "name": "emb", "config": embedding,
         "inbound_nodes": [_node(("tokens", 0))]},
        {"class_name": "Flatten", "name": "flatten", "config": {
            "name": "flatten", **plain, "data_format": "channels_last"},
         "inbound_nodes": [_node(("emb", 0))]},
        {"class_name": "Concatenate", "name": "concatenate", "config": {
            "name": "concatenate", **plain, "axis": -1},
         "inbound_nodes": [_node(("add", 0), ("flatten", 0))]},
        {"class_name": "Dense", "name": "priority",
         "config": dense_config("priority", 1, "sigmoid"),
         "inbound_nodes": [_node(("concatenate", 0))]},
        {"class_name": "Dense", "name": "department",
         "config": dense_config("department", 5, "softmax"),
         "inbound_nodes": [_node(("concatenate", 0))]},
    ]


def _functional_training():
    """TF 2.11+ style: per-output losses (one a loss object), a 'new' optimizer config."""
    return {
        "loss": {"priority": "mse", "department": {
            "class_name": "CategoricalCrossentropy", "config": {
                "reduction": "auto", "name": "categorical_crossentropy", "from_logits": False,
                "label_smoothing": 0.0, "axis": -1}}},
        "metrics": {"priority": [{"class_name": "MeanMetricWrapper", "config": {
            "name": "mae", "dtype": "float32", "fn": "mean_absolute_error"}}]},
        "weighted_metrics": None, "loss_weights": None,
        "optimizer_config": {"class_name": "Custom>Adam", "config": {
            "name": "Adam", "weight_decay": None, "clipnorm": None, "global_clipnorm": None,
            "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
            "ema_overwrite_frequency": None, "jit_compile": True, "is_legacy_optimizer": False,
            "learning_rate": 0.0005, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07,
            "amsgrad": False}},
    }


def write_tf2_functional(path, seed=1):
    """A TF 2.4+-style Functional model (see `_functional_layers`); returns (x, expected)."""
    rng = np.random.default_rng(seed)
    config = {"class_name": "Functional", "config": {
        "name": "model", "layers": _functional_layers(),
        "input_layers": [["title", 0, 0], ["title2", 0, 0], ["tokens", 0, 0]],
        "output_layers": [["priority", 0, 0], ["department", 0, 0]]}}
    shared = _dense_weights(rng, "shared", 10, 4)
    table = rng.uniform(-1, 1, (10, 2)).astype(np.float32)
    priority = _dense_weights(rng, "priority", 10, 1)
    department = _dense_weights(rng, "department", 10, 5)
    weights = [("title", []), ("title2", []), ("tokens", []), shared, ("add", []),
               ("emb", [("emb/embeddings:0", table)]), ("flatten", []), ("concatenate", []),
               priority, department]
    _write(path, config, weights, _functional_training())
    x = [rng.random((5, 10), dtype=np.float32), rng.random((5, 10), dtype=np.float32),
         rng.integers(0, 10, (5, 3)).astype(np.int32)]
    (_, ks), (_, bs) = shared[1]
    features = np.concatenate(
        [(x[0] @ ks + bs) + (x[1] @ ks + bs), table[x[2]].reshape(5, 6)], axis=-1)
    (_, kp), (_, bp) = priority[1]
    (_, kd), (_, bd) = department[1]
    return x, [1 / (1 + np.exp(-(features @ kp + bp))), _softmax(features @ kd + bd)]


def lambda_payload(sentinel):
    """Base64 marshalled bytecode that would create `sentinel` if anything ever ran it."""
    source = f"lambda x: open({str(sentinel)!r}, 'w').close() or x"
    module = compile(source, "<payload>", "eval")
    code = next(c for c in module.co_consts if isinstance(c, types.CodeType))
    return base64.b64encode(marshal.dumps(code)).decode("ascii")


def write_lambda_model(path, sentinel, keras3=False):
    """A Sequential Dense -> Lambda(bytecode) model, in tf.keras 2 or Keras 3 form."""
    payload = lambda_payload(sentinel)
    if keras3:
        function = {"class_name": "__lambda__", "config": {
            "code": payload, "defaults": None, "closure": None}}
        extra = {}
        first = [{"class_name": "InputLayer", "config": {"batch_shape": [None, 4],
                                                         "dtype": "float32", "name": "in"}}]
    else:
        function = [payload, None, None]
        extra = {"function_type": "lambda", "module": "__main__", "output_shape_type": "raw",
                 "output_shape_module": None}
        first = []
    dense = dense_config("dense", 2, batch_input_shape=[None, 4]) if not keras3 else (
        dense_config("dense", 2))
    lam = {"name": "lambda", "trainable": True, "dtype": "float32", "function": function,
           "output_shape": None, "arguments": {}, **extra}
    config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
        *first, {"class_name": "Dense", "config": dense}, {"class_name": "Lambda",
                                                           "config": lam}]}}
    rng = np.random.default_rng(2)
    _write(path, config, [_dense_weights(rng, "dense", 4, 2), ("lambda", [])])
    if keras3:
        with h5py.File(path, "a") as h5:
            h5.attrs["keras_version"] = "3.15.1"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    x, expected = write_tf2_sequential(OUT / "tf2_sequential.h5")
    np.savez(OUT / "tf2_sequential.npz", x=x, prediction_0=expected)
    x, expected = write_tf2_functional(OUT / "tf2_functional.h5")
    np.savez(OUT / "tf2_functional.npz", x0=x[0], x1=x[1], x2=x[2],
             prediction_0=expected[0], prediction_1=expected[1])
    print(f"wrote {sorted(p.name for p in OUT.iterdir())}")


if __name__ == "__main__":
    main()
