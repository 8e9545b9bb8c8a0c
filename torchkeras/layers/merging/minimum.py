"""Minimum: takes the elementwise minimum of its inputs, `min(inputs[0], inputs[1], ...)`."""

import torch

from torchkeras.layers import masking_support
from torchkeras.layers.merging.base_merge import Merge
from torchkeras.registry import LAYERS


@LAYERS.register()
class Minimum(Merge):
    """Takes the elementwise minimum of its inputs, with Keras' broadcasting (see `Merge`).

    Shapes: a list of `(batch, ...)` -> `(batch, ...)`.
    """

    _binary_op = staticmethod(torch.minimum)

    def _merge_function(self, inputs):
        # Masked entries take the other inputs' values, as in Keras (see merge_or_masks).
        return masking_support.merge_or_masks(torch.minimum, inputs)


def minimum(inputs, **kwargs):
    """Functional form of `Minimum`: builds the layer and calls it on `inputs`.

    Args:
        inputs: List of tensors (or KerasTensors) to merge.
        **kwargs: Standard layer arguments (`name`, `dtype` ...).

    Returns:
        The merged tensor.
    """
    return Minimum(**kwargs)(inputs)
