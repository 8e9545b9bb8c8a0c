"""Subtract: the difference of exactly two inputs, `inputs[0] - inputs[1]`."""

from torchkeras.layers.merging.base_merge import Merge
from torchkeras.registry import LAYERS


@LAYERS.register()
class Subtract(Merge):
    """Subtracts its second input from its first, with Keras' broadcasting (see `Merge`).

    Shapes: `[(batch, ...), (batch, ...)]` -> `(batch, ...)`.
    """

    def build(self, input_shape):
        super().build(input_shape)
        self._check_two(len(input_shape))

    def _merge_function(self, inputs):
        self._check_two(len(inputs))
        return inputs[0] - inputs[1]

    def _check_two(self, count):
        if count != 2:
            raise ValueError(
                f"{self._describe()}: a Subtract layer must be called on exactly 2 inputs, "
                f"got {count}."
            )


def subtract(inputs, **kwargs):
    """Functional form of `Subtract`: builds the layer and calls it on `inputs`.

    Args:
        inputs: List of exactly two tensors (or KerasTensors).
        **kwargs: Standard layer arguments (`name`, `dtype` ...).

    Returns:
        `inputs[0] - inputs[1]`.
    """
    return Subtract(**kwargs)(inputs)
