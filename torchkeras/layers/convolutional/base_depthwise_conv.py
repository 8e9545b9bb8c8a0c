"""BaseDepthwiseConv: the per-channel convolution behind DepthwiseConv1D/2D (and separable)."""

from torchkeras import activations, constraints, initializers, regularizers
from torchkeras.layers.convolutional import conv_ops, conv_utils
from torchkeras.layers.layer import Layer


class BaseDepthwiseConv(Layer):
    """N-d depthwise convolution: each input channel gets its own `depth_multiplier` filters.

    Runs as one grouped `F.convNd` (`groups = in_channels`). `kernel` is kept in Keras layout,
    `(*kernel_size, in_channels, depth_multiplier)`; torch's `(in * dm, 1, *kernel_size)` is a
    reshaped, permuted view of it, and output channel `c * dm + m` comes from input channel `c`,
    as in Keras. channels_last inputs go to torch as views, never copied. Unlike `Conv`, strides
    and dilation may both exceed 1 (Keras allows it here).

    Args:
        rank: Number of spatial axes (1 or 2).
        depth_multiplier: Output channels per input channel; a positive int.
        kernel_size: An int or `rank` ints, the window's extent.
        strides: An int or `rank` ints.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.
        dilation_rate: An int or `rank` ints.
        activation: Activation name or callable; `None` means linear.
        use_bias: Whether to add a learned `bias` of shape `(in_channels * depth_multiplier,)`.
        depthwise_initializer, bias_initializer: Initializer names, configs or callables.
        depthwise_regularizer, bias_regularizer: Regularizers of the weights (added to `losses`).
        activity_regularizer: Regularizer of the output (added to `losses`).
        depthwise_constraint, bias_constraint: Constraints applied to the weights after updates.

    Shapes: `(batch, *spatial, in_channels) -> (batch, *new_spatial, in_channels * dm)`
        (channels_last).
    """

    def __init__(
        self,
        rank,
        depth_multiplier,
        kernel_size,
        strides=1,
        padding="valid",
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
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self.depth_multiplier = conv_utils.positive_int(depth_multiplier, "depth_multiplier", self)
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, rank, "kernel_size", self)
        self.strides = conv_utils.normalize_tuple(strides, rank, "strides", self)
        self.dilation_rate = conv_utils.normalize_tuple(dilation_rate, rank, "dilation_rate", self)
        self.padding = conv_utils.normalize_padding(padding, ("valid", "same"), self)
        self.data_format = conv_utils.normalize_data_format(data_format, self)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape):
        channels = self._checked_channels(input_shape)
        self.kernel = self._add_depthwise_kernel("kernel", channels)
        self._add_bias(channels * self.depth_multiplier)

    def _checked_channels(self, input_shape):
        """The input's channel count, after Keras' checks of rank, channels and output size."""
        conv_utils.check_rank(input_shape, self.rank, self)
        channels = conv_utils.channel_dim(input_shape, self.data_format)
        if channels is None:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the input's channel axis must be known, "
                f"got input shape {tuple(input_shape)}."
            )
        if 0 in self._output_lengths(input_shape):
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the output would have no cells, got "
                f"input shape {tuple(input_shape)}, kernel_size={self.kernel_size}, "
                f"strides={self.strides}, dilation_rate={self.dilation_rate}, "
                f"padding={self.padding!r}."
            )
        return channels

    def _add_depthwise_kernel(self, name, channels):
        return self.add_weight(
            name=name,
            shape=(*self.kernel_size, channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
        )

    def _add_bias(self, size):
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(size,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.register_parameter("bias", None)

    def call(self, inputs):
        outputs = self._depthwise(inputs, self.kernel, self.bias)
        return self.activation(conv_utils.from_channels_first(outputs, self.data_format))

    def _depthwise(self, inputs, kernel, bias):
        """The grouped convolution as torch's `(batch, in * dm, *new_spatial)` (a view)."""
        channels, multiplier = kernel.shape[-2:]
        # (*k, in, dm) -> (*k, 1, in * dm) -> torch's (in * dm, 1, *k): views of the weight
        flat = kernel.reshape(*self.kernel_size, 1, channels * multiplier)
        return conv_ops.convolve(
            conv_ops.cast_inputs(inputs, kernel),
            conv_ops.keras_kernel_to_torch(flat),
            bias,
            strides=self.strides,
            padding=self.padding,
            dilation_rate=self.dilation_rate,
            groups=channels,
            data_format=self.data_format,
        )

    def _output_lengths(self, input_shape):
        spatial = conv_utils.spatial_shape(input_shape, self.data_format)
        return tuple(
            conv_utils.output_length(n, k, s, self.padding, d)  # 'valid' too short -> 0
            for n, k, s, d in zip(spatial, self.kernel_size, self.strides, self.dilation_rate)
        )

    def compute_output_shape(self, input_shape):
        channels = conv_utils.channel_dim(input_shape, self.data_format)
        channels = None if channels is None else channels * self.depth_multiplier
        return self._shape_with(input_shape, channels)

    def _shape_with(self, input_shape, channels):
        lengths = self._output_lengths(input_shape)
        if self.data_format == "channels_last":
            return (input_shape[0], *lengths, channels)
        return (input_shape[0], channels, *lengths)

    def get_config(self):
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }
