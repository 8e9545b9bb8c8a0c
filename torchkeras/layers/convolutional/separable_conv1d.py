"""SeparableConv1D: 1-d depthwise convolution followed by a pointwise one."""

from torchkeras.layers.convolutional.base_separable_conv import BaseSeparableConv
from torchkeras.registry import LAYERS


@LAYERS.register("SeparableConvolution1D")
class SeparableConv1D(BaseSeparableConv):
    """1-d separable convolution: a grouped `F.conv1d`, then a 1x1 `F.conv1d`.

    Weights `depthwise_kernel` `(*kernel_size, in_channels, depth_multiplier)` and
    `pointwise_kernel` `(1, in_channels * depth_multiplier, filters)`, in Keras layout;
    channels_last inputs run without copying (see `BaseSeparableConv`).

    Args:
        filters: Number of output channels.
        kernel_size, strides, dilation_rate: An int or 1 ints each (the depthwise step).
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.
        depth_multiplier: Depthwise output channels per input channel.
        activation, use_bias, bias_*: As in `Dense`.
        depthwise_*, pointwise_*: Initializer, regularizer and constraint of each kernel.

    Shapes: `(batch, steps, channels) -> (batch, new_steps, filters)`
        (channels_last; channels_first puts `channels` second).
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        depth_multiplier=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        pointwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            rank=1,
            depth_multiplier=depth_multiplier,
            filters=filters,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            pointwise_initializer=pointwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            pointwise_regularizer=pointwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            pointwise_constraint=pointwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )


SeparableConvolution1D = SeparableConv1D
