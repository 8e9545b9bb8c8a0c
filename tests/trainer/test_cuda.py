"""On a CUDA device: fit moves model and data there once, and the training step never syncs."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.trainer.data import ArrayBatches, to_device

pytestmark = pytest.mark.cuda


def _data(samples=512):
    rng = np.random.default_rng(0)
    return rng.random((samples, 20), dtype=np.float32), rng.integers(0, 4, size=(samples,))


def test_fit_runs_on_cuda_by_default():
    x, y = _data()
    model = keras.Sequential([layers.Dense(16, activation="relu"), layers.Dense(4)])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, verbose=0)
    assert model.layers[0].kernel.device.type == "cuda"
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(x[:10], verbose=0).shape == (10, 4)


def test_training_steps_make_no_host_sync():
    x, y = _data()
    model = keras.Sequential([layers.Dense(16, activation="relu"), layers.Dense(4)])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy", "sparse_categorical_crossentropy"])
    model.fit(x[:64], y[:64], verbose=0)  # builds the model, the optimizer and the metrics
    model.train()
    batches = ArrayBatches(to_device((x, y, None), "cuda"), batch_size=32, shuffle=True)
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for batch in batches:
            model.train_step(batch)
    finally:
        torch.cuda.set_sync_debug_mode("default")
