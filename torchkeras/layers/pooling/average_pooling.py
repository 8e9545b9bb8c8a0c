"""AveragePooling1D/2D/3D: mean pooling windows in Keras semantics."""

from torchkeras.layers.pooling.base_pooling import BasePooling
from torchkeras.registry import LAYERS


@LAYERS.register()
class AveragePooling1D(BasePooling):
    """Mean pooling over sequences; windows of `pool_size` moved by `strides`.

    Args:
        pool_size: An int or a 1-tuple.
        strides: An int or a 1-tuple; `None` means `pool_size`.
        padding: `"valid"` or `"same"` (extra cell at the end; only valid cells counted).
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.

    Shapes: `(batch, steps, C) -> (batch, new_steps, C)` (channels_last).
    """

    def __init__(
        self,
        pool_size,
        strides=None,
        padding="valid",
        data_format=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            1, "average", pool_size, strides, padding, data_format, name=name, **kwargs
        )


@LAYERS.register()
class AveragePooling2D(BasePooling):
    """Mean pooling over images; windows of `pool_size` moved by `strides`.

    Args:
        pool_size: An int or 2 ints.
        strides: An int or 2 ints; `None` means `pool_size`.
        padding: `"valid"` or `"same"` (extra cell at the end; only valid cells counted).
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.

    Shapes: `(batch, H, W, C) -> (batch, new_H, new_W, C)` (channels_last).
    """

    def __init__(
        self,
        pool_size,
        strides=None,
        padding="valid",
        data_format=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            2, "average", pool_size, strides, padding, data_format, name=name, **kwargs
        )


@LAYERS.register()
class AveragePooling3D(BasePooling):
    """Mean pooling over volumes; windows of `pool_size` moved by `strides`.

    Args:
        pool_size: An int or 3 ints.
        strides: An int or 3 ints; `None` means `pool_size`.
        padding: `"valid"` or `"same"` (extra cell at the end; only valid cells counted).
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.

    Shapes: `(batch, D1, D2, D3, C) -> (batch, new_D1, new_D2, new_D3, C)` (channels_last).
    """

    def __init__(
        self,
        pool_size,
        strides=None,
        padding="valid",
        data_format=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            3, "average", pool_size, strides, padding, data_format, name=name, **kwargs
        )
