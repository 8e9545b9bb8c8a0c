"""ZeroPadding1D/2D/3D: zeros added before and after each spatial axis, in Keras semantics."""

from torch.nn import functional as F

from torchkeras.layers.convolutional import conv_utils
from torchkeras.layers.layer import Layer
from torchkeras.layers.reshaping import spatial_utils
from torchkeras.registry import LAYERS


class BaseZeroPadding(Layer):
    """Pads `rank` spatial axes with zeros through one `F.pad` call (a channels_last input is
    padded in place of layout: `F.pad` gets `(0, 0)` for the channels axis, no permutes).

    Args:
        rank: Number of spatial axes (1, 2 or 3).
        padding: An int, `rank` ints or `rank` `(before, after)` pairs (rank 1: an int or
            one pair).
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.
    """

    def __init__(self, rank, padding, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.padding = spatial_utils.normalize_pairs(padding, rank, "padding", self)
        self.data_format = conv_utils.normalize_data_format(data_format, self)

    def _pairs(self):
        return (self.padding,) if self.rank == 1 else self.padding

    def build(self, input_shape):
        conv_utils.check_rank(input_shape, self.rank, self)

    def call(self, inputs):
        if self.data_format == "channels_last":
            return F.pad(inputs, conv_utils.channels_last_pad(self._pairs()))
        return F.pad(inputs, conv_utils.channels_first_pad(self._pairs()))

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        axes = spatial_utils.spatial_axes(self.rank, self.data_format)
        for axis, (before, after) in zip(axes, self._pairs()):
            if shape[axis] is not None:
                shape[axis] += before + after
        return tuple(shape)

    def get_config(self):
        return {
            **super().get_config(),
            "padding": self.padding,
            "data_format": self.data_format,
        }


@LAYERS.register()
class ZeroPadding1D(BaseZeroPadding):
    """Zero-pads the steps axis of a sequence.

    Args:
        padding: An int (both ends) or `(before, after)`.
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.

    Shapes: `(batch, steps, C) -> (batch, before + steps + after, C)` (channels_last).
    """

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(1, padding, data_format, **kwargs)


@LAYERS.register()
class ZeroPadding2D(BaseZeroPadding):
    """Zero-pads the height and width axes of an image.

    Args:
        padding: An int, `(h, w)` (symmetric) or `((top, bottom), (left, right))`.
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.

    Shapes: `(batch, H, W, C) -> (batch, top + H + bottom, left + W + right, C)` (channels_last).
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(2, padding, data_format, **kwargs)


@LAYERS.register()
class ZeroPadding3D(BaseZeroPadding):
    """Zero-pads the three spatial axes of a volume.

    Args:
        padding: An int, 3 ints (symmetric) or 3 `(before, after)` pairs.
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.

    Shapes: `(batch, D1, D2, D3, C) -> (batch, padded D1, padded D2, padded D3, C)`
    (channels_last).
    """

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(3, padding, data_format, **kwargs)
