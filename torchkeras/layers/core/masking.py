"""Masking: skips timesteps whose features all equal `mask_value`, by setting a Keras mask."""

import numbers

import torch

from torchkeras.layers import masking_support
from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS


@LAYERS.register()
class Masking(Layer):
    """Masks timesteps whose features all equal `mask_value`: their outputs become 0, and the
    output carries the mask `any(inputs != mask_value, axis=-1)` for downstream layers.

    The mask travels as the output's `_keras_mask` attribute (True = keep), so layers such as
    LSTM, GlobalAveragePooling1D and the losses of `fit` skip the masked steps, as in Keras.

    Args:
        mask_value: The padding value; a step is masked when every feature equals it.

    Shapes: `(batch, steps, features)` -> the same shape; the mask is `(batch, steps)`.
    """

    supports_masking = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(mask_value, bool) or not isinstance(mask_value, numbers.Real):
            raise ValueError(
                f"Masking '{self.name}': `mask_value` must be a number, got "
                f"mask_value={mask_value!r}."
            )
        self.mask_value = mask_value

    def call(self, inputs):
        keep = (inputs != self.mask_value).any(dim=-1, keepdim=True)  # (batch, steps, 1)
        outputs = torch.where(keep, inputs, 0)
        masking_support.set_mask(outputs, keep.squeeze(-1))
        return outputs

    def compute_mask(self, inputs, mask=None):
        """`any(inputs != mask_value, axis=-1)`: True for steps that are kept."""
        return (inputs != self.mask_value).any(dim=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
