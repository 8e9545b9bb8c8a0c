"""ConvLSTM2D: the 2-d convolutional LSTM layer."""

from torchkeras.layers.recurrent.conv_lstm import ConvLSTM
from torchkeras.registry import LAYERS


@LAYERS.register()
class ConvLSTM2D(ConvLSTM):
    """2-d convolutional LSTM: an LSTM whose input and recurrent products are 2-d convolutions.

    Same arguments, defaults, config and weights (`kernel (*kernel_size, channels, 4 * filters)`,
    `recurrent_kernel (*kernel_size, filters, 4 * filters)`, `bias (4 * filters,)`) as Keras;
    the convolutions run as torch's `F.conv2d` on permuted views of the Keras-layout kernels.

    Args:
        filters: Channels of the states and output; a positive int.
        kernel_size, strides, dilation_rate: An int or 2 ints each.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.
        **kwargs: The other arguments of Keras' ConvLSTM2D (see `ConvLSTM`).

    Shapes: `(batch, time, rows, cols, channels)` -> `(batch, new_rows, new_cols, filters)`,
        or `(batch, time, new_rows, new_cols, filters)` with `return_sequences`; states `h`
        and `c` are `(batch, new_rows, new_cols, filters)`. channels_first moves each channel
        axis before `rows`.
    """

    rank = 2
