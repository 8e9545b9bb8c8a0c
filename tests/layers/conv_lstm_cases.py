"""Layer cases of the ConvLSTM family (see layer_case.py for the fields).

Tiny shapes keep `compat/references/layers_conv_lstm.npz` small: batch 2, 3 steps, 5x5 images
(5 cells in 1-d, 4x4x4 volumes in 3-d), 1-2 input channels, 2 filters.
"""

import torch
from layer_case import LayerCase

from torchkeras.layers.recurrent.conv_lstm1d import ConvLSTM1D
from torchkeras.layers.recurrent.conv_lstm2d import ConvLSTM2D
from torchkeras.layers.recurrent.conv_lstm3d import ConvLSTM3D

B, T, F = 2, 3, 2  # batch, steps, filters
KEYS = ("cell.kernel", "cell.recurrent_kernel", "cell.bias")
# Batch axis 1 (broadcast over the batch, in Keras too), so the symbolic probe can use it.
CASE_MASK = torch.tensor([[True, False, True]])


# The kernel's gradient sums every step's and gate's convolution weight gradient (batch x
# spatial products of magnitude ~5): its entries near zero keep that sum's float32 rounding, up
# to 6e-7 here. Against a float64 run of the same weights, torchkeras and Keras err equally
# (up to 3e-6 each); they only sum in a different order (one 4-gate convolution over every
# step at once vs four per step). Outputs, input and recurrent-kernel gradients meet the
# default 1e-7 floor.
GRAD_ATOL = 1e-6


def _case(cls, kwargs, input_shape, output, id_, keys=KEYS, **extra):
    return LayerCase(cls, kwargs, input_shape, output, state_keys=keys, id=id_,
                     grad_atol=GRAD_ATOL, **extra)


IMG = (B, T, 5, 5, 1)  # channels_last 2-d sequences
CASES = [
    # ---- ConvLSTM2D ---------------------------------------------------------------------------
    _case(ConvLSTM2D, {"filters": F, "kernel_size": 3}, IMG, (B, 3, 3, F), "conv_lstm2d"),
    _case(ConvLSTM2D, {"filters": F, "kernel_size": 3, "padding": "same",
                       "return_sequences": True, "return_state": True},
          (B, T, 5, 5, 2), [(B, T, 5, 5, F), (B, 5, 5, F), (B, 5, 5, F)],
          "conv_lstm2d_same_sequences_state"),
    _case(ConvLSTM2D, {"filters": F, "kernel_size": 3, "strides": 2, "padding": "same",
                       "go_backwards": True, "use_bias": False},
          IMG, (B, 3, 3, F), "conv_lstm2d_strided_backwards_no_bias", keys=KEYS[:2]),
    # Even kernel with 'same': both convolutions pad one more cell at the end than the start.
    _case(ConvLSTM2D, {"filters": F, "kernel_size": (2, 3), "dilation_rate": (2, 1),
                       "padding": "same", "return_sequences": True},
          IMG, (B, T, 5, 5, F), "conv_lstm2d_even_kernel_dilated_same"),
    _case(ConvLSTM2D, {"filters": F, "kernel_size": 2, "strides": (2, 1)},
          IMG, (B, 2, 4, F), "conv_lstm2d_even_kernel_strided_valid"),
    _case(ConvLSTM2D, {"filters": F, "kernel_size": 3, "data_format": "channels_first",
                       "return_sequences": True, "activation": "relu",
                       "recurrent_activation": "hard_sigmoid", "unit_forget_bias": False},
          (B, T, 2, 5, 5), (B, T, F, 3, 3), "conv_lstm2d_channels_first_relu"),
    _case(ConvLSTM2D, {"filters": F, "kernel_size": 3, "padding": "same",
                       "data_format": "channels_first", "return_state": True,
                       "go_backwards": True},
          (B, T, 1, 5, 5), [(B, F, 5, 5)] * 3, "conv_lstm2d_channels_first_same_state"),
    _case(ConvLSTM2D, {"filters": F, "kernel_size": 3, "return_sequences": True,
                       "return_state": True},
          IMG, [(B, T, 3, 3, F), (B, 3, 3, F), (B, 3, 3, F)], "conv_lstm2d_masked",
          call_kwargs={"mask": CASE_MASK}),
    _case(ConvLSTM2D, {"filters": F, "kernel_size": 3, "padding": "same",
                       "return_sequences": True, "zero_output_for_mask": True,
                       "go_backwards": True},
          IMG, (B, T, 5, 5, F), "conv_lstm2d_masked_zero_output_backwards",
          call_kwargs={"mask": CASE_MASK}),
    # `layer(x, [h0, c0])`: the initial states' gradients are compared too.
    _case(ConvLSTM2D, {"filters": F, "kernel_size": 3, "padding": "same"},
          [IMG, (B, 5, 5, F), (B, 5, 5, F)], (B, 5, 5, F), "conv_lstm2d_initial_state",
          input_structure=(0, [1, 2])),
    _case(ConvLSTM2D, {"filters": F, "kernel_size": 3, "dropout": 0.5, "recurrent_dropout": 0.5,
                       "unroll": True, "kernel_regularizer": "l2", "bias_constraint": "non_neg",
                       "seed": 7},
          IMG, (B, 3, 3, F), "conv_lstm2d_dropout_at_inference_unroll"),
    # ---- ConvLSTM1D ---------------------------------------------------------------------------
    _case(ConvLSTM1D, {"filters": F, "kernel_size": 3}, (B, T, 5, 2), (B, 3, F), "conv_lstm1d"),
    _case(ConvLSTM1D, {"filters": F, "kernel_size": 2, "padding": "same",
                       "data_format": "channels_first", "return_sequences": True,
                       "return_state": True},
          (B, T, 2, 5), [(B, T, F, 5), (B, F, 5), (B, F, 5)], "conv_lstm1d_channels_first_same"),
    _case(ConvLSTM1D, {"filters": F, "kernel_size": 3, "strides": 2, "go_backwards": True,
                       "use_bias": False},
          (B, T, 5, 1), (B, 2, F), "conv_lstm1d_strided_backwards_no_bias", keys=KEYS[:2]),
    _case(ConvLSTM1D, {"filters": F, "kernel_size": 2, "dilation_rate": 2,
                       "return_sequences": True},
          (B, T, 5, 1), (B, T, 3, F), "conv_lstm1d_dilated_masked",
          call_kwargs={"mask": CASE_MASK}),
    # ---- ConvLSTM3D ---------------------------------------------------------------------------
    _case(ConvLSTM3D, {"filters": F, "kernel_size": 2}, (B, T, 4, 4, 4, 1), (B, 3, 3, 3, F),
          "conv_lstm3d"),
    _case(ConvLSTM3D, {"filters": F, "kernel_size": (2, 3, 2), "padding": "same",
                       "data_format": "channels_first", "return_sequences": True},
          (B, T, 1, 4, 4, 4), (B, T, F, 4, 4, 4), "conv_lstm3d_channels_first_same"),
    _case(ConvLSTM3D, {"filters": F, "kernel_size": 3, "strides": 2, "padding": "same",
                       "return_state": True, "go_backwards": True},
          (B, T, 4, 4, 4, 2), [(B, 2, 2, 2, F)] * 3, "conv_lstm3d_strided_state"),
]
