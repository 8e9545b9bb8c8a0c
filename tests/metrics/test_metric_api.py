"""The metric API around the numbers: lookup, serialization, state handling, masks, errors."""

import os

import numpy as np
import pytest
import torch

import torchkeras.metrics as metrics
from torchkeras.metrics.metric import Metric
from torchkeras.registry import METRICS

# Every string `keras.metrics.get` accepts in Keras 3.15.1, with the class it returns.
KERAS_ALIASES = {
    "BCE": "BinaryCrossentropy",
    "MAE": "MeanAbsoluteError",
    "MAPE": "MeanAbsolutePercentageError",
    "MSE": "MeanSquaredError",
    "MSLE": "MeanSquaredLogarithmicError",
    "accuracy": "Accuracy",
    "auc": "AUC",
    "bce": "BinaryCrossentropy",
    "binary_accuracy": "BinaryAccuracy",
    "binary_crossentropy": "BinaryCrossentropy",
    "binary_io_u": "BinaryIoU",
    "categorical_accuracy": "CategoricalAccuracy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "categorical_hinge": "CategoricalHinge",
    "concordance_correlation": "ConcordanceCorrelation",
    "cosine_similarity": "CosineSimilarity",
    "f1_score": "F1Score",
    "f_beta_score": "FBetaScore",
    "false_negatives": "FalseNegatives",
    "false_positives": "FalsePositives",
    "hinge": "Hinge",
    "kl_divergence": "KLDivergence",
    "log_cosh_error": "LogCoshError",
    "mae": "MeanAbsoluteError",
    "mape": "MeanAbsolutePercentageError",
    "mean": "Mean",
    "mean_absolute_error": "MeanAbsoluteError",
    "mean_absolute_percentage_error": "MeanAbsolutePercentageError",
    "mean_squared_error": "MeanSquaredError",
    "mean_squared_logarithmic_error": "MeanSquaredLogarithmicError",
    "mse": "MeanSquaredError",
    "msle": "MeanSquaredLogarithmicError",
    "pearson_correlation": "PearsonCorrelation",
    "poisson": "Poisson",
    "precision": "Precision",
    "r2_score": "R2Score",
    "recall": "Recall",
    "root_mean_squared_error": "RootMeanSquaredError",
    "sparse_categorical_accuracy": "SparseCategoricalAccuracy",
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
    "sparse_top_k_categorical_accuracy": "SparseTopKCategoricalAccuracy",
    "squared_hinge": "SquaredHinge",
    "sum": "Sum",
    "top_k_categorical_accuracy": "TopKCategoricalAccuracy",
    "true_negatives": "TrueNegatives",
    "true_positives": "TruePositives",
}


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    module = pytest.importorskip("keras")
    if module.backend.backend() != "torch":
        pytest.skip("real Keras is not on its torch backend")
    return module


@pytest.mark.parametrize("name, class_name", sorted(KERAS_ALIASES.items()))
def test_get_resolves_names_to_fresh_instances(name, class_name):
    metric = metrics.get(name)
    assert type(metric).__name__ == class_name
    assert metrics.get(name) is not metric


def test_get_other_identifiers():
    assert metrics.get(None) is None
    assert metrics.get(metrics.mean_squared_error) is metrics.mean_squared_error
    assert isinstance(metrics.get(metrics.AUC), metrics.AUC)
    mean = metrics.Mean(name="m")
    assert metrics.get(mean) is mean
    assert metrics.get({"class_name": "Mean", "config": {"name": "x"}}).name == "x"
    with pytest.raises(ValueError, match="Did you mean"):
        metrics.get("mean_absolute_eror")
    for name in ("acc", "crossentropy", "rmse"):  # Keras' `get` refuses these too
        with pytest.raises(ValueError):
            metrics.get(name)


def test_serialize_and_deserialize():
    config = metrics.serialize(metrics.Mean())
    assert config == {
        "module": "keras.metrics",
        "class_name": "Mean",
        "config": {"name": "mean", "dtype": "float32"},
        "registered_name": None,
    }
    assert isinstance(metrics.deserialize(config), metrics.Mean)
    fn_config = metrics.serialize(metrics.mean_squared_error)
    assert fn_config == {
        "module": "builtins",
        "class_name": "function",
        "config": "mean_squared_error",
        "registered_name": "function",
    }
    assert metrics.deserialize(fn_config) is metrics.mean_squared_error
    auc = metrics.deserialize(metrics.serialize(metrics.AUC(curve="PR", num_thresholds=7)))
    assert (auc.curve, auc.num_thresholds) == ("PR", 7)


def test_mean_metric_wrapper_config_round_trip():
    wrapper = metrics.MeanMetricWrapper(metrics.binary_accuracy, threshold=0.7)
    config = wrapper.get_config()
    assert config["fn"]["config"] == "binary_accuracy" and config["threshold"] == 0.7
    clone = metrics.MeanMetricWrapper.from_config(config)
    y_true, y_pred = np.array([[1.0], [0.0]]), np.array([[0.6], [0.2]])
    assert float(clone(y_true, y_pred)) == float(wrapper(y_true, y_pred)) == 0.5


@pytest.mark.parametrize(
    "identifier, y_true, y_pred, expected",
    [
        ("accuracy", (8, 1), (8, 1), "BinaryAccuracy"),
        ("accuracy", (8,), (8, 1), "BinaryAccuracy"),
        ("acc", (8, 1), (8, 5), "SparseCategoricalAccuracy"),
        ("accuracy", (8,), (8, 5), "SparseCategoricalAccuracy"),
        ("accuracy", (8, 5), (8, 5), "CategoricalAccuracy"),
        ("mae", (8, 1), (8, 1), "MeanAbsoluteError"),
    ],
)
def test_resolve_by_shape_follows_compile(identifier, y_true, y_pred, expected):
    metric = metrics.resolve_by_shape(identifier, y_true, y_pred)
    assert type(metric).__name__ == expected and metric.name == identifier
    assert all(v.path.startswith(f"{identifier}/") for v in metric.variables)


def test_resolve_by_shape_wraps_functions():
    metric = metrics.resolve_by_shape(metrics.mean_squared_error, (4, 1), (4, 1))
    assert isinstance(metric, metrics.MeanMetricWrapper) and metric.name == "mean_squared_error"


def test_state_is_not_module_state():
    metric = metrics.AUC()
    assert not isinstance(metric, torch.nn.Module)
    assert [v.path for v in metric.variables] == [
        "auc/true_positives",
        "auc/false_positives",
        "auc/true_negatives",
        "auc/false_negatives",
    ]
    assert all(not v.trainable and not v.value.requires_grad for v in metric.variables)


def test_reset_state_zeroes_in_place_and_call_returns_result():
    metric = metrics.Mean()
    total = metric.total.value
    assert float(metric([1.0, 2.0, 3.0])) == 2.0
    metric.reset_state()
    assert metric.total.value is total and float(metric.result()) == 0.0


def test_reset_state_uses_zeros_whatever_the_initializer():
    class Ones(Metric):
        def __init__(self):
            super().__init__(name="ones")
            self.a = self.add_weight(shape=(2,), initializer="ones", name="a")

    metric = Ones()
    assert metric.a.numpy().tolist() == [1.0, 1.0]
    metric.reset_state()  # Keras resets every variable to zeros
    assert metric.a.numpy().tolist() == [0.0, 0.0]


def test_default_names_are_unique_like_keras():
    assert [metrics.Precision().name, metrics.Precision().name] == ["precision", "precision_1"]
    assert metrics.MeanIoU(2).name == "mean_io_u" and metrics.Mean().name == "mean"
    assert metrics.Mean().name == "mean"  # an explicit default name is not made unique


def test_results_before_any_update_are_zero():
    fresh = (
        metrics.Mean(),
        metrics.AUC(),
        metrics.AUC(multi_label=True),
        metrics.F1Score(),
        metrics.R2Score(),
        metrics.Precision(),
        metrics.MeanIoU(3),
    )
    for metric in fresh:
        assert float(np.asarray(metric.result()).sum()) == 0.0


def test_metric_accepts_numpy_lists_and_tensors():
    expected = metrics.BinaryAccuracy()(np.array([[1.0], [0.0]]), np.array([[0.7], [0.6]]))
    for convert in (list, torch.tensor):
        got = metrics.BinaryAccuracy()(convert([[1.0], [0.0]]), convert([[0.7], [0.6]]))
        assert float(got) == float(expected) == 0.5


def test_output_mask_weights_samples_like_keras():
    y_true = torch.tensor([[1.0], [0.0], [1.0], [1.0]])
    y_pred = torch.tensor([[0.9], [0.8], [0.2], [0.7]])
    y_pred._keras_mask = torch.tensor([True, False, True, True])
    accuracy = metrics.BinaryAccuracy()
    accuracy.update_state(y_true, y_pred)
    assert (float(accuracy.total.numpy()), float(accuracy.count.numpy())) == (2.0, 3.0)
    weighted = metrics.BinaryAccuracy()
    weighted.update_state(y_true, y_pred, sample_weight=torch.tensor([1.0, 2.0, 3.0, 4.0]))
    assert (float(weighted.total.numpy()), float(weighted.count.numpy())) == (5.0, 8.0)


def test_ignore_class_masks_only_given_weights_like_keras():
    y_true = np.array([0, 2, 1, 2])
    y_pred = np.full((4, 3), 1 / 3, "float32")
    y_pred[0] = [0.5, 0.25, 0.25]
    plain = metrics.SparseCategoricalCrossentropy(ignore_class=2)
    plain.update_state(y_true, y_pred)
    assert float(plain.count.numpy()) == 4.0  # Keras counts ignored samples without weights
    weighted = metrics.SparseCategoricalCrossentropy(ignore_class=2)
    weighted.update_state(y_true, y_pred, sample_weight=np.array([1.0, 2.0, 3.0, 4.0]))
    assert float(weighted.count.numpy()) == 4.0  # 1 + 3: weights of ignored samples dropped
    assert float(weighted.result()) == pytest.approx((np.log(2) + 3 * np.log(3)) / 4, rel=1e-6)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: metrics.Precision(thresholds=1.5), "Threshold values must be in"),
        (lambda: metrics.PrecisionAtRecall(1.5), "`recall` must be in the range"),
        (lambda: metrics.SensitivityAtSpecificity(0.5, num_thresholds=0), "integer > 0"),
        (lambda: metrics.AUC(curve="x"), "Invalid AUC curve"),
        (lambda: metrics.AUC(summation_method="x"), "summation method"),
        (lambda: metrics.AUC(num_thresholds=1), "integer > 1"),
        (lambda: metrics.F1Score(average="x"), "`average`"),
        (lambda: metrics.FBetaScore(beta=0), "Python float"),
        (lambda: metrics.FBetaScore(threshold=2.0), "0 < threshold <= 1"),
        (lambda: metrics.R2Score(class_aggregation="x"), "class_aggregation"),
        (lambda: metrics.R2Score(num_regressors=-1), ">= 0"),
        (lambda: metrics.R2Score()(np.ones(3), np.ones(3)), "expects 2D inputs"),
    ],
)
def test_argument_errors_match_keras(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_iou_float_weights_warn_and_truncate_like_keras():
    metric = metrics.MeanIoU(2)
    with pytest.warns(UserWarning, match="passing weight as `float`"):
        metric.update_state(np.array([0, 1, 1]), np.array([0, 1, 0]), np.array([0.5, 0.7, 1.2]))
    assert metric.total_cm.numpy().tolist() == [[0, 0], [1, 0]]


def test_to_moves_state_and_keeps_metric_usable():
    metric = metrics.AUC().to("cpu")
    assert all(v.value.device.type == "cpu" for v in metric.variables)
    metric.update_state([[1.0], [0.0]], [[0.8], [0.3]])
    assert float(metric.result()) == pytest.approx(1.0)


@pytest.mark.cuda
def test_metrics_run_on_cuda():
    metric = metrics.AUC(multi_label=True).to("cuda")
    y_true = torch.tensor([[1.0, 0.0], [0.0, 1.0]], device="cuda")
    y_pred = torch.tensor([[0.8, 0.3], [0.3, 0.9]], device="cuda")
    metric.update_state(y_true, y_pred)
    assert metric.true_positives.value.is_cuda and float(metric.result()) == pytest.approx(1.0)


def test_namespace_matches_keras(keras):
    public = {name for name in dir(keras.metrics) if not name.startswith("_")}
    missing = sorted(name for name in public if not hasattr(metrics, name))
    assert not missing


@pytest.mark.parametrize("name", sorted(KERAS_ALIASES))
def test_aliases_match_live_keras(keras, name):
    assert type(keras.metrics.get(name)).__name__ == KERAS_ALIASES[name]


@pytest.mark.parametrize(
    "name, class_name",
    [
        ("io_u", "IoU"),
        ("mean_io_u", "MeanIoU"),
        ("one_hot_io_u", "OneHotIoU"),
        ("one_hot_mean_io_u", "OneHotMeanIoU"),
        ("precision_at_recall", "PrecisionAtRecall"),
        ("recall_at_precision", "RecallAtPrecision"),
        ("sensitivity_at_specificity", "SensitivityAtSpecificity"),
        ("specificity_at_sensitivity", "SpecificityAtSensitivity"),
        ("mean_metric_wrapper", "MeanMetricWrapper"),
        ("metric", "Metric"),
    ],
)
def test_aliases_of_classes_needing_arguments(name, class_name):
    assert METRICS.lookup(name).__name__ == class_name
    assert METRICS.lookup(class_name).__name__ == class_name
