"""Flatten: collapses every axis but the batch axis into one, in Keras' (H, W, C) order."""

import math

from torchkeras import config
from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS

_DATA_FORMATS = ("channels_last", "channels_first")


@LAYERS.register()
class Flatten(Layer):
    """Flattens each sample to a vector; the batch axis is kept.

    Features come out in channels-last order, as in Keras: a `channels_first` input is first
    permuted to `(batch, ..., channels)`, so a Dense layer after it sees the same feature
    order whichever format produced it (torch's `nn.Flatten` keeps (C, H, W) order).

    Args:
        data_format: `"channels_last"` or `"channels_first"`; `None` means
            `keras.config.image_data_format()`.

    Shapes: `(batch, d1, ..., dn)` -> `(batch, d1 * ... * dn)`; `(batch,)` -> `(batch, 1)`.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        data_format = data_format or config.image_data_format()
        if data_format not in _DATA_FORMATS:
            raise ValueError(
                f"Flatten '{self.name}': `data_format` must be one of {_DATA_FORMATS}, "
                f"got data_format={data_format!r}."
            )
        self.data_format = data_format

    def call(self, inputs):
        if inputs.ndim == 1:
            return inputs.unsqueeze(1)  # (batch,) -> (batch, 1)
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = inputs.movedim(1, -1)  # (batch, C, ...) -> (batch, ..., C)
        return inputs.flatten(1)

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if None in rest else math.prod(rest)
        return (input_shape[0], size)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}
