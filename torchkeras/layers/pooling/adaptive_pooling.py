"""AdaptiveAveragePooling1D/2D/3D and AdaptiveMaxPooling1D/2D/3D: pool to a fixed output size.

Each output cell pools the input window `[floor(i * L / n), ceil((i + 1) * L / n))` of its axis,
the rule of torch's `adaptive_{avg,max}_pool` (and of Keras 3), so torch's kernels compute them.
"""

import torch.nn.functional as F

from torchkeras.layers.convolutional import conv_utils
from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS

_KERNELS = {
    ("average", 1): F.adaptive_avg_pool1d, ("average", 2): F.adaptive_avg_pool2d,
    ("average", 3): F.adaptive_avg_pool3d, ("max", 1): F.adaptive_max_pool1d,
    ("max", 2): F.adaptive_max_pool2d, ("max", 3): F.adaptive_max_pool3d,
}  # fmt: skip


class BaseAdaptivePooling(Layer):
    """Average or max pooling of every spatial axis to `output_size` cells.

    Args:
        rank: Number of spatial axes (1, 2 or 3).
        mode: `"average"` or `"max"`.
        output_size: An int (every axis) or `rank` ints: the pooled sizes.
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.
    """

    def __init__(self, rank, mode, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.mode = mode
        self.output_size = conv_utils.normalize_tuple(output_size, rank, "output_size", self)
        self.data_format = conv_utils.normalize_data_format(data_format, self)

    def build(self, input_shape):
        conv_utils.check_rank(input_shape, self.rank, self)

    def call(self, inputs):
        channels_last = self.data_format == "channels_last"
        x = inputs.movedim(-1, 1) if channels_last else inputs  # torch pools channels_first
        outputs = _KERNELS[self.mode, self.rank](x, self.output_size)
        return outputs.movedim(1, -1) if channels_last else outputs

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self):
        return {
            **super().get_config(),
            "output_size": self.output_size,
            "data_format": self.data_format,
        }


@LAYERS.register()
class AdaptiveAveragePooling1D(BaseAdaptivePooling):
    """Adaptive average pooling of the 1 spatial axis to `output_size` cells.

    Shapes: `(batch, steps, C) -> (batch, output_size, C)`,
    channels_last (channels_first puts C second).
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(1, "average", output_size, data_format, **kwargs)


@LAYERS.register()
class AdaptiveAveragePooling2D(BaseAdaptivePooling):
    """Adaptive average pooling of all 2 spatial axes to `output_size` cells.

    Shapes: `(batch, H, W, C) -> (batch, *output_size, C)`,
    channels_last (channels_first puts C second).
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(2, "average", output_size, data_format, **kwargs)


@LAYERS.register()
class AdaptiveAveragePooling3D(BaseAdaptivePooling):
    """Adaptive average pooling of all 3 spatial axes to `output_size` cells.

    Shapes: `(batch, D, H, W, C) -> (batch, *output_size, C)`,
    channels_last (channels_first puts C second).
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(3, "average", output_size, data_format, **kwargs)


@LAYERS.register()
class AdaptiveMaxPooling1D(BaseAdaptivePooling):
    """Adaptive max pooling of the 1 spatial axis to `output_size` cells.

    Shapes: `(batch, steps, C) -> (batch, output_size, C)`,
    channels_last (channels_first puts C second).
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(1, "max", output_size, data_format, **kwargs)


@LAYERS.register()
class AdaptiveMaxPooling2D(BaseAdaptivePooling):
    """Adaptive max pooling of all 2 spatial axes to `output_size` cells.

    Shapes: `(batch, H, W, C) -> (batch, *output_size, C)`,
    channels_last (channels_first puts C second).
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(2, "max", output_size, data_format, **kwargs)


@LAYERS.register()
class AdaptiveMaxPooling3D(BaseAdaptivePooling):
    """Adaptive max pooling of all 3 spatial axes to `output_size` cells.

    Shapes: `(batch, D, H, W, C) -> (batch, *output_size, C)`,
    channels_last (channels_first puts C second).
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(3, "max", output_size, data_format, **kwargs)
