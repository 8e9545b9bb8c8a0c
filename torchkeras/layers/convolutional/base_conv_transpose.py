"""BaseConvTranspose: the N-d transposed convolution behind Conv1D/2D/3DTranspose."""

from torchkeras.layers.convolutional import conv_ops, conv_utils, kernel_options
from torchkeras.layers.layer import Layer


class BaseConvTranspose(Layer):
    """N-d transposed convolution, `activation(conv_transpose(inputs, kernel) + bias)`.

    Runs on torch's `F.conv_transposeNd`. `kernel` is kept in Keras layout,
    `(*kernel_size, filters, in_channels)`; torch's `(in_channels, filters, *kernel_size)` is a
    permuted view of it. channels_last inputs go to torch as `(batch, C, *spatial)` views, never
    copied. Output sizes follow Keras: `'same'` gives `size * stride`, `'valid'` gives
    `(size - 1) * stride + max(kernel, stride)`, and `output_padding` sets the extra cells at the
    end; torch's `padding`/`output_padding` express all of them, so only a slice may remain.

    Args:
        rank: Number of spatial axes (1, 2 or 3).
        filters: Number of output channels; a positive int.
        kernel_size: An int or `rank` ints, the window's extent.
        strides: An int or `rank` ints.
        padding: `"valid"` or `"same"`.
        output_padding: `None` (Keras' default sizes) or an int or `rank` ints, each < stride.
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.
        dilation_rate: An int or `rank` ints; strides and dilation cannot both exceed 1.
        activation: Activation name or callable; `None` means linear.
        use_bias: Whether to add a learned `bias` of shape `(filters,)`.
        kernel_initializer, bias_initializer: Initializer names, configs or callables.
        kernel_regularizer, bias_regularizer: Regularizers of the weights (added to `losses`).
        activity_regularizer: Regularizer of the output (added to `losses`).
        kernel_constraint, bias_constraint: Constraints applied to the weights after updates.

    Shapes: `(batch, *spatial, in_channels) -> (batch, *new_spatial, filters)` (channels_last).
    """

    def __init__(
        self,
        rank,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        output_padding=None,
        data_format=None,
        dilation_rate=1,
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
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self.filters = conv_utils.positive_int(filters, "filters", self)
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, rank, "kernel_size", self)
        self.strides = conv_utils.normalize_tuple(strides, rank, "strides", self)
        self.dilation_rate = conv_utils.normalize_tuple(dilation_rate, rank, "dilation_rate", self)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': `dilation_rate` > 1 cannot be combined "
                f"with `strides` > 1, got strides={strides!r}, dilation_rate={dilation_rate!r}."
            )
        self.padding = conv_utils.normalize_padding(padding, ("valid", "same"), self)
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = conv_utils.normalize_tuple(
                output_padding, rank, "output_padding", self, allow_zero=True
            )
            if any(extra >= s for extra, s in zip(self.output_padding, self.strides)):
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': each `output_padding` must be less "
                    f"than the stride of its axis, got output_padding={output_padding!r}, "
                    f"strides={strides!r}."
                )
        self.data_format = conv_utils.normalize_data_format(data_format, self)
        kernel_options.set_options(
            self, activation, use_bias, kernel_initializer, bias_initializer,
            kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint,
        )

    def build(self, input_shape):
        conv_utils.check_rank(input_shape, self.rank, self)
        channels = conv_utils.channel_dim(input_shape, self.data_format)
        if channels is None:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the input's channel axis must be known, "
                f"got input shape {tuple(input_shape)}."
            )
        kernel_options.add_kernel_and_bias(self, (*self.kernel_size, self.filters, channels))

    def call(self, inputs):
        outputs = conv_ops.convolve_transpose(
            conv_ops.cast_inputs(inputs, self.kernel),
            conv_ops.keras_kernel_to_torch(self.kernel),  # (in, filters, *k) view
            self.bias,
            strides=self.strides,
            padding=self.padding,
            output_padding=self.output_padding,
            dilation_rate=self.dilation_rate,
            data_format=self.data_format,
        )
        return self.activation(conv_utils.from_channels_first(outputs, self.data_format))

    def compute_output_shape(self, input_shape):
        spatial = conv_utils.spatial_shape(input_shape, self.data_format)
        extras = self.output_padding or (None,) * self.rank
        lengths = tuple(
            conv_utils.transpose_output_length(n, k, s, self.padding, extra, d)
            for n, k, s, extra, d in zip(
                spatial, self.kernel_size, self.strides, extras, self.dilation_rate
            )
        )
        return kernel_options.output_shape(self, input_shape, lengths)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            **kernel_options.options_config(self),
        }
