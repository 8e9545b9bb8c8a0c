"""Convolution layers: Conv1D-3D, their transposes, depthwise and separable convolutions
(Keras-layout kernels, channels_last run as views, no copies)."""

from torchkeras.layers.convolutional.conv1d import Conv1D
from torchkeras.layers.convolutional.conv1d_transpose import Conv1DTranspose, Convolution1DTranspose
from torchkeras.layers.convolutional.conv2d import Conv2D
from torchkeras.layers.convolutional.conv2d_transpose import Conv2DTranspose, Convolution2DTranspose
from torchkeras.layers.convolutional.conv3d import Conv3D
from torchkeras.layers.convolutional.conv3d_transpose import Conv3DTranspose, Convolution3DTranspose
from torchkeras.layers.convolutional.depthwise_conv1d import DepthwiseConv1D
from torchkeras.layers.convolutional.depthwise_conv2d import DepthwiseConv2D
from torchkeras.layers.convolutional.separable_conv1d import SeparableConv1D, SeparableConvolution1D
from torchkeras.layers.convolutional.separable_conv2d import SeparableConv2D, SeparableConvolution2D

__all__ = [
    "Conv1D",
    "Conv1DTranspose",
    "Conv2D",
    "Conv2DTranspose",
    "Conv3D",
    "Conv3DTranspose",
    "Convolution1DTranspose",
    "Convolution2DTranspose",
    "Convolution3DTranspose",
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "SeparableConv1D",
    "SeparableConv2D",
    "SeparableConvolution1D",
    "SeparableConvolution2D",
]
