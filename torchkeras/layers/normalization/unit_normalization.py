"""UnitNormalization: scales each sample to unit L2 norm over `axis`, `x / ||x||`."""

import torch

from torchkeras.layers.layer import Layer
from torchkeras.layers.normalization import _axes
from torchkeras.registry import LAYERS


@LAYERS.register()
class UnitNormalization(Layer):
    """Divides the input by its L2 norm over `axis`; it has no weights.

    As Keras: `x * min(rsqrt(sum(x**2)), 1e12)`, so an all-zero slice stays zero.

    Args:
        axis: Axis or list of axes over which the norm is taken.

    Shapes: any shape -> the same shape.
    """

    supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = _axes.check_axis_arg(axis, self)

    def call(self, inputs):
        x = inputs if inputs.is_floating_point() else inputs.float()
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        square_sum = torch.sum(x * x, dim=axes, keepdim=True)
        return x * torch.clamp(torch.rsqrt(square_sum), max=1e12)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
