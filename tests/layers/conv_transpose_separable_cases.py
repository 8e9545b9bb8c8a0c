"""Layer cases of the conv transpose separable family (see layer_case.py for the fields).

Transposed, depthwise and separable convolutions; each class has cases for channels_first,
strides 2 with 'same', dilation and use_bias=False (output_padding and depth_multiplier 2 where
the class has them). Tolerances: see `CONV_TOL` below.
"""

from layer_case import LayerCase
from torchkeras.layers.convolutional import (
    Conv1DTranspose,
    Conv2DTranspose,
    Conv3DTranspose,
    DepthwiseConv1D,
    DepthwiseConv2D,
    SeparableConv1D,
    SeparableConv2D,
)

KB = ("kernel", "bias")
# As for Conv1D-3D (tests/layers/cases.py): weight gradients are summed in another order than
# Keras' (the bias is fused into torch's conv here and added after it there; channels_last
# views here, contiguous NCHW copies there), so sums that cancel to small values differ by a
# few 1e-6. The cases that show it compare at 1e-5 relative / 2e-6 absolute.
CONV_TOL = {"rtol": 1e-5, "grad_atol": 2e-6}
SEPARABLE = ("depthwise_kernel", "pointwise_kernel", "bias")


def case(cls, kwargs, shape, expected, case_id, keys=KB, **fields):
    if not kwargs.get("use_bias", True):
        keys = tuple(k for k in keys if k != "bias")
    return LayerCase(cls, kwargs, shape, expected, state_keys=keys, id=case_id, **fields)


CASES = [
    # ---- Conv1DTranspose ------------------------------------------------------------------
    case(Conv1DTranspose, {"filters": 3, "kernel_size": 3}, (2, 4, 2), (2, 6, 3),
         "conv1d_transpose"),
    case(Conv1DTranspose, {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same",
                           "use_bias": False}, (2, 4, 3), (2, 8, 2),
         "conv1d_transpose_same_stride2_no_bias"),
    case(Conv1DTranspose, {"filters": 2, "kernel_size": 2, "dilation_rate": 2, "activation": "relu",
                           "data_format": "channels_first"}, (2, 3, 5), (2, 2, 7),
         "conv1d_transpose_dilated_channels_first", **CONV_TOL),
    case(Conv1DTranspose, {"filters": 2, "kernel_size": 3, "strides": 3, "output_padding": 1},
         (2, 4, 2), (2, 13, 2), "conv1d_transpose_output_padding"),
    # ---- Conv2DTranspose ------------------------------------------------------------------
    case(Conv2DTranspose, {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"},
         (2, 3, 3, 2), (2, 6, 6, 3), "conv2d_transpose_same_stride2"),
    case(Conv2DTranspose, {"filters": 2, "kernel_size": (3, 2), "strides": 2, "padding": "same",
                           "output_padding": 1}, (2, 3, 4, 2), (2, 6, 7, 2),
         "conv2d_transpose_same_output_padding", **CONV_TOL),
    case(Conv2DTranspose, {"filters": 2, "kernel_size": 2, "use_bias": False,
                           "data_format": "channels_first"}, (2, 3, 3, 4), (2, 2, 4, 5),
         "conv2d_transpose_channels_first_no_bias"),
    case(Conv2DTranspose, {"filters": 2, "kernel_size": 2, "dilation_rate": 2, "padding": "same",
                           "kernel_initializer": "he_normal", "kernel_regularizer": "l2"},
         (2, 3, 3, 2), (2, 3, 3, 2), "conv2d_transpose_dilated_same"),
    case(Conv2DTranspose, {"filters": 2, "kernel_size": 2, "strides": 3}, (2, 2, 3, 1),
         (2, 6, 9, 2), "conv2d_transpose_stride_over_kernel", **CONV_TOL),
    # ---- Conv3DTranspose ------------------------------------------------------------------
    case(Conv3DTranspose, {"filters": 2, "kernel_size": 2, "strides": 2, "padding": "same"},
         (1, 2, 2, 2, 2), (1, 4, 4, 4, 2), "conv3d_transpose_same_stride2"),
    case(Conv3DTranspose, {"filters": 2, "kernel_size": 3, "strides": (1, 2, 1), "padding": "same",
                           "output_padding": (0, 1, 0), "data_format": "channels_first",
                           "use_bias": False}, (1, 2, 2, 3, 2), (1, 2, 2, 6, 2),
         "conv3d_transpose_channels_first_output_padding"),
    # ---- DepthwiseConv1D ------------------------------------------------------------------
    case(DepthwiseConv1D, {"kernel_size": 3}, (2, 5, 3), (2, 3, 3), "depthwise_conv1d"),
    case(DepthwiseConv1D, {"kernel_size": 3, "strides": 2, "padding": "same", "depth_multiplier": 2,
                           "use_bias": False}, (2, 7, 2), (2, 4, 4),
         "depthwise_conv1d_same_stride2_multiplier2"),
    case(DepthwiseConv1D, {"kernel_size": 2, "dilation_rate": 2, "depth_multiplier": 2,
                           "activation": "tanh", "data_format": "channels_first"}, (2, 2, 6),
         (2, 4, 4), "depthwise_conv1d_dilated_channels_first"),
    # ---- DepthwiseConv2D ------------------------------------------------------------------
    case(DepthwiseConv2D, {"kernel_size": 3, "depth_multiplier": 2}, (2, 5, 5, 2), (2, 3, 3, 4),
         "depthwise_conv2d_multiplier2"),
    case(DepthwiseConv2D, {"kernel_size": 3, "strides": 2, "padding": "same"}, (2, 5, 6, 3),
         (2, 3, 3, 3), "depthwise_conv2d_same_stride2", **CONV_TOL),
    case(DepthwiseConv2D, {"kernel_size": (2, 3), "dilation_rate": 2, "padding": "same",
                           "use_bias": False, "data_format": "channels_first",
                           "depthwise_regularizer": "l2", "depthwise_constraint": "non_neg"},
         (2, 2, 5, 5), (2, 2, 5, 5), "depthwise_conv2d_dilated_channels_first"),
    case(DepthwiseConv2D, {"kernel_size": 2, "strides": 2, "dilation_rate": 2}, (2, 6, 6, 2),
         (2, 2, 2, 2), "depthwise_conv2d_stride2_dilation2"),
    # ---- SeparableConv1D ------------------------------------------------------------------
    case(SeparableConv1D, {"filters": 3, "kernel_size": 3}, (2, 6, 2), (2, 4, 3),
         "separable_conv1d", keys=SEPARABLE),
    case(SeparableConv1D, {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same",
                           "depth_multiplier": 2, "use_bias": False}, (2, 7, 3), (2, 4, 2),
         "separable_conv1d_same_stride2_multiplier2", keys=SEPARABLE),
    case(SeparableConv1D, {"filters": 3, "kernel_size": 2, "dilation_rate": 2, "activation": "relu",
                           "data_format": "channels_first"}, (2, 2, 6), (2, 3, 4),
         "separable_conv1d_dilated_channels_first", keys=SEPARABLE),
    # ---- SeparableConv2D ------------------------------------------------------------------
    case(SeparableConv2D, {"filters": 4, "kernel_size": 3, "depth_multiplier": 2}, (2, 5, 5, 2),
         (2, 3, 3, 4), "separable_conv2d_multiplier2", keys=SEPARABLE,
         **CONV_TOL),
    case(SeparableConv2D, {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"},
         (2, 5, 6, 2), (2, 3, 3, 3), "separable_conv2d_same_stride2", keys=SEPARABLE,
         **CONV_TOL),
    case(SeparableConv2D, {"filters": 2, "kernel_size": 2, "dilation_rate": 2, "use_bias": False,
                           "data_format": "channels_first", "pointwise_initializer": "he_uniform",
                           "pointwise_regularizer": "l2", "pointwise_constraint": "non_neg"},
         (2, 3, 5, 5), (2, 2, 3, 3), "separable_conv2d_dilated_channels_first", keys=SEPARABLE),
]
