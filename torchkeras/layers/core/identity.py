"""Identity: returns its input unchanged (a placeholder layer)."""

from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS


@LAYERS.register()
class Identity(Layer):
    """Returns its input, whatever its structure; it has no weights.

    Shapes: any shape -> the same shape.
    """

    supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
