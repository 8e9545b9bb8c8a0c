"""The metric case table shared by `compat/make_metric_references.py` and `test_metrics.py`.

Each case names a metric class of `keras.metrics`, its constructor arguments and the kind of data it
is fed. `run(metrics, case, batches, weighted)` works unchanged with real Keras' `keras.metrics` and
with `torchkeras.metrics`: it feeds three batches and records `result()` after each one.

Inputs come from `make_inputs()` (a seeded NumPy generator, float32 / int32 arrays); the reference
file stores them too, so the comparison never depends on NumPy's random streams.
"""

import dataclasses

import numpy as np

BATCH_SIZES = (6, 4, 5)
CLASSES = 5


@dataclasses.dataclass(frozen=True)
class MetricCase:
    """One metric configuration to compare between Keras and torchkeras.

    Args:
        name: Identifier used in the reference file and as the pytest id.
        class_name: Class in `keras.metrics`.
        kwargs: Constructor arguments.
        data: Key of `make_inputs()`: the kind of `(y_true, y_pred)` fed.
        weightings: Which sample weights to try: `"none"`, `"sample"` (shape `(batch,)`),
            `"column"` (shape `(batch, 1)`), `"elementwise"` (the shape of `y_pred`), `"pixel"`
            (shape `(batch, 4, 4)` for segmentation data, else `(batch,)`), `"integer"` (whole
            numbers as floats, shaped as `"pixel"`).
    """

    name: str
    class_name: str
    kwargs: dict
    data: str
    weightings: tuple = ("none", "sample")


def _batches(rng, make):
    return [make(rng, size) for size in BATCH_SIZES]


def _probs(rng, shape):
    logits = rng.normal(size=shape) * 2
    e = np.exp(logits - logits.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype("float32")


def _labels(rng, shape, classes):
    return rng.integers(0, classes, size=shape).astype("int32")


def _one_hot(labels, classes):
    return np.eye(classes, dtype="float32")[labels]


_GENERATORS = {
    "values": lambda r, b: (None, r.normal(size=(b, 3)).astype("float32")),
    "values_1d": lambda r, b: (None, r.normal(size=(b,)).astype("float32")),
    "labels": lambda r, b: (_labels(r, (b,), 3), _labels(r, (b,), 3)),
    "binary": lambda r, b: (
        _labels(r, (b, 1), 2).astype("float32"),
        r.uniform(size=(b, 1)).astype("float32"),
    ),
    "binary_quantized": lambda r, b: (
        _labels(r, (b, 1), 2).astype("float32"),
        (_labels(r, (b, 1), 5) / 4).astype("float32"),
    ),
    "multilabel": lambda r, b: (
        _labels(r, (b, 3), 2).astype("float32"),
        r.uniform(size=(b, 3)).astype("float32"),
    ),
    "multilabel_logits": lambda r, b: (
        _labels(r, (b, 3), 2).astype("float32"),
        (r.normal(size=(b, 3)) * 2).astype("float32"),
    ),
    "categorical": lambda r, b: (
        _one_hot(_labels(r, (b,), CLASSES), CLASSES),
        _probs(r, (b, CLASSES)),
    ),
    "categorical_logits": lambda r, b: (
        _one_hot(_labels(r, (b,), CLASSES), CLASSES),
        (r.normal(size=(b, CLASSES)) * 2).astype("float32"),
    ),
    "sparse": lambda r, b: (_labels(r, (b,), CLASSES), _probs(r, (b, CLASSES))),
    "sparse_column": lambda r, b: (_labels(r, (b, 1), CLASSES), _probs(r, (b, CLASSES))),
    "sparse_logits": lambda r, b: (
        _labels(r, (b,), CLASSES),
        (r.normal(size=(b, CLASSES)) * 2).astype("float32"),
    ),
    "sorted_ids": lambda r, b: (
        _labels(r, (b,), CLASSES),
        np.argsort(r.uniform(size=(b, CLASSES)), axis=-1)[:, :3].astype("int32"),
    ),
    "regression": lambda r, b: (
        r.normal(size=(b, 4)).astype("float32"),
        r.normal(size=(b, 4)).astype("float32"),
    ),
    "regression_1d": lambda r, b: (
        r.normal(size=(b,)).astype("float32"),
        r.normal(size=(b,)).astype("float32"),
    ),
    "positive": lambda r, b: (
        r.uniform(0.1, 2.0, size=(b, 4)).astype("float32"),
        r.uniform(0.1, 2.0, size=(b, 4)).astype("float32"),
    ),
    "segments": lambda r, b: (_labels(r, (b, 4, 4), 3), _labels(r, (b, 4, 4), 3)),
    "segments_probs": lambda r, b: (
        _one_hot(_labels(r, (b, 4, 4), 3), 3),
        _probs(r, (b, 4, 4, 3)),
    ),
    "segments_mixed": lambda r, b: (_labels(r, (b, 4, 4), 3), _probs(r, (b, 4, 4, 3))),
}


def make_inputs(seed=1234):
    """`{kind: {"y_true_i", "y_pred_i", "sample_i", "integer_i", ...}}` for batches i = 0, 1, 2."""
    rng = np.random.default_rng(seed)
    inputs = {}
    for kind, make in _GENERATORS.items():
        arrays = {}
        for i, (y_true, y_pred) in enumerate(_batches(rng, make)):
            size = BATCH_SIZES[i]
            if y_true is not None:
                arrays[f"y_true_{i}"] = y_true
            arrays[f"y_pred_{i}"] = y_pred
            arrays[f"sample_{i}"] = rng.uniform(0.0, 2.0, size=(size,)).astype("float32")
            arrays[f"column_{i}"] = rng.uniform(0.0, 2.0, size=(size, 1)).astype("float32")
            pixels = (size, 4, 4) if kind.startswith("segments") else (size,)
            arrays[f"integer_{i}"] = rng.integers(0, 3, size=pixels).astype("float32")
            arrays[f"pixel_{i}"] = rng.uniform(0.0, 2.0, size=pixels).astype("float32")
            arrays[f"elementwise_{i}"] = rng.uniform(0.0, 2.0, size=y_pred.shape).astype("float32")
        inputs[kind] = arrays
    return inputs


def run(metrics, case, batches, weighting):
    """`result()` after each batch, as float64 arrays stacked on a first axis of length 3.

    Args:
        metrics: `keras.metrics` or `torchkeras.metrics`.
        case: A `MetricCase`.
        batches: The case's entry of `make_inputs()`.
        weighting: One of the case's `weightings`.
    """
    metric = getattr(metrics, case.class_name)(**case.kwargs)
    results = []
    for i in range(len(BATCH_SIZES)):
        weight = None if weighting == "none" else batches[f"{weighting}_{i}"]
        if f"y_true_{i}" in batches:
            y_true, y_pred = batches[f"y_true_{i}"], batches[f"y_pred_{i}"]
            metric.update_state(y_true, y_pred, sample_weight=weight)
        else:
            metric.update_state(batches[f"y_pred_{i}"], sample_weight=weight)
        results.append(np.asarray(metric.result(), dtype="float64"))
    return np.stack(results)


def _case(name, class_name, data, weightings=("none", "sample"), **kwargs):
    return MetricCase(name, class_name, kwargs, data, weightings)


ALL_WEIGHTS = ("none", "sample", "column")
# IoU weights are per pixel; Keras truncates fractional ones to ints unless dtype is a float.
IOU_WEIGHTS = ("none", "integer", "pixel")
CASES = [
    _case("mean", "Mean", "values", ("none", "sample", "column", "elementwise")),
    _case("mean_1d", "Mean", "values_1d", ("none", "sample", "column")),
    _case("sum", "Sum", "values", ("none", "sample", "column", "elementwise")),
    _case("accuracy", "Accuracy", "labels"),
    _case("binary_accuracy", "BinaryAccuracy", "binary", ALL_WEIGHTS),
    _case("binary_accuracy_multilabel", "BinaryAccuracy", "multilabel", threshold=0.7),
    _case("binary_accuracy_edges", "BinaryAccuracy", "binary_quantized"),
    _case("categorical_accuracy", "CategoricalAccuracy", "categorical", ALL_WEIGHTS),
    _case("sparse_categorical_accuracy", "SparseCategoricalAccuracy", "sparse", ALL_WEIGHTS),
    _case("sparse_categorical_accuracy_column", "SparseCategoricalAccuracy", "sparse_column"),
    _case("top_k_categorical_accuracy", "TopKCategoricalAccuracy", "categorical", k=2),
    _case("sparse_top_k", "SparseTopKCategoricalAccuracy", "sparse", k=2),
    _case("sparse_top_k_column", "SparseTopKCategoricalAccuracy", "sparse_column", k=3),
    _case(
        "sparse_top_k_ids",
        "SparseTopKCategoricalAccuracy",
        "sorted_ids",
        k=2,
        from_sorted_ids=True,
    ),
    _case("true_positives", "TruePositives", "binary", ALL_WEIGHTS),
    _case("false_positives", "FalsePositives", "multilabel", thresholds=[0.2, 0.5, 0.8]),
    _case("true_negatives", "TrueNegatives", "multilabel", thresholds=0.3),
    _case("false_negatives", "FalseNegatives", "binary_quantized", thresholds=[0.25, 0.5]),
    _case("precision", "Precision", "binary", ALL_WEIGHTS),
    _case("precision_thresholds", "Precision", "multilabel", thresholds=[0.3, 0.6]),
    _case("precision_top_k", "Precision", "multilabel", top_k=2),
    _case("precision_class_id", "Precision", "multilabel", class_id=1),
    _case("precision_top_k_class_id", "Precision", "categorical", top_k=2, class_id=3),
    _case("recall", "Recall", "binary", ALL_WEIGHTS),
    _case("recall_thresholds", "Recall", "multilabel", thresholds=[0.25, 0.5, 0.75]),
    _case("recall_top_k", "Recall", "categorical", top_k=2),
    _case("recall_class_id", "Recall", "multilabel", class_id=2, thresholds=0.4),
    _case("auc", "AUC", "binary", ALL_WEIGHTS),
    _case("auc_multilabel_flat", "AUC", "multilabel"),
    _case("auc_pr", "AUC", "multilabel", curve="PR"),
    _case("auc_minoring", "AUC", "multilabel", summation_method="minoring"),
    _case("auc_majoring", "AUC", "multilabel", summation_method="majoring"),
    _case("auc_pr_majoring", "AUC", "binary", curve="PR", summation_method="majoring"),
    _case("auc_prgain", "AUC", "binary", ALL_WEIGHTS, curve="PRGAIN"),
    _case("auc_prgain_multi_label", "AUC", "multilabel", curve="PRGAIN", multi_label=True),
    _case("auc_prgain_minoring", "AUC", "multilabel", curve="PRGAIN", summation_method="minoring"),
    _case("auc_multi_label", "AUC", "multilabel", ALL_WEIGHTS, multi_label=True),
    _case("auc_multi_label_pr", "AUC", "multilabel", curve="PR", multi_label=True, num_labels=3),
    _case(
        "auc_label_weights", "AUC", "multilabel", multi_label=True, label_weights=[0.2, 0.3, 0.5]
    ),
    _case("auc_label_weights_flat", "AUC", "multilabel", label_weights=[0.2, 0.3, 0.5]),
    _case("auc_logits", "AUC", "multilabel_logits", from_logits=True),
    _case("auc_few_thresholds", "AUC", "binary_quantized", num_thresholds=5),
    _case("auc_given_thresholds", "AUC", "multilabel", thresholds=[0.1, 0.4, 0.7]),
    _case("precision_at_recall", "PrecisionAtRecall", "binary", recall=0.6),
    _case(
        "precision_at_recall_class",
        "PrecisionAtRecall",
        "multilabel",
        recall=0.5,
        num_thresholds=20,
        class_id=1,
    ),
    _case("recall_at_precision", "RecallAtPrecision", "multilabel", precision=0.6),
    _case("sensitivity_at_specificity", "SensitivityAtSpecificity", "binary", specificity=0.5),
    _case("specificity_at_sensitivity", "SpecificityAtSensitivity", "multilabel", sensitivity=0.7),
    _case("f1_none", "F1Score", "categorical", ("none", "sample")),
    _case("f1_ties", "F1Score", "binary_quantized"),
    _case("f1_micro", "F1Score", "categorical", average="micro"),
    _case("f1_macro", "F1Score", "multilabel", average="macro", threshold=0.5),
    _case("f1_weighted", "F1Score", "multilabel", average="weighted", threshold=0.4),
    _case("fbeta_macro", "FBetaScore", "categorical", average="macro", beta=2.0),
    _case("fbeta_threshold", "FBetaScore", "multilabel", beta=0.5, threshold=0.6),
    _case("mean_absolute_error", "MeanAbsoluteError", "regression", ALL_WEIGHTS),
    _case("mean_squared_error", "MeanSquaredError", "regression", ALL_WEIGHTS),
    # Keras reduces 1-D inputs to one value per batch, so (batch,) weights do not fit.
    _case("mean_squared_error_1d", "MeanSquaredError", "regression_1d", ("none",)),
    _case("root_mean_squared_error", "RootMeanSquaredError", "regression", ALL_WEIGHTS),
    _case("root_mean_squared_error_1d", "RootMeanSquaredError", "regression_1d"),
    _case("mape", "MeanAbsolutePercentageError", "positive"),
    _case("msle", "MeanSquaredLogarithmicError", "positive"),
    _case("cosine_similarity", "CosineSimilarity", "regression"),
    _case("log_cosh_error", "LogCoshError", "regression"),
    _case("r2", "R2Score", "regression", ALL_WEIGHTS),
    _case("r2_raw", "R2Score", "regression", class_aggregation=None),
    _case("r2_variance", "R2Score", "regression", class_aggregation="variance_weighted_average"),
    _case("r2_regressors", "R2Score", "regression", num_regressors=2),
    _case("pearson", "PearsonCorrelation", "regression"),
    _case("concordance", "ConcordanceCorrelation", "regression"),
    _case("binary_crossentropy", "BinaryCrossentropy", "multilabel", ALL_WEIGHTS),
    _case(
        "binary_crossentropy_logits", "BinaryCrossentropy", "multilabel_logits", from_logits=True
    ),
    _case("binary_crossentropy_smooth", "BinaryCrossentropy", "binary", label_smoothing=0.1),
    _case("categorical_crossentropy", "CategoricalCrossentropy", "categorical", ALL_WEIGHTS),
    _case(
        "categorical_crossentropy_logits",
        "CategoricalCrossentropy",
        "categorical_logits",
        from_logits=True,
        label_smoothing=0.2,
    ),
    _case("sparse_crossentropy", "SparseCategoricalCrossentropy", "sparse", ALL_WEIGHTS),
    _case(
        "sparse_crossentropy_logits",
        "SparseCategoricalCrossentropy",
        "sparse_logits",
        from_logits=True,
    ),
    _case(
        "sparse_crossentropy_ignore", "SparseCategoricalCrossentropy", "sparse", ignore_class=2
    ),
    _case("kl_divergence", "KLDivergence", "categorical"),
    _case("poisson", "Poisson", "positive"),
    _case("hinge", "Hinge", "multilabel_logits"),
    _case("squared_hinge", "SquaredHinge", "multilabel_logits"),
    _case("categorical_hinge", "CategoricalHinge", "categorical_logits"),
    _case("iou", "IoU", "segments", IOU_WEIGHTS, num_classes=3, target_class_ids=[0, 2]),
    _case("mean_iou", "MeanIoU", "segments", IOU_WEIGHTS, num_classes=3),
    _case("mean_iou_ignore", "MeanIoU", "segments", IOU_WEIGHTS, num_classes=3, ignore_class=1),
    _case("mean_iou_float", "MeanIoU", "segments", IOU_WEIGHTS, num_classes=3, dtype="float32"),
    _case(
        "mean_iou_dense_pred",
        "MeanIoU",
        "segments_mixed",
        IOU_WEIGHTS,
        num_classes=3,
        sparse_y_pred=False,
    ),
    _case("binary_iou", "BinaryIoU", "binary_quantized", ("none", "integer", "sample")),
    _case("binary_iou_class", "BinaryIoU", "binary", target_class_ids=[1], threshold=0.3),
    _case(
        "one_hot_iou",
        "OneHotIoU",
        "segments_probs",
        IOU_WEIGHTS,
        num_classes=3,
        target_class_ids=[1],
    ),
    _case("one_hot_mean_iou", "OneHotMeanIoU", "segments_probs", IOU_WEIGHTS, num_classes=3),
]

# Function forms: `(function name, data kind, kwargs)`; the output for batch 0 is recorded.
FUNCTION_CASES = [
    ("binary_accuracy", "binary", {}),
    ("binary_accuracy", "multilabel", {"threshold": 0.3}),
    ("categorical_accuracy", "categorical", {}),
    ("sparse_categorical_accuracy", "sparse", {}),
    ("sparse_categorical_accuracy", "sparse_column", {}),
    ("top_k_categorical_accuracy", "categorical", {"k": 2}),
    ("sparse_top_k_categorical_accuracy", "sparse", {"k": 2}),
    ("sparse_top_k_categorical_accuracy", "sparse_column", {"k": 2}),
    ("mean_squared_error", "regression", {}),
    ("binary_crossentropy", "multilabel", {}),
    ("pearson_correlation", "regression", {}),
    ("concordance_correlation", "regression", {}),
    ("binary_focal_crossentropy", "multilabel", {}),
    ("binary_focal_crossentropy", "multilabel_logits", {"from_logits": True, "gamma": 3.0}),
    ("categorical_crossentropy", "categorical", {}),
    ("categorical_crossentropy", "categorical_logits",
     {"from_logits": True, "label_smoothing": 0.1}),
    ("categorical_focal_crossentropy", "categorical", {}),
    ("categorical_focal_crossentropy", "categorical_logits", {"from_logits": True, "gamma": 1.0}),
    ("categorical_hinge", "categorical", {}),
    ("hinge", "multilabel", {}),
    ("squared_hinge", "multilabel", {}),
    ("huber", "regression", {}),
    ("huber", "regression", {"delta": 0.5}),
    ("kl_divergence", "categorical", {}),
    ("log_cosh", "regression", {}),
    ("mean_absolute_error", "regression", {}),
    ("mean_absolute_percentage_error", "positive", {}),
    ("mean_squared_logarithmic_error", "positive", {}),
    ("poisson", "positive", {}),
    ("sparse_categorical_crossentropy", "sparse", {}),
    ("sparse_categorical_crossentropy", "sparse_logits", {"from_logits": True}),
]


def function_id(fn_case):
    """Stable key of a function case, e.g. `"top_k_categorical_accuracy/categorical/k=2"`."""
    name, data, kwargs = fn_case
    extra = ",".join(f"{k}={v}" for k, v in sorted(kwargs.items()))
    return f"{name}/{data}" + (f"/{extra}" if extra else "")


def run_function(metrics, fn_case, batches):
    """The function's output on batch 0, as a float64 array."""
    name, _, kwargs = fn_case
    out = getattr(metrics, name)(batches["y_true_0"], batches["y_pred_0"], **kwargs)
    return np.asarray(out, dtype="float64")
