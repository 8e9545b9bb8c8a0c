"""Non-trainable weights (buffers) answer Keras' Variable API like trainable ones: the keras.io
"layers that keep state" example (`self.total.assign_add(...)`) runs unchanged."""

import copy
import io

import numpy as np
import torch

import torchkeras as keras
from torchkeras.layers.weight_parameter import WeightBuffer


class ComputeSum(keras.layers.Layer):
    def __init__(self, input_dim):
        super().__init__()
        self.total = self.add_weight(initializer="zeros", shape=(input_dim,), trainable=False)

    def call(self, inputs):
        self.total.assign_add(keras.ops.sum(inputs, axis=0))
        return self.total


def test_keras_guide_compute_sum_runs():
    layer = ComputeSum(2)
    x = keras.ops.ones((2, 2))
    np.testing.assert_array_equal(layer(x).numpy(), [2.0, 2.0])
    np.testing.assert_array_equal(layer(x).numpy(), [4.0, 4.0])
    assert len(layer.weights) == 1 and len(layer.non_trainable_weights) == 1
    assert not layer.trainable_weights


def test_buffers_assign_and_read_like_variables():
    layer = ComputeSum(3)
    layer.total.assign([1, 2, 3])
    layer.total.assign_sub(np.ones(3, "float32"))
    np.testing.assert_array_equal(np.array(layer.total), [0.0, 1.0, 2.0])
    assert layer.total.value is layer.total
    assert type(layer.total * 2) is torch.Tensor  # ops give plain tensors, as on Parameters


def test_buffers_stay_weight_buffers_through_conversions_and_copies():
    layer = ComputeSum(2)
    layer.double()
    assert isinstance(layer.total, WeightBuffer) and layer.total.dtype == torch.float64
    copied = copy.deepcopy(layer)
    assert isinstance(copied.total, WeightBuffer) and copied.total is not layer.total
    layer.total.assign([5.0, 6.0])
    buffer = io.BytesIO()
    torch.save(layer.state_dict(), buffer)
    buffer.seek(0)
    state = torch.load(buffer, weights_only=True)  # plain tensors: safe loading accepts them
    assert type(state["total"]) is torch.Tensor and state["total"].tolist() == [5.0, 6.0]


def test_batch_normalization_moving_statistics_update_in_place():
    layer = keras.layers.BatchNormalization()
    layer(torch.randn(8, 3), training=True)
    assert isinstance(layer.moving_mean, WeightBuffer)
    before = layer.moving_mean.numpy()
    layer(torch.randn(8, 3) + 5, training=True)
    assert not np.allclose(before, layer.moving_mean.numpy())
