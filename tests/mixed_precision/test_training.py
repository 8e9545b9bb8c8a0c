"""Training under mixed policies reaches the float32 loss: an MLP and a small CNN, on CPU/CUDA."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import mixed_precision
from torchkeras.optimizers import LossScaleOptimizer

RNG = np.random.default_rng(0)
TABLE = RNG.normal(size=(256, 16)).astype("float32")
TABLE_LABELS = np.argmax(TABLE @ RNG.normal(size=(16, 4)), axis=1)
IMAGES = RNG.normal(size=(128, 8, 8, 1)).astype("float32")
IMAGE_LABELS = (IMAGES[:, :4].mean((1, 2, 3)) > IMAGES[:, 4:].mean((1, 2, 3))).astype("int64")
# Final training loss of a mixed run within 5% of the float32 run's (measured: < 1% for both
# models and both policies after 6 epochs; the first updates differ by rounding only).
RTOL = 0.05


def _mlp():
    return keras.Sequential([
        keras.Input((16,)),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(4),
        keras.layers.Activation("softmax", dtype="float32"),
    ])


def _cnn():
    return keras.Sequential([
        keras.Input((8, 8, 1)),
        keras.layers.Conv2D(8, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(2),
        keras.layers.Activation("softmax", dtype="float32"),
    ])


MODELS = {"mlp": (_mlp, TABLE, TABLE_LABELS), "cnn": (_cnn, IMAGES, IMAGE_LABELS)}


def _final_losses(make, x, y, policy, device=None, epochs=6):
    losses = {}
    for name in ("float32", policy):
        mixed_precision.set_global_policy(name)
        keras.utils.set_random_seed(0)
        model = make()
        if device is not None:
            model.to(device)
        model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy")
        history = model.fit(x, y, batch_size=32, epochs=epochs, shuffle=False, verbose=0)
        losses[name] = history.history["loss"]
        assert {w.dtype for w in model.weights} == {torch.float32}
    mixed_precision.set_global_policy("float32")
    return losses["float32"], losses[policy], model


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
@pytest.mark.parametrize("name", sorted(MODELS))
def test_mixed_training_reaches_the_float32_loss_on_cpu(name, policy):
    make, x, y = MODELS[name]
    reference, mixed, model = _final_losses(make, x, y, policy)
    assert mixed[-1] < 0.6 * mixed[0]  # it learns
    assert mixed[-1] == pytest.approx(reference[-1], rel=RTOL)
    assert isinstance(model.optimizer, LossScaleOptimizer) == (policy == "mixed_float16")


@pytest.mark.cuda
@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_training_on_cuda(policy):
    make, x, y = MODELS["cnn"]
    reference, mixed, model = _final_losses(make, x, y, policy, device="cuda")
    assert model.layers[0].kernel.is_cuda
    assert mixed[-1] == pytest.approx(reference[-1], rel=RTOL)
    compute = torch.float16 if policy == "mixed_float16" else torch.bfloat16
    assert model.layers[0](torch.as_tensor(x[:2], device="cuda")).dtype == compute
