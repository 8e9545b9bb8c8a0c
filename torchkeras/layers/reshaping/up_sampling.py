"""UpSampling1D/2D/3D: each spatial cell repeated `size` times (or bilinear/bicubic in 2D)."""

from torch.nn import functional as F

from torchkeras.layers.convolutional import conv_utils
from torchkeras.layers.layer import Layer
from torchkeras.layers.reshaping import spatial_utils
from torchkeras.registry import LAYERS

_INTERPOLATIONS = ("nearest", "bilinear", "bicubic")


class BaseUpSampling(Layer):
    """Nearest-neighbour upsampling of `rank` spatial axes in one copy (a broadcast view
    reshaped once), whatever the data format.

    Args:
        rank: Number of spatial axes (1, 2 or 3).
        size: An int or `rank` positive ints, the repeat count per axis.
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.
    """

    def __init__(self, rank, size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.size = conv_utils.normalize_tuple(size, rank, "size", self)
        self.data_format = conv_utils.normalize_data_format(data_format, self)

    def build(self, input_shape):
        conv_utils.check_rank(input_shape, self.rank, self)

    def call(self, inputs):
        axes = spatial_utils.spatial_axes(self.rank, self.data_format)
        return spatial_utils.repeat_spatial(inputs, self.size, axes)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, size in zip(
            spatial_utils.spatial_axes(self.rank, self.data_format), self.size
        ):
            if shape[axis] is not None:
                shape[axis] *= size
        return tuple(shape)

    def get_config(self):
        return {
            **super().get_config(),
            "size": self.size,
            "data_format": self.data_format,
        }


@LAYERS.register()
class UpSampling1D(BaseUpSampling):
    """Repeats each step of a `(batch, steps, C)` sequence `size` times (no `data_format`).

    Args:
        size: A positive int.

    Shapes: `(batch, steps, C) -> (batch, steps * size, C)`.
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(
            1, 1, "channels_last", **kwargs
        )  # `size` checked below, as Keras does
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError(
                f"UpSampling1D '{self.name}': `size` must be a positive int, got size={size!r} "
                f"of type {type(size).__name__}."
            )
        self.size = conv_utils.normalize_tuple(size, 1, "size", self)

    def get_config(self):
        config = super().get_config()
        del config["data_format"]
        return {**config, "size": self.size[0]}


@LAYERS.register()
class UpSampling2D(BaseUpSampling):
    """Upsamples images by `size`: nearest repeats cells; bilinear and bicubic resize with
    `F.interpolate(align_corners=False, antialias=False)`, as Keras' torch backend does.

    Args:
        size: An int or `(h, w)` positive ints.
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.
        interpolation: `"nearest"`, `"bilinear"` or `"bicubic"` (any case); Keras' lanczos
            modes are refused here, as Keras' torch backend refuses them when called.

    Shapes: `(batch, H, W, C) -> (batch, H * h, W * w, C)` (channels_last).
    """

    def __init__(
        self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs
    ):
        super().__init__(2, size, data_format, **kwargs)
        value = (
            interpolation.lower() if isinstance(interpolation, str) else interpolation
        )
        if value not in _INTERPOLATIONS:
            raise ValueError(
                f"UpSampling2D '{self.name}': `interpolation` must be one of {_INTERPOLATIONS}, "
                f"got interpolation={interpolation!r}."
            )
        self.interpolation = value

    def call(self, inputs):
        if self.interpolation == "nearest":
            return super().call(inputs)
        x = conv_utils.to_channels_first(
            inputs, self.data_format
        )  # (batch, C, H, W) view
        outputs = F.interpolate(
            x,
            size=(x.shape[2] * self.size[0], x.shape[3] * self.size[1]),
            mode=self.interpolation,
            align_corners=False,
            antialias=False,
        )
        return conv_utils.from_channels_first(outputs, self.data_format)

    def get_config(self):
        return {**super().get_config(), "interpolation": self.interpolation}


@LAYERS.register()
class UpSampling3D(BaseUpSampling):
    """Repeats each cell of a volume `size` times along each spatial axis.

    Args:
        size: An int or 3 positive ints.
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.

    Shapes: `(batch, D1, D2, D3, C) -> (batch, D1 * s1, D2 * s2, D3 * s3, C)` (channels_last).
    """

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(3, size, data_format, **kwargs)
