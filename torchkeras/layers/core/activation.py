"""Activation: applies an activation function elementwise, `activation(inputs)`."""

from torchkeras import activations
from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS


@LAYERS.register()
class Activation(Layer):
    """Applies an activation function to its input; it has no weights.

    Args:
        activation: Activation name (e.g. `"relu"`) or callable; `None` means linear.

    Shapes: any shape -> the same shape.
    """

    supports_masking = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
