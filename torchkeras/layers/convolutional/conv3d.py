"""Conv3D: 3-d convolution over volumes."""

from torchkeras.layers.convolutional.base_conv import BaseConv
from torchkeras.registry import LAYERS


@LAYERS.register()
class Conv3D(BaseConv):
    """3-d convolution layer on torch's `F.conv3d`, with a Keras-layout kernel.

    The kernel has shape `(*kernel_size, in_channels // groups, filters)`; channels_last
    inputs run without copying (see `BaseConv`).

    Args:
        filters: Number of output channels.
        kernel_size, strides, dilation_rate: An int or 3 ints each.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.
        groups: Number of channel groups (divides input channels and `filters`).
        activation, use_bias, *_initializer, *_regularizer, *_constraint: As in `Dense`.

    Shapes: `(batch, d1, d2, d3, channels) -> (batch, new_d1, new_d2, new_d3, filters)`
        (channels_last; channels_first puts `channels` second).
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1, 1),
        padding="valid",
        data_format=None,
        dilation_rate=(1, 1, 1),
        groups=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            rank=3,
            filters=filters,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            groups=groups,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )
