"""BaseConv: the N-d convolution behind Conv1D/2D/3D, in Keras' layout and padding rules."""

from torchkeras.layers.convolutional import conv_ops, conv_utils, kernel_options
from torchkeras.layers.layer import Layer


class BaseConv(Layer):
    """N-d convolution, `activation(conv(inputs, kernel) + bias)`, on torch's `F.convNd`.

    `kernel` is kept in Keras layout, `(*kernel_size, in_channels // groups, filters)` (torch
    stores `(filters, in // groups, *kernel_size)`); `call` hands torch a permuted view of it.
    A `channels_last` input is passed as a `(batch, C, *spatial)` view of the same memory
    (torch's channels_last format), so activations are never copied. `'same'` pads like Keras:
    the odd extra cell goes at the end, so only that case pads explicitly.

    Args:
        rank: Number of spatial axes (1, 2 or 3).
        filters: Number of output channels; a positive int.
        kernel_size: An int or `rank` ints, the window's extent.
        strides: An int or `rank` ints.
        padding: `"valid"`, `"same"` or (rank 1 only) `"causal"`.
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.
        dilation_rate: An int or `rank` ints; strides and dilation cannot both exceed 1.
        groups: Number of channel groups; divides both the input channels and `filters`.
        activation: Activation name or callable; `None` means linear.
        use_bias: Whether to add a learned `bias` of shape `(filters,)`.
        kernel_initializer, bias_initializer: Initializer names, configs or callables.
        kernel_regularizer, bias_regularizer: Regularizers of the weights (added to `losses`).
        activity_regularizer: Regularizer of the output (added to `losses`).
        kernel_constraint, bias_constraint: Constraints applied to the weights after updates.
    """

    def __init__(
        self,
        rank,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
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
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self.filters = conv_utils.positive_int(filters, "filters", self)
        self.groups = conv_utils.positive_int(groups, "groups", self)
        if self.filters % self.groups:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': `filters` must be divisible by `groups`, "
                f"got filters={filters!r}, groups={groups!r}."
            )
        self.kernel_size = conv_utils.normalize_tuple(
            kernel_size, rank, "kernel_size", self
        )
        self.strides = conv_utils.normalize_tuple(strides, rank, "strides", self)
        self.dilation_rate = conv_utils.normalize_tuple(
            dilation_rate, rank, "dilation_rate", self
        )
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': `dilation_rate` > 1 cannot be combined "
                f"with `strides` > 1, got strides={strides!r}, dilation_rate={dilation_rate!r}."
            )
        allowed = ("valid", "same", "causal") if rank == 1 else ("valid", "same")
        self.padding = conv_utils.normalize_padding(padding, allowed, self)
        self.data_format = conv_utils.normalize_data_format(data_format, self)
        kernel_options.set_options(
            self, activation, use_bias, kernel_initializer, bias_initializer,
            kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint,
        )

    def build(self, input_shape):
        conv_utils.check_rank(input_shape, self.rank, self)
        channels = conv_utils.channel_dim(input_shape, self.data_format)
        if channels is None or channels % self.groups:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the input's channel axis must be known and "
                f"divisible by groups={self.groups}, got input shape {tuple(input_shape)}."
            )
        kernel_options.add_kernel_and_bias(self, (*self.kernel_size, channels // self.groups, self.filters))

    def call(self, inputs):
        outputs = conv_ops.convolve(
            conv_ops.cast_inputs(inputs, self.kernel),
            conv_ops.keras_kernel_to_torch(self.kernel),  # (out, in/g, *k) view
            self.bias,
            strides=self.strides,
            padding=self.padding,
            dilation_rate=self.dilation_rate,
            groups=self.groups,
            data_format=self.data_format,
        )
        return self.activation(conv_utils.from_channels_first(outputs, self.data_format))

    def compute_output_shape(self, input_shape):
        spatial = conv_utils.spatial_shape(input_shape, self.data_format)
        lengths = tuple(
            conv_utils.output_length(n, k, s, self.padding, d)
            for n, k, s, d in zip(
                spatial, self.kernel_size, self.strides, self.dilation_rate
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
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            **kernel_options.options_config(self),
        }

