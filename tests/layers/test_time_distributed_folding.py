"""TimeDistributed folds time into the batch for built-in per-sample layers (one call instead
of one per step) and keeps Keras' per-step calls where folding would change results."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers


def _per_step(wrapper, inputs, **kwargs):
    """Keras' semantics: the wrapped layer called on each time step, stacked."""
    return torch.stack([wrapper.layer(inputs[:, t], **kwargs) for t in range(inputs.shape[1])], 1)


@pytest.mark.parametrize(
    "make, step_shape",
    [
        (lambda: layers.Dense(3, activation="relu"), (4,)),
        (lambda: layers.Conv2D(2, 3, padding="same"), (5, 5, 1)),
        (lambda: keras.Sequential([layers.Conv2D(2, 3), layers.MaxPooling2D(), layers.Flatten()]),
         (6, 6, 1)),
        (lambda: layers.LayerNormalization(), (4,)),
    ],
    ids=["dense", "conv2d", "sequential", "layer_norm"],
)
def test_folded_calls_equal_per_step_calls(make, step_shape):
    torch.manual_seed(0)
    wrapper = layers.TimeDistributed(make())
    inputs = torch.randn(2, 3, *step_shape)
    outputs = wrapper(inputs)
    assert wrapper._folds_time
    torch.testing.assert_close(outputs, _per_step(wrapper, inputs), rtol=1e-6, atol=1e-6)


def test_folding_runs_the_layer_once():
    calls = []
    dense = layers.Dense(2)
    wrapper = layers.TimeDistributed(dense)
    wrapper(torch.ones(4, 5, 3))  # builds
    original = dense.call
    dense.call = lambda x: calls.append(tuple(x.shape)) or original(x)
    wrapper(torch.ones(4, 5, 3))
    assert calls == [(20, 3)]


class BatchMean(layers.Layer):
    """A custom layer that uses the whole batch: folding would change its result."""

    def call(self, inputs):
        return inputs - inputs.mean(0, keepdim=True)


@pytest.mark.parametrize(
    "make",
    [layers.BatchNormalization, BatchMean, lambda: layers.Lambda(lambda x: x - x.mean(0)),
     lambda: keras.Sequential([layers.Dense(2), layers.BatchNormalization()])],
    ids=["batch_norm", "custom", "lambda", "sequential_with_bn"],
)
def test_batch_dependent_and_custom_layers_run_per_step(make):
    wrapper = layers.TimeDistributed(make())
    inputs = torch.randn(4, 3, 2)
    outputs = wrapper(inputs, training=True)
    assert not wrapper._folds_time
    per_step = torch.stack([inputs[:, t] - inputs[:, t].mean(0) for t in range(3)], 1)
    if isinstance(wrapper.layer, BatchMean):
        torch.testing.assert_close(outputs, per_step)


def test_folded_masks_reach_layers_that_take_them():
    inputs = keras.Input((3, 4), dtype="int32")
    embedded = layers.TimeDistributed(layers.Embedding(10, 2, mask_zero=True))(inputs)
    model = keras.Model(inputs, embedded)
    data = np.array([[[1, 2, 0, 0], [3, 0, 0, 0], [4, 5, 6, 7]]])
    outputs = model.predict(data, verbose=0)
    assert outputs.shape == (1, 3, 4, 2)
