"""Records real Keras' activations, regularizers, constraints and initializers into an `.npz`.

Run with real Keras 3 on its torch backend (Keras runs on the CPU, where seeded draws are made):

    KERAS_BACKEND=torch python -m compat.make_bottom_references

It writes `compat/references/bottom.npz`: the fixed inputs (`inputs/*`), every case's Keras output
(`activations/*`, `regularizers/*`, `constraints/*`, `initializers/*`), sample statistics of
large seeded draws with the values Keras' formulas predict (`stats/*`), and a JSON `cases` entry
describing each case and listing Keras' registered names. Where Keras 3.15.1 has a bug fixed
upstream (`KNOWN_BUGS`), the reference is the fixed formula and Keras' raw output is kept under
`keras_raw/*`. Inputs are built from fixed numbers and keys are written sorted, so regenerating
gives identical bytes. `tests/test_activations.py`,
`tests/test_initializers.py` and `tests/test_regularizers_constraints.py` compare torchkeras to it.
"""

import importlib
import io
import json
import math
from pathlib import Path

import numpy as np
from compat.reference_io import import_keras

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "compat" / "references" / "bottom.npz"
HANN_16 = np.hanning(16).tolist()  # scipy's symmetric "hann" window

# key: (function name, kwargs, input key).
ACTIVATIONS = {
    "relu": ("relu", {}, "x"),
    "relu_slope": ("relu", {"negative_slope": 0.1}, "x"),
    "relu_max6": ("relu", {"max_value": 6.0}, "x"),
    "relu_max4": ("relu", {"max_value": 4.0}, "x"),
    "relu_threshold": ("relu", {"threshold": 0.5}, "x"),
    "relu_slope_max": ("relu", {"negative_slope": 0.1, "max_value": 4.0}, "x"),
    "relu_slope_threshold": ("relu", {"negative_slope": 0.2, "threshold": 1.0}, "x"),
    "relu_all": ("relu", {"negative_slope": 0.1, "max_value": 4.0, "threshold": 0.5}, "x"),
    "leaky_relu": ("leaky_relu", {}, "x"),
    "leaky_relu_03": ("leaky_relu", {"negative_slope": 0.3}, "x"),
    "relu6": ("relu6", {}, "x"),
    "elu": ("elu", {}, "x"),
    "elu_05": ("elu", {"alpha": 0.5}, "x"),
    "selu": ("selu", {}, "x"),
    "celu": ("celu", {}, "x"),
    "celu_2": ("celu", {"alpha": 2.0}, "x"),
    "gelu": ("gelu", {}, "x"),
    "gelu_tanh": ("gelu", {"approximate": True}, "x"),
    "silu": ("silu", {}, "x"),
    "swish": ("swish", {}, "x"),
    "hard_silu": ("hard_silu", {}, "x"),
    "hard_swish": ("hard_swish", {}, "x"),
    "mish": ("mish", {}, "x"),
    "softplus": ("softplus", {}, "x"),
    "softsign": ("softsign", {}, "x"),
    "squareplus": ("squareplus", {}, "x"),
    "squareplus_1": ("squareplus", {"b": 1}, "x"),
    "sparse_plus": ("sparse_plus", {}, "x"),
    "exponential": ("exponential", {}, "x"),
    "linear": ("linear", {}, "x"),
    "sigmoid": ("sigmoid", {}, "x"),
    "hard_sigmoid": ("hard_sigmoid", {}, "x"),
    "sparse_sigmoid": ("sparse_sigmoid", {}, "x"),
    "log_sigmoid": ("log_sigmoid", {}, "x"),
    "tanh": ("tanh", {}, "x"),
    "hard_tanh": ("hard_tanh", {}, "x"),
    "tanh_shrink": ("tanh_shrink", {}, "x"),
    "soft_shrink": ("soft_shrink", {}, "x"),
    "soft_shrink_1": ("soft_shrink", {"threshold": 1.0}, "x"),
    "hard_shrink": ("hard_shrink", {}, "x"),
    "hard_shrink_2": ("hard_shrink", {"threshold": 2.0}, "x"),
    "threshold": ("threshold", {"threshold": 0.5, "default_value": -1.0}, "x"),
    "softmax": ("softmax", {}, "x"),
    "softmax_axis0": ("softmax", {"axis": 0}, "x"),
    "softmax_all": ("softmax", {"axis": None}, "x"),
    "log_softmax": ("log_softmax", {}, "x"),
    "log_softmax_axis0": ("log_softmax", {"axis": 0}, "x"),
    "sparsemax": ("sparsemax", {}, "x"),
    "sparsemax_axis0": ("sparsemax", {"axis": 0}, "x"),
    "sparsemax_small": ("sparsemax", {}, "x_small"),
    "sparsemax_small_axis0": ("sparsemax", {"axis": 0}, "x_small"),
    "glu": ("glu", {}, "x"),
    "glu_axis0": ("glu", {"axis": 0}, "x"),
}

# key: (class name, config, input key).
REGULARIZERS = {
    "l1": ("L1", {}, "w"),
    "l1_03": ("L1", {"l1": 0.3}, "w"),
    "l2": ("L2", {}, "w"),
    "l2_02_conv": ("L2", {"l2": 0.2}, "w4"),
    "l1l2_default": ("L1L2", {}, "w"),
    "l1l2": ("L1L2", {"l1": 0.1, "l2": 0.2}, "w"),
    "l1l2_only_l1": ("L1L2", {"l1": 0.05}, "w4"),
    "orthogonal_rows": ("OrthogonalRegularizer", {}, "w"),
    "orthogonal_columns": ("OrthogonalRegularizer", {"factor": 0.3, "mode": "columns"}, "w"),
}

CONSTRAINTS = {
    "max_norm": ("MaxNorm", {}, "w"),
    "max_norm_axis1": ("MaxNorm", {"max_value": 1.5, "axis": 1}, "w"),
    "max_norm_conv": ("MaxNorm", {"max_value": 2.5, "axis": [0, 1, 2]}, "w4"),
    "non_neg": ("NonNeg", {}, "w"),
    "unit_norm": ("UnitNorm", {}, "w"),
    "unit_norm_axis1": ("UnitNorm", {"axis": 1}, "w"),
    "unit_norm_conv": ("UnitNorm", {"axis": [0, 1, 2]}, "w4"),
    "min_max_norm": ("MinMaxNorm", {}, "w"),
    "min_max_norm_rate": (
        "MinMaxNorm",
        {"min_value": 0.5, "max_value": 2.0, "rate": 0.7, "axis": 1},
        "w",
    ),
    "min_max_norm_conv": (
        "MinMaxNorm",
        {"min_value": 1.0, "max_value": 3.0, "axis": [0, 1, 2]},
        "w4",
    ),
}

# key: (class name, config, shape, dtype); seeded, so Keras' values are exact references.
INITIALIZERS = {
    "zeros": ("Zeros", {}, [3, 4], "float32"),
    "ones": ("Ones", {}, [3, 4], "float32"),
    "constant": ("Constant", {"value": 2.5}, [3, 4], "float32"),
    "identity": ("Identity", {"gain": 2.0}, [4, 6], "float32"),
    "identity_tall": ("Identity", {}, [5, 3], "float32"),
    "random_normal": ("RandomNormal", {"mean": 1.0, "stddev": 2.0, "seed": 42}, [4, 5], "float32"),
    "random_normal_f64": ("RandomNormal", {"seed": 1}, [7], "float64"),
    "random_uniform": (
        "RandomUniform",
        {"minval": -1.0, "maxval": 3.0, "seed": 7},
        [4, 5],
        "float32",
    ),
    "random_uniform_scalar": ("RandomUniform", {"seed": 7}, [], "float32"),
    "truncated_normal": (
        "TruncatedNormal",
        {"mean": 0.5, "stddev": 1.5, "seed": 3},
        [64, 32],
        "float32",
    ),
    "glorot_uniform_dense": ("GlorotUniform", {"seed": 1}, [20, 30], "float32"),
    "glorot_uniform_conv": ("GlorotUniform", {"seed": 1}, [3, 3, 4, 8], "float32"),
    "glorot_uniform_f64": ("GlorotUniform", {"seed": 1}, [20, 30], "float64"),
    "glorot_normal_conv": ("GlorotNormal", {"seed": 2}, [3, 3, 4, 8], "float32"),
    "he_normal": ("HeNormal", {"seed": 3}, [20, 30], "float32"),
    "he_uniform_conv": ("HeUniform", {"seed": 4}, [3, 3, 4, 8], "float32"),
    "lecun_normal": ("LecunNormal", {"seed": 5}, [20, 30], "float32"),
    "lecun_uniform": ("LecunUniform", {"seed": 6}, [5, 4, 3], "float32"),
    "variance_scaling_fan_out": (
        "VarianceScaling",
        {"scale": 2.0, "mode": "fan_out", "distribution": "untruncated_normal", "seed": 9},
        [5, 6, 7],
        "float32",
    ),
    "variance_scaling_normal_alias": (
        "VarianceScaling",
        {"scale": 0.5, "mode": "fan_avg", "distribution": "normal", "seed": 10},
        [8, 16],
        "float32",
    ),
    "variance_scaling_axes": (
        "VarianceScaling",
        {"distribution": "uniform", "input_axes": [0, 1], "output_axes": [2], "seed": 11},
        [3, 4, 5],
        "float32",
    ),
    "variance_scaling_vector": ("VarianceScaling", {"seed": 12}, [9], "float32"),
    "orthogonal_tall": ("Orthogonal", {"gain": 1.5, "seed": 5}, [6, 4], "float32"),
    "orthogonal_wide": ("Orthogonal", {"seed": 5}, [4, 6], "float32"),
    "orthogonal_conv": ("Orthogonal", {"seed": 8}, [3, 3, 2, 4], "float32"),
    "stft_no_window": ("STFT", {"window": None}, [16, 1, 9], "float32"),
    "stft_hann_density": ("STFT", {"side": "imag", "window": HANN_16}, [16, 1, 9], "float32"),
    "stft_hann_spectrum": (
        "STFT",
        {"window": HANN_16, "scaling": "spectrum"},
        [16, 1, 9],
        "float32",
    ),
    "stft_hann_unscaled": ("STFT", {"window": HANN_16, "scaling": None}, [16, 1, 9], "float32"),
}

# key: (class name, config, shape); large seeded draws, stored as `[sample mean, sample std,
# max |x - mean|, count outside the bound, formula mean, formula std, bound]`. Keras' truncated
# normal keeps a draw outside 2 stddev when all four candidates miss (seed 30 shows one).
STATS = {
    "glorot_uniform": ("GlorotUniform", {"seed": 21}, [256, 256]),
    "glorot_normal_conv": ("GlorotNormal", {"seed": 22}, [3, 3, 64, 64]),
    "he_normal": ("HeNormal", {"seed": 23}, [256, 256]),
    "he_uniform_conv": ("HeUniform", {"seed": 24}, [3, 3, 64, 64]),
    "lecun_normal": ("LecunNormal", {"seed": 25}, [512, 128]),
    "lecun_uniform": ("LecunUniform", {"seed": 26}, [512, 128]),
    "variance_scaling_fan_out": (
        "VarianceScaling",
        {"scale": 3.0, "mode": "fan_out", "distribution": "untruncated_normal", "seed": 27},
        [128, 512],
    ),
    "random_normal": ("RandomNormal", {"mean": 0.5, "stddev": 2.0, "seed": 28}, [65536]),
    "random_uniform": ("RandomUniform", {"minval": -1.0, "maxval": 3.0, "seed": 29}, [65536]),
    "truncated_normal": ("TruncatedNormal", {"mean": 0.0, "stddev": 1.0, "seed": 30}, [65536]),
}
TRUNCATED_STDDEV = 0.87962566103423978  # std of a unit normal truncated to [-2, 2]
# Keras 3.15.1 bugs fixed upstream: the reference is the fixed formula, Keras' raw output is kept
# under `keras_raw/activations/<key>`.
KNOWN_BUGS = {"sparsemax": "keras-team/keras#23425, fixed by keras-team/keras#23469"}


def fixed_sparsemax(x, axis=-1):
    """Sparsemax by Martins & Astudillo (2016), Algorithm 1, in float64 (Keras' fixed version)."""
    z = np.moveaxis(x.astype(np.float64), axis, -1)
    z_sorted = -np.sort(-z, axis=-1)
    cumsum = np.cumsum(z_sorted, axis=-1)
    ranks = np.arange(1, z.shape[-1] + 1)
    k = np.sum(1 + ranks * z_sorted > cumsum, axis=-1, keepdims=True)
    tau = (np.take_along_axis(cumsum, k - 1, axis=-1) - 1) / k
    return np.moveaxis(np.maximum(z - tau, 0.0), -1, axis).astype(x.dtype)


def make_inputs():
    """Fixed inputs: piecewise boundaries, zeros, large magnitudes, then seeded normal rows."""
    special = [
        [-30.0, -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 30.0],
        [-88.0, -20.0, -6.0, -2.5, -1e-3, 1e-3, 2.5, 6.0, 20.0, 88.0],
    ]
    rng = np.random.default_rng(1234)
    x = np.concatenate([np.array(special), 3.0 * rng.standard_normal((4, 10))])
    w = rng.standard_normal((6, 5))
    w[2] = 0.0  # a zero row: norms of 0 reach the epsilon guards
    w4 = 1.5 * rng.standard_normal((3, 3, 4, 5))
    x_small = 0.3 * rng.standard_normal((4, 6))  # close logits: sparsemax supports of size > 1
    inputs = {"x": x, "x_small": x_small, "w": w, "w4": w4}
    return {key: value.astype(np.float32).round(6) for key, value in inputs.items()}


def moments(class_name, config, shape, fans):
    """`[mean, std, bound]` Keras' formulas give a draw; values lie within `mean +- bound`."""
    if class_name == "RandomNormal":
        return [config["mean"], config["stddev"], math.inf]
    if class_name == "RandomUniform":
        low, high = config["minval"], config["maxval"]
        return [(low + high) / 2, (high - low) / math.sqrt(12.0), (high - low) / 2]
    if class_name == "TruncatedNormal":
        std = config["stddev"]
        return [config["mean"], std * TRUNCATED_STDDEV, 2 * std]
    scale, mode, distribution = {
        "GlorotUniform": (1.0, "fan_avg", "uniform"),
        "GlorotNormal": (1.0, "fan_avg", "truncated_normal"),
        "HeNormal": (2.0, "fan_in", "truncated_normal"),
        "HeUniform": (2.0, "fan_in", "uniform"),
        "LecunNormal": (1.0, "fan_in", "truncated_normal"),
        "LecunUniform": (1.0, "fan_in", "uniform"),
    }.get(class_name, (config.get("scale"), config.get("mode"), config.get("distribution")))
    fan_in, fan_out = fans(shape)
    fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[mode]
    std = math.sqrt(scale / max(1.0, fan))
    bound = {"uniform": math.sqrt(3.0) * std, "truncated_normal": 2 * std / TRUNCATED_STDDEV}
    return [0.0, std, bound.get(distribution, math.inf)]


def build_references(keras):
    """`{npz key: array}` computed with real `keras` (torch backend) on the CPU."""
    with keras.device("cpu"):  # seeded draws come from the CPU generator, as torchkeras'
        return _build_references(keras)


def _build_references(keras):
    inputs = make_inputs()
    refs = {f"inputs/{key}": value for key, value in inputs.items()}
    for key, (name, kwargs, input_key) in ACTIVATIONS.items():
        x = keras.ops.convert_to_tensor(inputs[input_key])
        output = keras.ops.convert_to_numpy(getattr(keras.activations, name)(x, **kwargs))
        refs[f"activations/{key}"] = output
        if name in KNOWN_BUGS:
            refs[f"keras_raw/activations/{key}"] = output
            refs[f"activations/{key}"] = fixed_sparsemax(inputs[input_key], **kwargs)
    for family, table in (("regularizers", REGULARIZERS), ("constraints", CONSTRAINTS)):
        module = getattr(keras, family)
        for key, (class_name, config, input_key) in table.items():
            obj = module.get({"class_name": class_name, "config": config})
            value = obj(keras.ops.convert_to_tensor(inputs[input_key]))
            refs[f"{family}/{key}"] = np.asarray(keras.ops.convert_to_numpy(value))
    for key, (class_name, config, shape, dtype) in INITIALIZERS.items():
        init = keras.initializers.get({"class_name": class_name, "config": config})
        refs[f"initializers/{key}"] = keras.ops.convert_to_numpy(init(tuple(shape), dtype=dtype))
    fans = importlib.import_module("keras.src.initializers.random_initializers").compute_fans
    for key, (class_name, config, shape) in STATS.items():
        init = keras.initializers.get({"class_name": class_name, "config": config})
        sample = keras.ops.convert_to_numpy(init(tuple(shape))).astype(np.float64)
        mean, std, bound = moments(class_name, config, shape, fans)
        spread = np.abs(sample - mean)
        observed = [sample.mean(), sample.std(), spread.max(), np.sum(spread >= bound)]
        refs[f"stats/{key}"] = np.array(observed + [mean, std, bound])
    refs["cases"] = np.array(json.dumps(describe_cases(keras), sort_keys=True))
    return refs


def describe_cases(keras):
    """The case tables and Keras' registered names, as one JSON-able dict."""
    names = {}
    for family in ("activations", "initializers", "regularizers", "constraints"):
        module = importlib.import_module(f"keras.src.{family}")
        names[family] = sorted(module.ALL_OBJECTS_DICT)
    return {
        "activations": ACTIVATIONS,
        "regularizers": REGULARIZERS,
        "constraints": CONSTRAINTS,
        "initializers": INITIALIZERS,
        "stats": STATS,
        "names": names,
        "known_bugs": KNOWN_BUGS,
        "keras_version": keras.__version__,
    }


def to_bytes(refs):
    """The `.npz` bytes of `refs`, keys sorted (numpy stamps zip members with a fixed date)."""
    buffer = io.BytesIO()
    np.savez(buffer, **{key: refs[key] for key in sorted(refs)})
    return buffer.getvalue()



def main():
    data = to_bytes(build_references(import_keras()))
    REFERENCE.parent.mkdir(parents=True, exist_ok=True)
    REFERENCE.write_bytes(data)
    print(f"wrote {REFERENCE} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
