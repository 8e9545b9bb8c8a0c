"""Multiply: multiplies its inputs elementwise, `inputs[0] * inputs[1] * ...`."""

import torch

from torchkeras.layers import masking_support
from torchkeras.layers.merging.base_merge import Merge
from torchkeras.registry import LAYERS


@LAYERS.register()
class Multiply(Merge):
    """Multiplies its inputs elementwise, with Keras' broadcasting (see `Merge`).

    Shapes: a list of `(batch, ...)` -> `(batch, ...)`.
    """

    _binary_op = staticmethod(torch.mul)

    def _merge_function(self, inputs):
        if all(masking_support.get_mask(x) is None for x in inputs):
            return super()._merge_function(inputs)
        # Masked entries count as 1 (0 where every input is masked), as in Keras.
        return masking_support.masked_product(inputs)


def multiply(inputs, **kwargs):
    """Functional form of `Multiply`: builds the layer and calls it on `inputs`.

    Args:
        inputs: List of tensors (or KerasTensors) to merge.
        **kwargs: Standard layer arguments (`name`, `dtype` ...).

    Returns:
        The merged tensor.
    """
    return Multiply(**kwargs)(inputs)
