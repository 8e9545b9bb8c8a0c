"""`get` / `serialize` / `deserialize` cases of every object family, shared by generator and test.

Each function takes a library (real `keras` or `torchkeras`) and returns a JSON-able record of
what it observed, so `compat/make_api_references.py` stores Keras' record and
`compat/test_api.py` compares torchkeras' record with it leaf by leaf. `deserialize` reads the
configs that *Keras* serialized (the stored record), so torchkeras is checked on Keras' format.
"""

import copy
import json
import math

import numpy as np
import torch

# family -> (module path under the library, identifiers handed to `get`)
GET_IDENTIFIERS = {
    "losses": [None, "mse", "categorical_crossentropy", "BinaryCrossentropy", "huber",
               {"class_name": "Hinge", "config": {"reduction": "sum", "name": "h"}}],
    "metrics": [None, "accuracy", "mse", "AUC", "categorical_crossentropy",
                {"class_name": "Precision", "config": {"thresholds": 0.3, "name": "p"}}],
    "optimizers": ["adam", "SGD", "rmsprop", "AdamW",
                   {"class_name": "Adam", "config": {"learning_rate": 0.01, "amsgrad": True}}],
    "activations": [None, "relu", "softmax", "gelu", "leaky_relu", "linear"],
    "initializers": [None, "glorot_uniform", "zeros", "Orthogonal", "he_normal",
                     {"class_name": "RandomNormal", "config": {"stddev": 0.5, "seed": 2}}],
    "regularizers": [None, "l1", "l2", "L1L2", "orthogonal_regularizer",
                     {"class_name": "L2", "config": {"l2": 0.3}}],
    "constraints": [None, "non_neg", "max_norm", "UnitNorm",
                    {"class_name": "MinMaxNorm", "config": {"min_value": 0.2, "rate": 0.5}}],
}

# family -> objects to serialize (built from the library); their Keras configs feed deserialize
SERIALIZE_OBJECTS = {
    "losses": lambda m: [
        m.MeanSquaredError(), m.BinaryCrossentropy(from_logits=True, label_smoothing=0.1,
                                                   reduction="sum"),
        m.CategoricalFocalCrossentropy(alpha=0.5, gamma=1.0, name="focal"),
        m.Tversky(alpha=0.3, beta=0.7), m.Poisson(reduction=None),
        m.mean_absolute_error, m.binary_crossentropy, m.kl_divergence],
    "metrics": lambda m: [
        m.AUC(num_thresholds=7, curve="PR"), m.Precision(thresholds=[0.3, 0.6], top_k=None),
        m.MeanIoU(num_classes=3), m.SparseCategoricalAccuracy(name="acc"), m.Mean(name="avg"),
        m.F1Score(average="macro", threshold=0.4), m.mean_squared_error, m.binary_accuracy],
    "optimizers": lambda m: [
        m.Adam(learning_rate=0.01), m.SGD(momentum=0.9, nesterov=True, clipnorm=1.0),
        m.AdamW(weight_decay=0.1, use_ema=True), m.RMSprop(centered=True, global_clipnorm=2.0),
        m.Lion(gradient_accumulation_steps=2),
        m.Adam(learning_rate=m.schedules.ExponentialDecay(0.1, 5, 0.5))],
    "optimizers.schedules": lambda m: [
        m.ExponentialDecay(0.1, 5, 0.5, staircase=True),
        m.PiecewiseConstantDecay([3, 8], [1.0, 0.5, 0.1]),
        m.PolynomialDecay(0.1, 12, end_learning_rate=0.01, power=2.0, cycle=True),
        m.InverseTimeDecay(0.1, 5, 0.5), m.CosineDecay(0.1, 15, alpha=0.1, warmup_target=0.2,
                                                       warmup_steps=3),
        m.CosineDecayRestarts(0.1, 3, t_mul=1.5, m_mul=0.9)],
    "activations": lambda m: [m.relu, m.gelu, m.softmax, m.linear, m.silu, m.hard_sigmoid],
    "initializers": lambda m: [
        m.GlorotUniform(seed=3), m.Zeros(), m.Constant(0.5), m.RandomNormal(0.1, 2.0, seed=1),
        m.VarianceScaling(2.0, "fan_out", "uniform", seed=4), m.Orthogonal(gain=1.5, seed=5),
        m.TruncatedNormal(stddev=0.3)],
    "regularizers": lambda m: [
        m.L1(0.2), m.L2(0.3), m.L1L2(l1=0.1, l2=0.05), m.OrthogonalRegularizer(0.02, "columns")],
    "constraints": lambda m: [
        m.MaxNorm(2, axis=1), m.NonNeg(), m.UnitNorm(axis=[0, 1]),
        m.MinMaxNorm(0.1, 3.0, rate=0.5, axis=0)],
}


def module(lib, family):
    """`lib.<family>`, dotted paths allowed (`optimizers.schedules`)."""
    for part in family.split("."):
        lib = getattr(lib, part)
    return lib


def jsonable(value):
    """Configs as plain JSON types: tuples become lists, tensors and NumPy values Python numbers."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, torch.Tensor):
        return jsonable(value.detach().cpu().numpy())
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()
    return value


def as_stored(record):
    """`record` as the JSON file holds it: tuples as lists, NaN as the string "nan" (so that
    records compare equal with `==`, which NaN never does)."""
    def no_nan(value):
        if isinstance(value, float) and math.isnan(value):
            return "nan"
        if isinstance(value, dict):
            return {k: no_nan(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [no_nan(v) for v in value]
        return value

    return json.loads(json.dumps(no_nan(jsonable(record))))


def canonical(config):
    """Keras' torch backend serializes its optimizers from a backend subclass.

    `module` is then `keras.src.backend.torch.optimizers...` and `registered_name` the class
    name; Keras' other backends (and torchkeras) write `keras.optimizers` and None. Both forms
    deserialize to the same optimizer, so the comparison uses the backend-neutral form.
    """
    if isinstance(config, dict) and str(config.get("module", "")).startswith("keras.src.backend"):
        return {**config, "module": "keras.optimizers", "registered_name": None}
    return config


def describe(obj):
    """What `get` / `deserialize` returned: None, a function's name, or a class and its config."""
    if obj is None:
        return None
    if isinstance(obj, type):
        return {"class": obj.__name__}
    if callable(obj) and hasattr(obj, "__name__") and not hasattr(obj, "get_config"):
        return {"function": obj.__name__}
    record = {"instance": type(obj).__name__}
    if hasattr(obj, "get_config"):
        config = obj.get_config()
        if isinstance(config, dict) and isinstance(config.get("learning_rate"), dict):
            config = {**config, "learning_rate": canonical(config["learning_rate"])}
        record["config"] = jsonable(config)
    return record


def get_record(lib, family):
    """`[describe(get(identifier))]` for the family's identifiers."""
    get = module(lib, family).get
    return [describe(get(identifier)) for identifier in GET_IDENTIFIERS[family]]


def serialize_record(lib, family):
    """`[serialize(obj)]` for the family's objects, in Keras' backend-neutral form."""
    mod = module(lib, family)
    return [canonical(jsonable(mod.serialize(obj))) for obj in SERIALIZE_OBJECTS[family](mod)]


def deserialize_record(lib, family, keras_configs):
    """`[describe(deserialize(config))]` for configs that Keras serialized."""
    mod = module(lib, family)
    records = []
    for config in keras_configs:
        try:
            records.append(describe(mod.deserialize(copy.deepcopy(config))))  # Keras mutates it
        except (TypeError, ValueError) as error:
            records.append({"error": type(error).__name__})
    return records


def serialization_references(keras):
    """`{family: {"get", "serialize", "deserialize"}}` as Keras computes them."""
    def fresh():  # the compat tests start every test with a fresh session (auto names)
        keras.backend.clear_session()
        keras.utils.set_random_seed(0)

    record = {}
    for family in SERIALIZE_OBJECTS:
        fresh()
        serialized = serialize_record(keras, family)
        fresh()
        record[family] = {
            "serialize": serialized,
            "deserialize": deserialize_record(keras, family, serialized),
        }
        if family in GET_IDENTIFIERS:
            fresh()
            record[family]["get"] = get_record(keras, family)
    return record
