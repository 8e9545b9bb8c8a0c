"""DepthwiseConv1D: 1-d convolution of each channel on its own."""

from torchkeras.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv
from torchkeras.registry import LAYERS


@LAYERS.register()
class DepthwiseConv1D(BaseDepthwiseConv):
    """1-d depthwise convolution: a grouped `F.conv1d`, one group per input channel.

    The kernel has shape `(*kernel_size, in_channels, depth_multiplier)`; channels_last inputs
    run without copying (see `BaseDepthwiseConv`).

    Args:
        kernel_size, strides, dilation_rate: An int or 1 ints each.
        padding: `"valid"` or `"same"`.
        depth_multiplier: Output channels per input channel.
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.
        activation, use_bias, bias_*: As in `Dense`.
        depthwise_initializer, depthwise_regularizer, depthwise_constraint: Of the kernel.

    Shapes: `(batch, steps, channels) -> (batch, new_steps, channels * depth_multiplier)`
        (channels_last; channels_first puts `channels` second).
    """

    def __init__(
        self,
        kernel_size,
        strides=1,
        padding="valid",
        depth_multiplier=1,
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            rank=1,
            depth_multiplier=depth_multiplier,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )
