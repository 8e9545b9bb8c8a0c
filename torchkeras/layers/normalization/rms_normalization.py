"""RMSNormalization: `x * rsqrt(mean(x**2) + epsilon) * scale` over the feature axes."""

import torch
import torch.nn.functional as F

from torchkeras.layers.layer import Layer
from torchkeras.layers.normalization import _axes
from torchkeras.registry import LAYERS


@LAYERS.register()
class RMSNormalization(Layer):
    """Root-mean-square normalization (Zhang & Sennrich, 2019) with a learned `scale`.

    Trailing axes run on `torch.nn.functional.rms_norm`, as Keras' torch backend does.

    Args:
        axis: Axis or list of axes to normalize over.
        epsilon: Small float added to the mean square (Keras' default 1e-6).

    Shapes: any shape -> the same shape. Weights: `scale`, of the normalized axes' shape.
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = _axes.check_axis_arg(axis, self)
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        self._axes = _axes.positive_axes(self.axis, len(input_shape), self)
        if isinstance(self.axis, int):
            self.axis = [self.axis]  # Keras keeps the axes as a list once built (its config too)
        shape = tuple(input_shape[a] for a in self._axes)
        self.scale = self.add_weight(name="scale", shape=shape, initializer="ones")

    def call(self, inputs):
        dtype = inputs.dtype
        x = inputs.float() if dtype in (torch.float16, torch.bfloat16) else inputs
        if _axes.is_trailing(self._axes, x.ndim):
            shape = tuple(x.shape[a] for a in self._axes)
            outputs = F.rms_norm(x, shape, self.scale, self.epsilon)
        else:
            mean_square = torch.mean(x * x, dim=self._axes, keepdim=True)
            scale = _axes.broadcast(self.scale, self._axes, x.ndim)
            outputs = x * torch.rsqrt(mean_square + self.epsilon) * scale
        return outputs.to(dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
