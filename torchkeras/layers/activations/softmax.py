"""Softmax: `exp(x) / sum(exp(x))` along `axis`, with Keras' optional mask."""

import torch

from torchkeras import activations
from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS


@LAYERS.register()
class Softmax(Layer):
    """Softmax along `axis`; masked positions get probability 0.

    As Keras, masked inputs (mask False, or <= 0.5 for a float mask) are replaced by a large
    negative number before the softmax and their outputs are then set to 0, so a fully masked
    slice outputs zeros.

    Args:
        axis: Axis (or list of axes) to normalize over.

    Shapes: any shape -> the same shape; `mask` must broadcast to the input.
    """

    supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs, mask=None):
        x = inputs if inputs.is_floating_point() else inputs.float()
        if mask is not None:
            if mask.ndim > x.ndim:
                raise ValueError(
                    f"Softmax '{self.name}': the `mask` must broadcast to `inputs` and must not "
                    f"have more dimensions. Received: inputs.shape={tuple(x.shape)}, "
                    f"mask.shape={tuple(mask.shape)}"
                )
            if mask.dtype != torch.bool:
                mask = mask > 0.5
            x = torch.where(mask, x, _large_negative(x.dtype))
        axes = self.axis if isinstance(self.axis, (list, tuple)) else [self.axis]
        if len(axes) > 1:
            outputs = torch.exp(x - torch.logsumexp(x, dim=list(axes), keepdim=True))
        else:
            outputs = activations.softmax(x, axis=axes[0])
        if mask is not None:
            outputs = torch.where(mask, outputs, torch.zeros((), dtype=outputs.dtype))
        return outputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def _large_negative(dtype):
    """Keras' stand-in for -inf: -1e9, or -3e4 for float16 (which -1e9 would overflow)."""
    value = -3e4 if dtype == torch.float16 else -1e9
    return torch.tensor(value, dtype=dtype)
