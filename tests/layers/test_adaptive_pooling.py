"""Adaptive pooling layers: bad arguments and inputs fail with errors naming the layer (values
against Keras are in the case table, `cases.py`)."""

import pytest
import torch

from torchkeras.layers.pooling import AdaptiveAveragePooling2D, AdaptiveMaxPooling1D


@pytest.mark.parametrize("output_size", [0, (2,), (2, 2, 2), "2"])
def test_output_size_must_be_positive_ints_one_per_axis(output_size):
    with pytest.raises(ValueError, match="output_size"):
        AdaptiveAveragePooling2D(output_size)


def test_input_rank_is_checked():
    layer = AdaptiveMaxPooling1D(3, name="pool")
    with pytest.raises(ValueError, match="'pool'.*expected ndim=3, found ndim=4"):
        layer(torch.zeros(2, 5, 5, 1))


def test_output_larger_than_input_repeats_cells():
    layer = AdaptiveAveragePooling2D((4, 4))
    inputs = torch.arange(4.0).reshape(1, 2, 2, 1)
    assert layer(inputs)[0, :, :, 0].tolist() == [[0, 0, 1, 1]] * 2 + [[2, 2, 3, 3]] * 2
