"""Records real Keras' loss values and gradients into `compat/references/losses.npz`.

Run with real Keras 3 on its torch backend:

    KERAS_BACKEND=torch python -m compat.make_loss_references

Every case of `CASES` evaluates one Keras loss class (or function) on fixed, seeded inputs: both
`from_logits` settings, label smoothing, other axes, each reduction, sample weights, and
probabilities exactly 0 and 1. The file holds the inputs once (`inputs/<name>/y_true`,
`inputs/<name>/y_pred`, `weights/<name>`), every case's spec as one JSON list (`specs`: name,
loss, kwargs, input and weight names) and, per case, Keras' output (`cases/<case>/output`) and
the gradient of the summed output with respect to `y_pred` (`cases/<case>/grad`).
`tests/losses/test_losses.py` replays the specs through torchkeras. Keys are sorted and zip
entries carry a fixed date, so regenerating gives identical bytes.
"""

import json
from pathlib import Path

import numpy as np
import torch
from compat.reference_io import import_keras, write_npz

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "compat" / "references" / "losses.npz"
BATCH = 6


def _probabilities(rng, shape, axis=-1):
    """Random distributions along `axis`, with one exact 1/0 row and one unnormalized row."""
    p = rng.uniform(0.05, 1.0, size=shape)
    p = p / p.sum(axis=axis, keepdims=True)
    first = np.moveaxis(p, axis, -1)
    first[0] = 0.0
    first[0, ..., 0] = 1.0  # exact 1 and exact 0s
    first[1] *= 1.7  # not summing to 1: Keras rescales
    return p.astype("float32")


def _one_hot(labels, classes, axis=-1):
    """One-hot float32 labels with the class axis at `axis`."""
    return np.moveaxis(np.eye(classes, dtype="float32")[labels], -1, axis)


def _binary_inputs(rng):
    y_true = rng.integers(0, 2, size=(BATCH, 3)).astype("float32")
    probs = rng.uniform(0.0, 1.0, size=(BATCH, 3)).astype("float32")
    probs[0] = [0.0, 1.0, 1.0]
    probs[1] = [1.0, 0.0, 0.5]
    y_true[0] = [0.0, 1.0, 0.0]  # exact 0 and 1 on both the right and the wrong side
    y_true[1] = [0.0, 1.0, 1.0]
    return {
        "bin_probs": (y_true, probs),
        "bin_logits": (y_true, (3 * rng.normal(size=(BATCH, 3))).astype("float32")),
        "bin_col": (y_true[:, 0].copy(), probs[:, 1:2].copy()),
    }


def _categorical_inputs(rng):
    labels = rng.integers(0, 5, size=BATCH)
    labels[0] = 0  # the exact-1 row predicts its label; row 2 below predicts another
    probs = _probabilities(rng, (BATCH, 5))
    probs[2] = [0.0, 0.0, 1.0, 0.0, 0.0]
    labels[2] = 3
    logits = (2 * rng.normal(size=(BATCH, 5))).astype("float32")
    soft = _probabilities(rng, (BATCH, 5))
    soft[0:2] = np.full(5, 0.2, dtype="float32")
    seq_labels = rng.integers(0, 5, size=(BATCH, 3))
    ignore_labels = labels.copy()
    ignore_labels[[1, 4]] = -1
    return {
        "cat_probs": (_one_hot(labels, 5), probs),
        "cat_logits": (_one_hot(labels, 5), logits),
        "cat_soft": (soft, probs),
        "cat_axis": (_one_hot(seq_labels, 5, axis=1), _probabilities(rng, (BATCH, 5, 3), axis=1)),
        "sparse_probs": (labels, probs),
        "sparse_col": (labels[:, None].copy(), probs),
        "sparse_logits": (labels, logits),
        "sparse_ignore": (ignore_labels, logits),
        "sparse_ignore_probs": (ignore_labels, probs),
        "sparse_seq": (seq_labels, (2 * rng.normal(size=(BATCH, 3, 5))).astype("float32")),
        "sparse_axis": (seq_labels, _probabilities(rng, (BATCH, 5, 3), axis=1)),
        "cgce": (labels % 3, _probabilities(rng, (BATCH, 3))),
    }


def _other_inputs(rng):
    signs = np.where(rng.uniform(size=(BATCH, 4)) > 0.5, 1.0, -1.0).astype("float32")
    scores = rng.normal(size=(BATCH, 4)).astype("float32")
    y_pos = rng.uniform(0.0, 3.0, size=(BATCH, 4)).astype("float32")
    y_pos[0, 0] = 0.0
    embeddings = rng.normal(size=(8, 6))
    embeddings /= np.linalg.norm(embeddings, axis=-1, keepdims=True)
    ctc_labels = np.array([[1, 2, 0, 0], [3, 3, 1, 0], [4, 0, 0, 0]], dtype="int64")
    return {
        "reg": (rng.normal(size=(BATCH, 4)).astype("float32"), scores),
        "reg_pos": (y_pos, rng.uniform(0.0, 3.0, size=(BATCH, 4)).astype("float32")),
        "reg_col": (rng.normal(size=BATCH).astype("float32"), scores[:, :1].copy()),
        "hinge": (signs, scores),
        "hinge_binary": ((signs > 0).astype("float32"), scores),
        "dist": (_probabilities(rng, (BATCH, 5)), _probabilities(rng, (BATCH, 5))),
        "seg": (
            (rng.uniform(size=(2, 4, 4, 1)) > 0.5).astype("float32"),
            rng.uniform(size=(2, 4, 4, 1)).astype("float32"),
        ),
        "circle": (np.array([0, 1, 0, 2, 1, 0, 2, 3]), embeddings.astype("float32")),
        "ctc": (ctc_labels, rng.normal(size=(3, 7, 5)).astype("float32")),
    }


def make_inputs(seed=0):
    """`{input name: (y_true, y_pred)}`, identical on every run and platform."""
    rng = np.random.default_rng(seed)
    return {**_binary_inputs(rng), **_categorical_inputs(rng), **_other_inputs(rng)}


def make_weights(seed=1):
    """`{weights name: array}` for the sample-weight cases."""
    rng = np.random.default_rng(seed)
    return {
        "batch": rng.uniform(0.0, 2.0, size=BATCH).astype("float32"),
        "batch_col": rng.uniform(0.0, 2.0, size=(BATCH, 1)).astype("float32"),
        "seq": rng.uniform(0.0, 2.0, size=(BATCH, 3)).astype("float32"),
        "zeros": np.zeros(BATCH, dtype="float32"),
        "pair": rng.uniform(0.0, 2.0, size=2).astype("float32"),
    }


def _case(name, target, inputs, kwargs=None, weights=None, kind="class"):
    return {
        "name": name,
        "target": target,
        "inputs": inputs,
        "kwargs": kwargs or {},
        "weights": weights,
        "kind": kind,
    }


def _regression_cases():
    cases = []
    for cls, inputs in [
        ("MeanSquaredError", "reg"),
        ("MeanAbsoluteError", "reg"),
        ("MeanAbsolutePercentageError", "reg_pos"),
        ("MeanSquaredLogarithmicError", "reg_pos"),
        ("LogCosh", "reg"),
        ("Huber", "reg"),
        ("CosineSimilarity", "reg"),
        ("Poisson", "reg_pos"),
    ]:
        cases.append(_case(cls, cls, inputs))
        cases.append(_case(f"{cls}_none", cls, inputs, {"reduction": None}))
    cases += [
        _case("MeanSquaredError_col", "MeanSquaredError", "reg_col"),
        _case("MeanSquaredError_sum", "MeanSquaredError", "reg", {"reduction": "sum"}, "batch"),
        _case("MeanSquaredError_weighted", "MeanSquaredError", "reg", {}, "batch"),
        _case("MeanSquaredError_weighted_col", "MeanSquaredError", "reg", {}, "batch_col"),
        _case("MeanSquaredError_mean", "MeanSquaredError", "reg", {"reduction": "mean"}, "batch"),
        _case("MeanSquaredError_mean_sw", "MeanSquaredError", "reg",
              {"reduction": "mean_with_sample_weight"}, "batch"),
        _case("MeanSquaredError_mean_sw_zeros", "MeanSquaredError", "reg",
              {"reduction": "mean_with_sample_weight"}, "zeros"),
        _case("MeanAbsoluteError_none_weighted", "MeanAbsoluteError", "reg", {"reduction": "none"},
              "batch"),
        _case("Huber_delta", "Huber", "reg", {"delta": 0.3}),
        _case("CosineSimilarity_axis0", "CosineSimilarity", "reg", {"axis": 0}),
        _case("KLDivergence", "KLDivergence", "dist"),
        _case("KLDivergence_none", "KLDivergence", "dist", {"reduction": None}),
    ]
    return cases


def _binary_cases():
    cases = []
    for logits in (False, True):
        tag = "logits" if logits else "probs"
        inputs = f"bin_{tag}"
        for cls in ("BinaryCrossentropy", "BinaryFocalCrossentropy"):
            base = {"from_logits": logits}
            cases.append(_case(f"{cls}_{tag}", cls, inputs, base))
            cases.append(_case(f"{cls}_{tag}_none", cls, inputs, {**base, "reduction": None}))
            smooth = {**base, "label_smoothing": 0.2}
            cases.append(_case(f"{cls}_{tag}_smooth", cls, inputs, smooth))
            cases.append(_case(f"{cls}_{tag}_axis0", cls, inputs, {**base, "axis": 0}))
    cases += [
        _case("BinaryCrossentropy_col", "BinaryCrossentropy", "bin_col"),
        _case("BinaryCrossentropy_weighted", "BinaryCrossentropy", "bin_probs", {}, "batch"),
        _case("BinaryFocalCrossentropy_balanced", "BinaryFocalCrossentropy", "bin_probs",
              {"apply_class_balancing": True, "alpha": 0.3, "gamma": 1.5}),
        _case("BinaryFocalCrossentropy_balanced_logits", "BinaryFocalCrossentropy", "bin_logits",
              {"apply_class_balancing": True, "from_logits": True}),
    ]
    return cases


def _categorical_cases():
    cases = []
    for cls in ("CategoricalCrossentropy", "CategoricalFocalCrossentropy"):
        for logits in (False, True):
            tag = "logits" if logits else "probs"
            base = {"from_logits": logits}
            inputs = f"cat_{tag}"
            cases.append(_case(f"{cls}_{tag}", cls, inputs, base))
            cases.append(_case(f"{cls}_{tag}_none", cls, inputs, {**base, "reduction": None}))
            smooth = {**base, "label_smoothing": 0.1}
            cases.append(_case(f"{cls}_{tag}_smooth", cls, inputs, smooth))
        cases.append(_case(f"{cls}_soft", cls, "cat_soft", {"reduction": None}))
        cases.append(_case(f"{cls}_axis1", cls, "cat_axis", {"axis": 1, "reduction": None}))
    cases += [
        _case("CategoricalFocalCrossentropy_params", "CategoricalFocalCrossentropy", "cat_probs",
              {"alpha": 0.5, "gamma": 3.0, "reduction": None}),
        _case("CategoricalCrossentropy_weighted", "CategoricalCrossentropy", "cat_logits",
              {"from_logits": True, "reduction": "sum"}, "batch"),
        _case("CategoricalGeneralizedCrossEntropy", "CategoricalGeneralizedCrossEntropy", "cgce"),
        _case("CategoricalGeneralizedCrossEntropy_q", "CategoricalGeneralizedCrossEntropy", "cgce",
              {"q": 0.2, "reduction": None}),
    ]
    return cases


def _sparse_cases():
    cls = "SparseCategoricalCrossentropy"
    return [
        _case(f"{cls}_probs", cls, "sparse_probs"),
        _case(f"{cls}_probs_none", cls, "sparse_probs", {"reduction": None}),
        _case(f"{cls}_col", cls, "sparse_col", {"reduction": None}),
        _case(f"{cls}_logits", cls, "sparse_logits", {"from_logits": True}),
        _case(f"{cls}_logits_none", cls, "sparse_logits", {"from_logits": True, "reduction": None}),
        _case(f"{cls}_seq", cls, "sparse_seq", {"from_logits": True}),
        _case(f"{cls}_seq_weighted", cls, "sparse_seq", {"from_logits": True}, "seq"),
        _case(f"{cls}_seq_batch_weighted", cls, "sparse_seq", {"from_logits": True}, "batch_col"),
        _case(f"{cls}_axis1", cls, "sparse_axis", {"axis": 1, "reduction": None}),
        _case(f"{cls}_ignore", cls, "sparse_ignore", {"from_logits": True, "ignore_class": -1}),
        _case(f"{cls}_ignore_none", cls, "sparse_ignore",
              {"from_logits": True, "ignore_class": -1, "reduction": None}),
        _case(f"{cls}_ignore_sum", cls, "sparse_ignore",
              {"from_logits": True, "ignore_class": -1, "reduction": "sum"}),
        _case(f"{cls}_ignore_probs_weighted", cls, "sparse_ignore_probs", {"ignore_class": -1},
              "batch"),
    ]


def _other_cases():
    cases = []
    for cls, inputs in [
        ("Hinge", "hinge"),
        ("SquaredHinge", "hinge"),
        ("CategoricalHinge", "cat_logits"),
        ("Dice", "seg"),
        ("Tversky", "seg"),
        ("Circle", "circle"),
        ("CTC", "ctc"),
    ]:
        cases.append(_case(cls, cls, inputs))
        cases.append(_case(f"{cls}_none", cls, inputs, {"reduction": None}))
    cases += [
        _case("Hinge_binary", "Hinge", "hinge_binary", {"reduction": None}),
        _case("SquaredHinge_binary", "SquaredHinge", "hinge_binary", {"reduction": None}),
        _case("Dice_axis", "Dice", "seg", {"axis": [1, 2, 3], "reduction": None}),
        _case("Dice_weighted", "Dice", "seg", {"axis": [1, 2, 3]}, "pair"),
        _case("Tversky_params", "Tversky", "seg", {"alpha": 0.7, "beta": 0.2, "axis": [1, 2]}),
        _case("Circle_params", "Circle", "circle",
              {"gamma": 30.0, "margin": 0.25, "remove_diagonal": False}),
        _case("Circle_sum", "Circle", "circle", {"reduction": "sum"}),
    ]
    return cases


def _function_cases():
    return [
        _case("fn_mean_squared_error", "mean_squared_error", "reg", kind="function"),
        _case("fn_huber", "huber", "reg", {"delta": 0.5}, kind="function"),
        _case("fn_binary_crossentropy", "binary_crossentropy", "bin_probs",
              {"label_smoothing": 0.1}, kind="function"),
        _case("fn_binary_crossentropy_logits", "binary_crossentropy", "bin_logits",
              {"from_logits": True}, kind="function"),
        _case("fn_categorical_crossentropy", "categorical_crossentropy", "cat_probs",
              kind="function"),
        _case("fn_sparse_categorical_crossentropy", "sparse_categorical_crossentropy",
              "sparse_logits", {"from_logits": True}, kind="function"),
        _case("fn_kl_divergence", "kl_divergence", "dist", kind="function"),
        _case("fn_categorical_generalized_cross_entropy", "categorical_generalized_cross_entropy",
              "cgce", {"q": 0.7}, kind="function"),
        _case("fn_circle", "circle", "circle", {"gamma": 10}, kind="function"),
        _case("fn_dice", "dice", "seg", kind="function"),
        _case("fn_binary_focal_crossentropy", "binary_focal_crossentropy", "bin_probs",
              {"gamma": 1.5}, kind="function"),
        _case("fn_binary_focal_crossentropy_logits", "binary_focal_crossentropy", "bin_logits",
              {"from_logits": True, "apply_class_balancing": True, "label_smoothing": 0.1},
              kind="function"),
        _case("fn_categorical_focal_crossentropy", "categorical_focal_crossentropy", "cat_probs",
              kind="function"),
        _case("fn_categorical_focal_crossentropy_logits", "categorical_focal_crossentropy",
              "cat_logits", {"from_logits": True, "alpha": 0.5, "gamma": 1.0}, kind="function"),
        _case("fn_categorical_hinge", "categorical_hinge", "cat_logits", kind="function"),
        _case("fn_cosine_similarity", "cosine_similarity", "reg", kind="function"),
        _case("fn_cosine_similarity_axis0", "cosine_similarity", "reg", {"axis": 0},
              kind="function"),
        _case("fn_ctc", "ctc", "ctc", kind="function"),
        _case("fn_hinge", "hinge", "hinge", kind="function"),
        _case("fn_hinge_binary", "hinge", "hinge_binary", kind="function"),
        _case("fn_squared_hinge", "squared_hinge", "hinge", kind="function"),
        _case("fn_squared_hinge_binary", "squared_hinge", "hinge_binary", kind="function"),
        _case("fn_log_cosh", "log_cosh", "reg", kind="function"),
        _case("fn_mean_absolute_error", "mean_absolute_error", "reg", kind="function"),
        _case("fn_mean_absolute_percentage_error", "mean_absolute_percentage_error", "reg_pos",
              kind="function"),
        _case("fn_mean_squared_logarithmic_error", "mean_squared_logarithmic_error", "reg_pos",
              kind="function"),
        _case("fn_poisson", "poisson", "reg_pos", kind="function"),
        _case("fn_tversky", "tversky", "seg", kind="function"),
        _case("fn_tversky_params", "tversky", "seg", {"alpha": 0.3, "beta": 0.7, "axis": [1, 2]},
              kind="function"),
    ]


CASES = (
    _regression_cases()
    + _binary_cases()
    + _categorical_cases()
    + _sparse_cases()
    + _other_cases()
    + _function_cases()
)


def run_case(module, case, y_true, y_pred, sample_weight):
    """Evaluates `case` with `module` (real `keras.losses` or `torchkeras.losses`).

    Returns `(output, gradient of output.sum() with respect to y_pred)` as numpy arrays;
    functions get torch tensors (float inputs as float32, integer labels as int64).
    """
    prediction = torch.tensor(y_pred, requires_grad=True)
    if case["kind"] == "function":
        output = getattr(module, case["target"])(torch.tensor(y_true), prediction, **case["kwargs"])
    else:
        loss = getattr(module, case["target"])(**case["kwargs"])
        output = loss(y_true, prediction, sample_weight=sample_weight)
    output.sum().backward()
    grad = prediction.grad if prediction.grad is not None else torch.zeros_like(prediction)
    return output.detach().numpy(), grad.numpy()



def references(keras):
    """`{npz key: array}`: the inputs once, then each case's spec, output and gradient."""
    inputs, weights = make_inputs(), make_weights()
    arrays = {
        "keras_version": np.array(keras.__version__),
        "specs": np.array(json.dumps(CASES, sort_keys=True, indent=0)),
    }
    for name, (y_true, y_pred) in inputs.items():
        arrays[f"inputs/{name}/y_true"] = y_true
        arrays[f"inputs/{name}/y_pred"] = y_pred
    for name, weight in weights.items():
        arrays[f"weights/{name}"] = weight
    for case in CASES:
        y_true, y_pred = inputs[case["inputs"]]
        sample_weight = None if case["weights"] is None else weights[case["weights"]]
        output, grad = run_case(keras.losses, case, y_true, y_pred, sample_weight)
        arrays[f"cases/{case['name']}/output"] = output
        arrays[f"cases/{case['name']}/grad"] = grad
    return arrays



def main():
    keras = import_keras()
    torch.set_num_threads(1)  # one summation order
    arrays = references(keras)
    write_npz(REFERENCE, arrays)
    print(f"Wrote {len(CASES)} cases to {REFERENCE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
