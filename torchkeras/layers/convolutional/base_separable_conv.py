"""BaseSeparableConv: depthwise then pointwise convolution, behind SeparableConv1D/2D."""

from torch.nn import functional as F

from torchkeras import constraints, initializers, regularizers
from torchkeras.layers.convolutional import conv_ops, conv_utils
from torchkeras.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv


class BaseSeparableConv(BaseDepthwiseConv):
    """N-d separable convolution: a depthwise convolution, then a 1x1 convolution to `filters`.

    The depthwise step is `BaseDepthwiseConv`'s grouped `F.convNd` (no bias); the pointwise step
    is a second `F.convNd` with the bias, applied to torch's result directly, so channels_last
    activations are permuted once in and once out, never copied. Weights are kept in Keras
    layout: `depthwise_kernel` `(*kernel_size, in_channels, depth_multiplier)` and
    `pointwise_kernel` `(1, ..., in_channels * depth_multiplier, filters)`.

    Args:
        rank: Number of spatial axes (1 or 2).
        depth_multiplier: Depthwise output channels per input channel; a positive int.
        filters: Number of output channels; a positive int.
        kernel_size, strides, dilation_rate: An int or `rank` ints each (depthwise step).
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.
        activation: Activation name or callable; `None` means linear.
        use_bias: Whether to add a learned `bias` of shape `(filters,)`.
        depthwise_initializer, pointwise_initializer, bias_initializer: Initializers.
        depthwise_regularizer, pointwise_regularizer, bias_regularizer: Weight regularizers.
        activity_regularizer: Regularizer of the output (added to `losses`).
        depthwise_constraint, pointwise_constraint, bias_constraint: Weight constraints.

    Shapes: `(batch, *spatial, in_channels) -> (batch, *new_spatial, filters)` (channels_last).
    """

    def __init__(
        self,
        rank,
        depth_multiplier,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
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
            rank=rank,
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
        self.filters = conv_utils.positive_int(filters, "filters", self)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape):
        channels = self._checked_channels(input_shape)
        self.depthwise_kernel = self._add_depthwise_kernel("depthwise_kernel", channels)
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel",
            shape=(*(1,) * self.rank, channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer,
            regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint,
        )
        self._add_bias(self.filters)

    def call(self, inputs):
        depthwise = self._depthwise(inputs, self.depthwise_kernel, None)  # (batch, in*dm, ...)
        pointwise = getattr(F, f"conv{self.rank}d")
        # (1, ..., in*dm, filters) -> torch's (filters, in*dm, 1, ...): a view of the weight
        outputs = pointwise(
            depthwise, conv_ops.keras_kernel_to_torch(self.pointwise_kernel), self.bias
        )
        return self.activation(conv_utils.from_channels_first(outputs, self.data_format))

    def compute_output_shape(self, input_shape):
        return self._shape_with(input_shape, self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
            "pointwise_constraint": constraints.serialize(self.pointwise_constraint),
        }
