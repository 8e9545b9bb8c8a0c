"""The seed tutorial's custom RMSE metric, with its `tf.*` calls replaced by torch ones."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import torchkeras as keras
import torchkeras.metrics


class RootMeanSquaredError(torchkeras.metrics.Metric):
    """Verbatim from the tutorial except `tf.one_hot`/`reduce_sum`/`square`/`sqrt`/`cast`."""

    def __init__(self, name="rmse", **kwargs):
        super().__init__(name=name, **kwargs)
        self.mse_sum = self.add_weight(name="mse_sum", initializer="zeros")
        self.total_samples = self.add_weight(
            name="total_samples", initializer="zeros", dtype="int32"
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = F.one_hot(y_true, num_classes=y_pred.shape[1])
        mse = torch.sum(torch.square(y_true - y_pred))
        self.mse_sum.assign_add(mse)
        num_samples = y_pred.shape[0]
        self.total_samples.assign_add(num_samples)

    def result(self):
        rmse = torch.sqrt(self.mse_sum / self.total_samples.to(torch.float32))
        return rmse

    def reset_state(self):
        self.mse_sum.assign(0.0)
        self.total_samples.assign(0)


def _batches():
    rng = np.random.default_rng(3)
    for size in (4, 6):
        labels = torch.as_tensor(rng.integers(0, 10, size=(size,)))
        logits = torch.as_tensor(rng.normal(size=(size, 10)), dtype=torch.float32)
        yield labels, torch.softmax(logits, dim=-1)


def _expected(batches):
    squared, count = 0.0, 0
    for labels, probs in batches:
        one_hot = np.eye(10)[labels.numpy()]
        squared += float(np.sum((one_hot - probs.numpy().astype("float64")) ** 2))
        count += len(labels)
    return np.sqrt(squared / count)


def test_rmse_over_two_batches_and_reset():
    metric = RootMeanSquaredError()
    batches = list(_batches())
    for labels, probs in batches:
        metric.update_state(labels, probs)
    assert float(metric.result()) == pytest.approx(_expected(batches), rel=1e-6)
    assert metric.total_samples.dtype == "int32"
    assert int(metric.total_samples.numpy()) == 10
    metric.reset_state()
    assert float(metric.mse_sum.numpy()) == 0.0 and int(metric.total_samples.numpy()) == 0
    labels, probs = batches[0]
    assert float(metric(labels, probs)) == pytest.approx(_expected(batches[:1]), rel=1e-6)


def test_custom_metric_state_is_tracked_but_not_a_module():
    metric = RootMeanSquaredError()
    assert [v.path for v in metric.variables] == ["rmse/mse_sum", "rmse/total_samples"]
    assert not isinstance(metric, torch.nn.Module)
    assert all(not v.trainable for v in metric.variables)
    assert metric.get_config() == {"name": "rmse", "dtype": "float32"}


def test_custom_metric_in_a_keras_namespace():
    assert keras.metrics.Metric is torchkeras.metrics.Metric
    metric = RootMeanSquaredError(name="my_rmse")
    assert repr(metric) == "<RootMeanSquaredError name=my_rmse>"
