"""Conv3DTranspose: 3-d transposed convolution, the upsampling counterpart of Conv3D."""

from torchkeras.layers.convolutional.base_conv_transpose import BaseConvTranspose
from torchkeras.registry import LAYERS


@LAYERS.register("Convolution3DTranspose")
class Conv3DTranspose(BaseConvTranspose):
    """3-d transposed convolution on torch's `F.conv_transpose3d`, Keras-layout kernel.

    The kernel has shape `(*kernel_size, filters, in_channels)` (torch: `(in, filters, *k)`);
    channels_last inputs run without copying (see `BaseConvTranspose`).

    Args:
        filters: Number of output channels.
        kernel_size, strides, dilation_rate: An int or 3 ints each.
        padding: `"valid"` or `"same"` (`'same'` gives `size * strides`).
        output_padding: `None` or an int or 3 ints, the cells added at the end of each axis
            (each < its stride).
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.
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
        output_padding=None,
        dilation_rate=(1, 1, 1),
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
            output_padding=output_padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
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


Convolution3DTranspose = Conv3DTranspose
