"""GlobalAveragePooling1D/2D/3D and GlobalMaxPooling1D/2D/3D: reduce every spatial axis."""

import torch

from torchkeras.layers.convolutional import conv_utils
from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS


class BaseGlobalPooling(Layer):
    """Mean or max over all spatial axes, one value per channel and sample.

    Args:
        rank: Number of spatial axes (1, 2 or 3).
        mode: `"max"` or `"average"`.
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.
        keepdims: Whether to keep the reduced axes with length 1.
    """

    def __init__(self, rank, mode, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.mode = mode
        self.data_format = conv_utils.normalize_data_format(data_format, self)
        self.keepdims = bool(keepdims)

    def build(self, input_shape):
        conv_utils.check_rank(input_shape, self.rank, self)

    def _axes(self):
        start = 1 if self.data_format == "channels_last" else 2
        return tuple(range(start, start + self.rank))

    def call(self, inputs):
        if self.mode == "max":
            return inputs.amax(dim=self._axes(), keepdim=self.keepdims)
        return inputs.mean(dim=self._axes(), keepdim=self.keepdims)

    def compute_output_shape(self, input_shape):
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def get_config(self):
        return {
            **super().get_config(),
            "data_format": self.data_format,
            "keepdims": self.keepdims,
        }


@LAYERS.register()
class GlobalAveragePooling1D(BaseGlobalPooling):
    """Global average pooling over the 1 spatial axes of sequences.

    Shapes: `(batch, steps, C) -> (batch, C)` (channels_last; `keepdims` keeps 1s).
    """

    supports_masking = True

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(
            1, "average", data_format=data_format, keepdims=keepdims, **kwargs
        )

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        # Keras' masked mean: the sum over unmasked steps divided by their number
        mask = mask.bool().unsqueeze(2 if self.data_format == "channels_last" else 1)
        steps = self._axes()
        total = torch.where(mask, inputs, 0).sum(dim=steps, keepdim=self.keepdims)
        return total / mask.to(inputs.dtype).sum(dim=steps, keepdim=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        """The steps axis is reduced away, so the output has no mask (Keras)."""
        return None


@LAYERS.register()
class GlobalAveragePooling2D(BaseGlobalPooling):
    """Global average pooling over the 2 spatial axes of images.

    Shapes: `(batch, *spatial, C) -> (batch, C)` (channels_last; `keepdims` keeps 1s).
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(
            2, "average", data_format=data_format, keepdims=keepdims, **kwargs
        )


@LAYERS.register()
class GlobalAveragePooling3D(BaseGlobalPooling):
    """Global average pooling over the 3 spatial axes of volumes.

    Shapes: `(batch, *spatial, C) -> (batch, C)` (channels_last; `keepdims` keeps 1s).
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(
            3, "average", data_format=data_format, keepdims=keepdims, **kwargs
        )


@LAYERS.register()
class GlobalMaxPooling1D(BaseGlobalPooling):
    """Global max pooling over the 1 spatial axes of sequences.

    Shapes: `(batch, steps, C) -> (batch, C)` (channels_last; `keepdims` keeps 1s).
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, "max", data_format=data_format, keepdims=keepdims, **kwargs)


@LAYERS.register()
class GlobalMaxPooling2D(BaseGlobalPooling):
    """Global max pooling over the 2 spatial axes of images.

    Shapes: `(batch, *spatial, C) -> (batch, C)` (channels_last; `keepdims` keeps 1s).
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, "max", data_format=data_format, keepdims=keepdims, **kwargs)


@LAYERS.register()
class GlobalMaxPooling3D(BaseGlobalPooling):
    """Global max pooling over the 3 spatial axes of volumes.

    Shapes: `(batch, *spatial, C) -> (batch, C)` (channels_last; `keepdims` keeps 1s).
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(3, "max", data_format=data_format, keepdims=keepdims, **kwargs)
