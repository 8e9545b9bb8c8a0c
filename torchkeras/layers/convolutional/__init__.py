"""Convolution layers: Conv1D, Conv2D, Conv3D (Keras-layout kernels, channels_last, no copies)."""

from torchkeras.layers.convolutional.conv1d import Conv1D
from torchkeras.layers.convolutional.conv2d import Conv2D
from torchkeras.layers.convolutional.conv3d import Conv3D

__all__ = ["Conv1D", "Conv2D", "Conv3D"]
