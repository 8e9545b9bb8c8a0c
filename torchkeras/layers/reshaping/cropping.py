"""Cropping1D/2D/3D: cells trimmed from both ends of each spatial axis, as a view."""

from torchkeras.layers.convolutional import conv_utils
from torchkeras.layers.layer import Layer
from torchkeras.layers.reshaping import spatial_utils
from torchkeras.registry import LAYERS


class BaseCropping(Layer):
    """Crops `rank` spatial axes by basic slicing, so the output is a view of the input.

    Like Keras, every spatial axis must keep at least one cell; a crop as long as the axis is
    a `ValueError` rather than an empty tensor.

    Args:
        rank: Number of spatial axes (1, 2 or 3).
        cropping: An int, `rank` ints or `rank` `(before, after)` pairs (rank 1: an int or
            one pair).
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.
    """

    def __init__(self, rank, cropping, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.cropping = spatial_utils.normalize_pairs(cropping, rank, "cropping", self)
        self.data_format = conv_utils.normalize_data_format(data_format, self)

    def _pairs(self):
        return (self.cropping,) if self.rank == 1 else self.cropping

    def _check_lengths(self, shape):
        axes = spatial_utils.spatial_axes(self.rank, self.data_format)
        for axis, (before, after) in zip(axes, self._pairs()):
            if shape[axis] is not None and before + after >= shape[axis]:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': `cropping` must leave at least one "
                    f"cell on each spatial axis, got cropping={self.cropping} for input shape "
                    f"{tuple(shape)}."
                )

    def build(self, input_shape):
        conv_utils.check_rank(input_shape, self.rank, self)

    def call(self, inputs):
        self._check_lengths(inputs.shape)
        index = [slice(None)] * inputs.ndim
        axes = spatial_utils.spatial_axes(self.rank, self.data_format)
        for axis, (before, after) in zip(axes, self._pairs()):
            index[axis] = slice(before, inputs.shape[axis] - after)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        self._check_lengths(input_shape)
        shape = list(input_shape)
        axes = spatial_utils.spatial_axes(self.rank, self.data_format)
        for axis, (before, after) in zip(axes, self._pairs()):
            if shape[axis] is not None:
                shape[axis] -= before + after
        return tuple(shape)

    def get_config(self):
        return {
            **super().get_config(),
            "cropping": self.cropping,
            "data_format": self.data_format,
        }


@LAYERS.register()
class Cropping1D(BaseCropping):
    """Crops the steps axis of a `(batch, steps, C)` sequence (Keras has no `data_format` here).

    Args:
        cropping: An int (both ends) or `(before, after)`.

    Shapes: `(batch, steps, C) -> (batch, steps - before - after, C)`.
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(1, cropping, "channels_last", **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["data_format"]
        return config


@LAYERS.register()
class Cropping2D(BaseCropping):
    """Crops the height and width axes of an image.

    Args:
        cropping: An int, `(h, w)` (symmetric) or `((top, bottom), (left, right))`.
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.

    Shapes: `(batch, H, W, C) -> (batch, H - top - bottom, W - left - right, C)`
    (channels_last).
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(2, cropping, data_format, **kwargs)


@LAYERS.register()
class Cropping3D(BaseCropping):
    """Crops the three spatial axes of a volume.

    Args:
        cropping: An int, 3 ints (symmetric) or 3 `(before, after)` pairs.
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.

    Shapes: `(batch, D1, D2, D3, C) -> (batch, cropped D1, cropped D2, cropped D3, C)`
    (channels_last).
    """

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(3, cropping, data_format, **kwargs)
