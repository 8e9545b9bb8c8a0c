"""torchkeras losses give real Keras 3's values and gradients, configs and errors.

The reference cases live in `compat/make_loss_references.py` and are compared with Keras 3.15.1
in `compat/test_losses.py`; here are the fused paths, CUDA, configs and errors. Tolerances are
rtol = atol = 1e-6: most cases are bit-identical (the same torch kernels run); the worst measured is ~6e-7 relative (the
gradient of `F.cross_entropy` with soft targets against Keras' `-sum(t * log_softmax)`), and
the fused means (one kernel instead of per-row means then their mean) differ by ~1e-7.
"""

import importlib.util
import inspect
import os
from pathlib import Path

import numpy as np
import pytest
import torch

import torchkeras
from torchkeras import losses
from torchkeras.losses import sparse

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "compat" / "references" / "losses.npz"
RTOL = ATOL = 1e-6


def _load_generator():
    """`compat/make_loss_references.py` as a module (its case table and `run_case`)."""
    spec = importlib.util.spec_from_file_location(
        "make_loss_references", ROOT / "compat" / "make_loss_references.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = _load_generator()
CASES = {case["name"]: case for case in GENERATOR.CASES}
LOSS_CLASSES = sorted(
    name
    for name, obj in vars(losses).items()
    if inspect.isclass(obj)
    and issubclass(obj, losses.Loss)
    and obj.__module__ != losses.Loss.__module__  # not the bases
)
# (class name, non-default kwargs) for config round trips.
CONFIG_CASES = [
    ("MeanSquaredError", {"reduction": "sum", "name": "m"}),
    ("Huber", {"delta": 0.5}),
    ("CosineSimilarity", {"axis": 1}),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1, "axis": 0}),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "alpha": 0.4, "gamma": 1.0}),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}),
    ("CategoricalFocalCrossentropy", {"alpha": 0.5, "gamma": 3.0, "reduction": None}),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 255, "axis": 1}),
    ("CategoricalGeneralizedCrossEntropy", {"q": 0.3}),
    ("Dice", {"axis": [1, 2]}),
    ("Tversky", {"alpha": 0.7, "beta": 0.3}),
    ("Circle", {"gamma": 10.0, "margin": 0.2, "remove_diagonal": False}),
    ("CTC", {"reduction": "mean"}),
]


@pytest.fixture(scope="module")
def reference():
    with np.load(REFERENCE) as data:
        return {key: data[key] for key in data.files}


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    module = pytest.importorskip("keras")
    if module.backend.backend() != "torch":
        pytest.skip(f"keras runs on {module.backend.backend()!r}, not torch")
    return module


def _inputs(reference, case):
    y_true = reference[f"inputs/{case['inputs']}/y_true"]
    y_pred = reference[f"inputs/{case['inputs']}/y_pred"]
    weights = case["weights"]
    return y_true, y_pred, None if weights is None else reference[f"weights/{weights}"]


def test_package_is_this_repository():
    assert Path(torchkeras.__file__).resolve().is_relative_to(ROOT)


def _large_inputs(name, seed=3):
    """A few thousand elements for the fused paths, where summation order shows most."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(1000, 37)).astype("float32")
    labels = rng.integers(0, 37, size=1000)
    if name in ("MeanSquaredError", "MeanAbsoluteError"):
        return rng.normal(size=(1000, 37)).astype("float32"), logits
    if name == "BinaryCrossentropy":
        return (rng.uniform(size=(1000, 37)) > 0.5).astype("float32"), logits
    if name == "CategoricalCrossentropy":
        return np.eye(37, dtype="float32")[labels], logits
    return labels, logits


FUSED_CASES = [
    ("MeanSquaredError", {}),
    ("MeanAbsoluteError", {}),
    ("BinaryCrossentropy", {"from_logits": True}),
    ("BinaryCrossentropy", {"label_smoothing": 0.1}),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.1}),
    ("SparseCategoricalCrossentropy", {"from_logits": True}),
]


@pytest.mark.parametrize("name, kwargs", FUSED_CASES)
def test_fused_mean_equals_per_sample_mean(name, kwargs):
    y_true, y_pred = _large_inputs(name)
    if name == "BinaryCrossentropy" and not kwargs.get("from_logits"):
        y_pred = 1.0 / (1.0 + np.exp(-y_pred))
    loss = getattr(losses, name)(**kwargs)
    y_true, y_pred = torch.tensor(y_true), torch.tensor(y_pred)
    fused = loss(y_true, y_pred)
    assert loss.fused_call(y_true, y_pred) is not None
    per_sample = loss.call(y_true, y_pred).mean()
    torch.testing.assert_close(fused, per_sample, rtol=RTOL, atol=ATOL)
    wrapped = losses.LossFunctionWrapper(loss.fn, **kwargs)  # what `compile("mse")` builds
    torch.testing.assert_close(wrapped(y_true, y_pred), fused, rtol=0, atol=0)


@pytest.mark.parametrize("name, kwargs", FUSED_CASES)
def test_fused_mean_matches_live_keras(keras, name, kwargs):
    y_true, y_pred = _large_inputs(name, seed=4)
    if name == "BinaryCrossentropy" and not kwargs.get("from_logits"):
        y_pred = 1.0 / (1.0 + np.exp(-y_pred))
    expected = getattr(keras.losses, name)(**kwargs)(y_true, y_pred)
    actual = getattr(losses, name)(**kwargs)(y_true, y_pred)
    np.testing.assert_allclose(actual.numpy(), expected.numpy(), rtol=RTOL, atol=ATOL)


def test_subclass_overriding_call_skips_the_fused_form():
    class Doubled(losses.LossFunctionWrapper):
        def call(self, y_true, y_pred):
            return 2.0 * super().call(y_true, y_pred)

    loss = Doubled(losses.mean_squared_error)
    assert float(loss(np.zeros((2, 2)), np.ones((2, 2)))) == 2.0


def test_every_keras_name_exists(keras):
    public = {name for name in dir(keras.losses) if not name.startswith("_")}
    assert public - set(dir(losses)) == set()


@pytest.mark.parametrize(
    "name",
    ["mse", "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE", "kld", "KLD", "bce", "BCE"]
    + ["mean_squared_error", "sparse_categorical_crossentropy", "huber", "ctc", "dice"]
    + ["MeanSquaredError", "SparseCategoricalCrossentropy", "Huber", "Circle", "CTC"],
)
def test_get_resolves_like_keras(keras, name):
    expected, actual = keras.losses.get(name), losses.get(name)
    if inspect.isfunction(expected):
        assert actual is getattr(losses, expected.__name__)
    else:
        assert type(actual).__name__ == type(expected).__name__
        assert actual.get_config() == {**expected.get_config(), **actual.get_config()}


@pytest.mark.parametrize("name", LOSS_CLASSES)
def test_default_config_contains_keras_config(keras, name):
    ours, theirs = getattr(losses, name)().get_config(), getattr(keras.losses, name)().get_config()
    assert {key: ours[key] for key in theirs} == theirs


@pytest.mark.parametrize("name, kwargs", CONFIG_CASES)
def test_config_round_trip(name, kwargs):
    loss = getattr(losses, name)(**kwargs)
    config = loss.get_config()
    assert {key: config[key] for key in kwargs} == kwargs
    assert type(loss).from_config(config).get_config() == config
    restored = losses.deserialize(losses.serialize(loss))
    assert type(restored) is type(loss) and restored.get_config() == config
    assert losses.get({"class_name": name, "config": config}).get_config() == config


@pytest.mark.parametrize("name, kwargs", CONFIG_CASES)
def test_configs_load_in_keras_and_back(keras, name, kwargs):
    if name == "CategoricalGeneralizedCrossEntropy":
        pytest.skip("Keras 3.15.1 leaves it out of keras.losses.deserialize's table")
    ours = getattr(losses, name)(**kwargs)
    theirs = keras.losses.deserialize(losses.serialize(ours))
    assert type(theirs).__name__ == name
    for key, value in kwargs.items():
        held = getattr(theirs, key) if key in ("name", "reduction") else theirs._fn_kwargs[key]
        assert held == value, key
    back = losses.deserialize(keras.losses.serialize(theirs)).get_config()
    assert {key: back[key] for key in theirs.get_config()} == theirs.get_config()


def test_function_serialization_round_trip():
    config = losses.serialize(losses.mean_squared_error)
    assert config["class_name"] == "function" and config["config"] == "mean_squared_error"
    assert losses.deserialize(config) is losses.mean_squared_error
    assert losses.get(config) is losses.mean_squared_error
    assert losses.get("logcosh") is losses.log_cosh


def test_loss_function_wrapper_round_trip():
    wrapper = losses.LossFunctionWrapper(losses.huber, delta=2.0, name="wrapped")
    config = wrapper.get_config()
    assert config["fn"]["config"] == "huber" and config["delta"] == 2.0
    restored = losses.deserialize(losses.serialize(wrapper))
    assert restored.fn is losses.huber and restored.get_config() == config
    y_true, y_pred = np.zeros((2, 3), "float32"), np.full((2, 3), 3.0, "float32")
    assert float(wrapper(y_true, y_pred)) == pytest.approx(2.0 * 3.0 - 0.5 * 4.0)


def test_get_unknown_name_suggests_close_names():
    with pytest.raises(ValueError, match="Did you mean 'mse'"):
        losses.get("msee")
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        losses.get(3)
    assert losses.get(None) is None


def test_get_returns_functions_and_instances():
    assert losses.get("categorical_crossentropy") is losses.categorical_crossentropy
    assert isinstance(losses.get("CategoricalCrossentropy"), losses.CategoricalCrossentropy)
    assert isinstance(losses.get(losses.Huber), losses.Huber)
    instance = losses.Poisson()
    assert losses.get(instance) is instance


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("label", [5, -1, -100])
def test_sparse_label_out_of_range_raises(from_logits, label):
    loss = losses.SparseCategoricalCrossentropy(from_logits=from_logits)
    y_pred = np.full((3, 4), 0.25, dtype="float32")
    with pytest.raises(ValueError, match=rf"label value of {label} .*\[0, 4\).* 4 classes"):
        loss(np.array([0, label, 1]), y_pred)


def test_generalized_crossentropy_label_out_of_range_raises():
    with pytest.raises(ValueError, match=r"label value of 3 .* 3 classes"):
        losses.CategoricalGeneralizedCrossEntropy()(np.array([3, 0]), np.full((2, 3), 1 / 3))


def test_sparse_ignore_class_may_be_out_of_range():
    y_pred = np.log(np.full((3, 4), 0.25, dtype="float32"))
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=255)
    assert float(loss(np.array([0, 255, 1]), y_pred)) == pytest.approx(np.log(4.0), rel=1e-6)


@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_out_of_range_off_cpu_gives_nan_or_raises_when_checked(monkeypatch, from_logits):
    # Runs the path of devices whose kernels assert instead of raising (CUDA) on the CPU.
    monkeypatch.setattr(sparse, "_RAISING_DEVICE_TYPES", frozenset())
    y_pred = torch.full((3, 4), 0.25, requires_grad=True)
    labels = torch.tensor([0, 7, 1])
    loss = losses.SparseCategoricalCrossentropy(from_logits=from_logits, reduction=None)
    assert torch.isnan(loss(labels, y_pred)).tolist() == [False, True, False]
    mean = losses.SparseCategoricalCrossentropy(from_logits=from_logits)(labels, y_pred)
    assert torch.isnan(mean)
    generalized = losses.CategoricalGeneralizedCrossEntropy(reduction=None)(labels, y_pred)
    assert torch.isnan(generalized).tolist() == [False, True, False]
    mean_loss = losses.SparseCategoricalCrossentropy(from_logits=from_logits)
    valid = mean_loss(labels.clamp(0, 3), y_pred)
    valid.backward()
    assert torch.isfinite(valid) and torch.isfinite(y_pred.grad).all()
    losses.enable_label_checks()
    try:
        with pytest.raises(ValueError, match="label value of 7 .* 4 classes"):
            loss(labels, y_pred)
        with pytest.raises(ValueError, match="label value of 7"):
            mean_loss(labels, y_pred)
    finally:
        losses.enable_label_checks(False)


@pytest.mark.cuda
def test_sparse_out_of_range_on_cuda_gives_nan_or_raises_when_checked():
    y_pred = torch.zeros(3, 4, device="cuda")
    labels = torch.tensor([0, 7, 1], device="cuda")
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)
    assert torch.isnan(loss(labels, y_pred)).tolist() == [False, True, False]
    losses.enable_label_checks()
    try:
        with pytest.raises(ValueError, match="label value of 7"):
            loss(labels, y_pred)
    finally:
        losses.enable_label_checks(False)


@pytest.mark.cuda
@pytest.mark.parametrize("name", sorted(CASES))
def test_cuda_matches_cpu(reference, name):
    case = CASES[name]
    y_true, y_pred, sample_weight = _inputs(reference, case)
    kwargs = case["kwargs"]
    prediction = torch.tensor(y_pred, device="cuda", requires_grad=True)
    if case["kind"] == "function":
        labels = torch.tensor(y_true, device="cuda")
        output = getattr(losses, case["target"])(labels, prediction, **kwargs)
    else:
        loss = getattr(losses, case["target"])(**kwargs)
        output = loss(y_true, prediction, sample_weight=sample_weight)
    output.sum().backward()
    np.testing.assert_allclose(
        output.detach().cpu().numpy(), reference[f"cases/{name}/output"], rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("name", LOSS_CLASSES)
def test_backward_reaches_predictions(reference, name):
    case = CASES[name] if name in CASES else CASES[f"{name}_probs"]
    y_true, y_pred, _ = _inputs(reference, case)
    prediction = torch.tensor(y_pred, requires_grad=True)
    getattr(losses, name)(**case["kwargs"])(torch.tensor(y_true), prediction).backward()
    assert prediction.grad is not None and torch.isfinite(prediction.grad).all()
    assert prediction.grad.abs().sum() > 0


def test_sum_over_batch_size_divides_by_element_count():
    values = torch.tensor([1.0, 2.0, 3.0, 4.0])
    weights = torch.tensor([1.0, 0.0, 1.0, 0.0])
    reduce = losses.reduce_weighted_values
    assert float(reduce(values, weights)) == 1.0  # (1 + 3) / 4, not / sum(weights)
    assert float(reduce(values, weights, reduction="mean_with_sample_weight")) == 2.0
    assert float(reduce(values, weights, reduction="sum")) == 4.0
    assert reduce(values, reduction=None) is values
    assert float(reduce(values, torch.zeros(4), reduction="mean_with_sample_weight")) == 0.0
    rows = reduce(values.reshape(2, 2), np.array([[1.0], [0.0]]), reduction="none")
    assert rows.tolist() == [[1.0, 2.0], [0.0, 0.0]]


def test_mask_on_predictions_averages_valid_entries_only():
    y_pred = torch.tensor([[1.0], [2.0], [3.0], [5.0]])
    y_pred._keras_mask = torch.tensor([True, True, False, False])
    loss = losses.MeanAbsoluteError()(torch.zeros(4, 1), y_pred)
    assert float(loss) == pytest.approx(1.5)


def test_invalid_arguments_raise():
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="avg")
    with pytest.raises(ValueError, match="q must be in the interval"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.5)
    with pytest.raises(ValueError, match="same shape"):
        losses.binary_crossentropy(torch.zeros(4), torch.zeros(4, 1))
    with pytest.raises(TypeError, match="must override"):
        losses.Loss()(torch.zeros(2), torch.zeros(2))


def test_custom_subclass_gets_unique_snake_case_names():
    class MyLoss(losses.Loss):
        def call(self, y_true, y_pred):
            return torch.abs(y_true - y_pred)

    first, second = MyLoss(), MyLoss()
    assert (first.name, second.name) == ("my_loss", "my_loss_1")
    assert float(first(np.ones(3), np.zeros(3), sample_weight=np.array([1.0, 2.0, 3.0]))) == 2.0


def test_dtypes_follow_the_loss_dtype():
    y_true, y_pred = np.ones((2, 3)), np.zeros((2, 3))  # float64 arrays
    assert losses.MeanSquaredError()(y_true, y_pred).dtype == torch.float32
    assert losses.MeanSquaredError(dtype="float64")(y_true, y_pred).dtype == torch.float64
    half = torch.zeros(2, 3, dtype=torch.float16)
    assert losses.MeanSquaredError()(y_true, half).dtype == torch.float32
    assert losses.MeanSquaredError().dtype == "float32"


def test_labels_are_converted_on_the_predictions_device():
    y_pred = torch.zeros(2, 3, dtype=torch.float64)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64")
    assert loss([[1], [2]], y_pred).dtype == torch.float64
    assert float(loss([1, 2], y_pred)) == pytest.approx(np.log(3.0))
