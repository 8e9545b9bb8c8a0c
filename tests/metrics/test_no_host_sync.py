"""`update_state` never reads a value back to the host (TRAINER_NOTES: no sync in the step).

Every tensor method that copies a value to Python or to host memory is made to raise while
`update_state` runs; the inputs are tensors made beforehand, as in a training step.
"""

import numpy as np
import pytest
import torch

import metric_cases
import torchkeras.metrics as tk_metrics

_HOST_READS = ("item", "__float__", "__int__", "__bool__", "tolist", "numpy", "cpu")


def _forbid_host_reads(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("update_state read a tensor value back to the host")

    for name in _HOST_READS:
        monkeypatch.setattr(torch.Tensor, name, refuse)


def _tensor_batches(case):
    inputs = metric_cases.make_inputs()[case.data]
    return {key: torch.as_tensor(value) for key, value in inputs.items()}


def _update(metric, batches, index, weighting):
    weight = None if weighting == "none" else batches[f"{weighting}_{index}"]
    if f"y_true_{index}" in batches:
        metric.update_state(batches[f"y_true_{index}"], batches[f"y_pred_{index}"], weight)
    else:
        metric.update_state(batches[f"y_pred_{index}"], sample_weight=weight)


@pytest.mark.parametrize(
    "class_name, kwargs, data",
    [
        ("Mean", {}, "values"),
        ("SparseCategoricalAccuracy", {}, "sparse"),
        ("AUC", {}, "binary"),
        ("AUC", {"multi_label": True, "curve": "PR"}, "multilabel"),
    ],
)
def test_required_metrics_make_no_host_sync(monkeypatch, class_name, kwargs, data):
    case = metric_cases.MetricCase("t", class_name, kwargs, data)
    batches = _tensor_batches(case)
    metric = getattr(tk_metrics, class_name)(**kwargs)
    _forbid_host_reads(monkeypatch)
    for index in range(3):
        _update(metric, batches, index, "sample")
        _update(metric, batches, index, "none")
    monkeypatch.undo()
    assert np.isfinite(np.asarray(metric.result())).all()


@pytest.mark.filterwarnings("ignore:You are passing weight")
@pytest.mark.parametrize("case", metric_cases.CASES, ids=lambda c: c.name)
def test_every_metric_case_makes_no_host_sync(monkeypatch, case):
    batches = _tensor_batches(case)
    metric = getattr(tk_metrics, case.class_name)(**case.kwargs)
    _forbid_host_reads(monkeypatch)
    for index in range(3):
        _update(metric, batches, index, case.weightings[-1])
    monkeypatch.undo()
    metric.result()


@pytest.mark.cuda
@pytest.mark.filterwarnings("ignore:You are passing weight")
def test_no_synchronizing_cuda_calls_in_update_state():
    batches = {
        case.name: {k: v.cuda() for k, v in _tensor_batches(case).items()}
        for case in metric_cases.CASES
    }
    metrics = [getattr(tk_metrics, c.class_name)(**c.kwargs).to("cuda") for c in metric_cases.CASES]
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for case, metric in zip(metric_cases.CASES, metrics):
            for index in range(3):
                _update(metric, batches[case.name], index, case.weightings[-1])
    finally:
        torch.cuda.set_sync_debug_mode("default")
    for metric in metrics:
        metric.result()


@pytest.mark.parametrize(
    "host_read",
    [
        lambda t: t.item(),
        lambda t: float(t),
        lambda t: bool(t > 0),
        lambda t: t.tolist(),
        lambda t: t.numpy(),
        lambda t: t.cpu(),
    ],
)
def test_the_guard_catches_host_reads(monkeypatch, host_read):
    tensor = torch.tensor(1.0)
    _forbid_host_reads(monkeypatch)
    with pytest.raises(AssertionError, match="host"):
        host_read(tensor)
