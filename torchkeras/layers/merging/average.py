"""Average: the elementwise mean of its inputs, `(inputs[0] + ... + inputs[n-1]) / n`."""

import functools

import torch

from torchkeras.layers.merging.base_merge import Merge
from torchkeras.registry import LAYERS


@LAYERS.register()
class Average(Merge):
    """Averages its inputs elementwise, with Keras' broadcasting (see `Merge`).

    Shapes: a list of `(batch, ...)` -> `(batch, ...)`.
    """

    def _merge_function(self, inputs):
        return functools.reduce(torch.add, inputs) / len(inputs)


def average(inputs, **kwargs):
    """Functional form of `Average`: builds the layer and calls it on `inputs`.

    Args:
        inputs: List of tensors (or KerasTensors) to average.
        **kwargs: Standard layer arguments (`name`, `dtype` ...).

    Returns:
        The elementwise mean.
    """
    return Average(**kwargs)(inputs)
