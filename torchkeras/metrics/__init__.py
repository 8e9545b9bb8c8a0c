"""`keras.metrics`: stateful metric classes and per-sample metric functions, Keras' names.

`get` follows Keras 3.15: a string names a metric class (`"mae"`, `"accuracy"`, `"AUC"`) and
returns a fresh instance (`get("mae")` is a `MeanAbsoluteError`, not the function); functions
(`keras.metrics.mean_absolute_error`) and callables pass through. `"accuracy"` resolves here to
`Accuracy` (exact equality); `compile(metrics=["accuracy"])` instead picks the binary, sparse or
categorical variant from the shapes of targets and outputs (`resolve_by_shape`). Keras 3.15 has no
`"acc"`, `"crossentropy"` or `"ce"` entry for `get`.
"""

from torchkeras.losses import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from torchkeras.losses.loss import serialize_function
from torchkeras.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from torchkeras.metrics.auc import AUC
from torchkeras.metrics.confusion_metrics import (
    FalseNegatives,
    FalsePositives,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from torchkeras.metrics.correlation_metrics import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    concordance_correlation,
    pearson_correlation,
)
from torchkeras.metrics.f_score_metrics import F1Score, FBetaScore
from torchkeras.metrics.iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from torchkeras.metrics.metric import FUNCTIONS, Metric
from torchkeras.metrics.probabilistic_metrics import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    Hinge,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)
from torchkeras.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from torchkeras.metrics.regression_metrics import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    R2Score,
    RootMeanSquaredError,
)
from torchkeras.metrics.shape_rules import resolve_by_shape
from torchkeras.registry import METRICS

METRICS.register("metric")(Metric)

# tf.keras 2 names of the regression metric functions, still used by scripts (`metrics.mae`).
mae = MAE = mean_absolute_error
mse = MSE = mean_squared_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error


def get(identifier, custom_objects=None):
    """A metric from a name (fresh instance), config dict, class, instance or callable.

    Raises:
        ValueError: For an unknown name, with the closest known names.
    """
    if isinstance(identifier, dict) and identifier.get("class_name") == "function":
        return deserialize(identifier, custom_objects)
    return METRICS.get(identifier, custom_objects)


def serialize(metric):
    """Keras' config form: `{"module", "class_name", "config", ...}` (functions included)."""
    if metric is None or hasattr(metric, "get_config"):
        return METRICS.serialize(metric)
    return serialize_function(metric)


def deserialize(config, custom_objects=None):
    """Builds a metric from `serialize()`'s output; only registered names resolve."""
    if isinstance(config, dict) and config.get("class_name") == "function":
        name = config.get("config")
        if custom_objects and name in custom_objects:
            return custom_objects[name]
        if name not in FUNCTIONS:
            raise ValueError(f"Unknown metric function {name!r}.")
        return FUNCTIONS[name]
    if isinstance(config, str):
        return METRICS.get(config, custom_objects)
    return METRICS.from_config(config, custom_objects)


__all__ = [
    "MAE",
    "MAPE",
    "MSE",
    "MSLE",
    "mae",
    "mape",
    "mse",
    "msle",
    "AUC",
    "Accuracy",
    "BinaryAccuracy",
    "BinaryCrossentropy",
    "BinaryIoU",
    "CategoricalAccuracy",
    "CategoricalCrossentropy",
    "CategoricalHinge",
    "ConcordanceCorrelation",
    "CosineSimilarity",
    "F1Score",
    "FBetaScore",
    "FalseNegatives",
    "FalsePositives",
    "Hinge",
    "IoU",
    "KLDivergence",
    "LogCoshError",
    "Mean",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanIoU",
    "MeanMetricWrapper",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Metric",
    "OneHotIoU",
    "OneHotMeanIoU",
    "PearsonCorrelation",
    "Poisson",
    "Precision",
    "PrecisionAtRecall",
    "R2Score",
    "Recall",
    "RecallAtPrecision",
    "RootMeanSquaredError",
    "SensitivityAtSpecificity",
    "SparseCategoricalAccuracy",
    "SparseCategoricalCrossentropy",
    "SparseTopKCategoricalAccuracy",
    "SpecificityAtSensitivity",
    "SquaredHinge",
    "Sum",
    "TopKCategoricalAccuracy",
    "TrueNegatives",
    "TruePositives",
    "binary_accuracy",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_accuracy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_hinge",
    "concordance_correlation",
    "deserialize",
    "get",
    "hinge",
    "huber",
    "kl_divergence",
    "log_cosh",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "pearson_correlation",
    "poisson",
    "resolve_by_shape",
    "serialize",
    "sparse_categorical_accuracy",
    "sparse_categorical_crossentropy",
    "sparse_top_k_categorical_accuracy",
    "squared_hinge",
    "top_k_categorical_accuracy",
]
