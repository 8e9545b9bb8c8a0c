"""Add: adds its inputs elementwise, `inputs[0] + inputs[1] + ...`."""

import torch

from torchkeras.layers.merging.base_merge import Merge
from torchkeras.registry import LAYERS


@LAYERS.register()
class Add(Merge):
    """Adds its inputs elementwise, with Keras' broadcasting (see `Merge`).

    Shapes: a list of `(batch, ...)` -> `(batch, ...)`.
    """

    _binary_op = staticmethod(torch.add)


def add(inputs, **kwargs):
    """Functional form of `Add`: builds the layer and calls it on `inputs`.

    Args:
        inputs: List of tensors (or KerasTensors) to merge.
        **kwargs: Standard layer arguments (`name`, `dtype` ...).

    Returns:
        The merged tensor.
    """
    return Add(**kwargs)(inputs)
