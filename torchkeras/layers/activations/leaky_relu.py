"""LeakyReLU: `x` for `x >= 0`, `negative_slope * x` otherwise (Keras' slope 0.3)."""

import torch.nn.functional as F

from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS


@LAYERS.register()
class LeakyReLU(Layer):
    """Leaky rectified linear unit; the default slope is Keras' 0.3 (torch's is 0.01).

    Args:
        negative_slope: Slope of the negative part, a non-negative float. Keras 2's `alpha`
            keyword is accepted as an alias, as Keras 3 does.

    Shapes: any shape -> the same shape.
    """

    supports_masking = True

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        if (
            negative_slope is None
            or isinstance(negative_slope, bool)
            or not isinstance(negative_slope, (int, float))
            or negative_slope < 0
        ):
            raise ValueError(
                f"LeakyReLU '{self.name}': `negative_slope` must be a non-negative float, "
                f"got negative_slope={negative_slope!r}."
            )
        self.negative_slope = negative_slope

    def call(self, inputs):
        x = inputs if inputs.is_floating_point() else inputs.float()
        return F.leaky_relu(x, negative_slope=self.negative_slope)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}
