"""The torch calls behind the convolution layers: Keras' padding rules on channels_last views.

Each function takes inputs in the layer's `data_format` and a kernel already permuted (a view)
into torch's layout, and returns torch's `(batch, C, *spatial)` result: for channels_last inputs
that is a view with channels_last memory, which `conv_utils.from_channels_first` turns back into
`(batch, *spatial, C)` without a copy.
"""

import torch
from torch.nn import functional as F

from torchkeras.layers.convolutional import conv_utils


def cast_inputs(inputs, weight):
    """`inputs` in `weight`'s dtype, unless torch autocast picks the computation dtype itself."""
    autocasting = inputs.is_floating_point() and torch.is_autocast_enabled(inputs.device.type)
    if inputs.dtype != weight.dtype and not autocasting:
        return inputs.to(weight.dtype)
    return inputs


def keras_kernel_to_torch(kernel):
    """A Keras-layout kernel `(*k, a, b)` as torch's `(b, a, *k)`: a permuted view, no copy.

    For a convolution `a, b` are `in // groups, out`; for a transposed one they are
    `out, in`, which is torch's `conv_transpose` layout `(in, out, *k)` after the permutation.
    """
    rank = kernel.dim() - 2
    return kernel.permute(rank + 1, rank, *range(rank))


def input_pads(padding, spatial, kernel_size, strides, dilation_rate):
    """Per-axis `(before, after)` input padding of a convolution, or `None` for `'valid'`."""
    if padding == "valid":
        return None
    if padding == "causal":
        return [((kernel_size[0] - 1) * dilation_rate[0], 0)]
    return [
        conv_utils.same_padding(n, k, s, d)
        for n, k, s, d in zip(spatial, kernel_size, strides, dilation_rate)
    ]


def convolve(inputs, kernel, bias, *, strides, padding, dilation_rate, groups, data_format):
    """`F.convNd` with Keras' `'valid'`/`'same'`/`'causal'` padding.

    Symmetric padding is left to torch. Keras puts the odd extra cell of `'same'` at the end (and
    `'causal'` pads the start only), which torch cannot express: only then is the input padded,
    in its own layout, so a channels_last input keeps channels_last memory.

    Args:
        inputs: `(batch, *spatial, C)` or `(batch, C, *spatial)` as `data_format` says.
        kernel: Torch layout `(out, in // groups, *kernel_size)`.
        bias: `(out,)` or `None`.
        strides, dilation_rate: `rank` ints each.
        padding: `"valid"`, `"same"` or `"causal"`.
        groups: Number of channel groups.
        data_format: `"channels_last"` or `"channels_first"`.

    Shapes: `inputs` -> `(batch, out, *new_spatial)` (a view for channels_last inputs).
    """
    rank = kernel.dim() - 2
    spatial = conv_utils.spatial_shape(inputs.shape, data_format)
    pads = input_pads(padding, spatial, tuple(kernel.shape[2:]), strides, dilation_rate)
    conv_padding = 0
    if pads is not None and all(before == after for before, after in pads):
        conv_padding = tuple(before for before, _ in pads)  # torch pads, no copy
    elif pads is not None:
        if data_format == "channels_last":
            inputs = F.pad(inputs, conv_utils.channels_last_pad(pads))
        else:
            inputs = F.pad(inputs, conv_utils.channels_first_pad(pads))
    conv = getattr(F, f"conv{rank}d")
    x = conv_utils.to_channels_first(inputs, data_format)  # (batch, C, *spatial) view
    return conv(x, kernel, bias, strides, conv_padding, dilation_rate, groups)


def convolve_transpose(
    inputs, kernel, bias, *, strides, padding, output_padding, dilation_rate, data_format
):
    """`F.conv_transposeNd` with Keras' output sizes (`conv_utils.transpose_torch_padding`).

    Torch's own `padding`/`output_padding` do the work; only where Keras crops more at the end
    than at the start is the result sliced (a view). Nothing is padded or copied.

    Args:
        inputs: `(batch, *spatial, C)` or `(batch, C, *spatial)` as `data_format` says.
        kernel: Torch layout `(in, out, *kernel_size)`.
        bias: `(out,)` or `None`.
        strides, dilation_rate: `rank` ints each.
        padding: `"valid"` or `"same"`.
        output_padding: `rank` ints or `None` (Keras' default).
        data_format: `"channels_last"` or `"channels_first"`.

    Shapes: `inputs` -> `(batch, out, *new_spatial)` (a view for channels_last inputs).
    """
    rank = kernel.dim() - 2
    extras = output_padding or (None,) * rank
    axes = [
        conv_utils.transpose_torch_padding(k, s, padding, extra, d)
        for k, s, extra, d in zip(kernel.shape[2:], strides, extras, dilation_rate)
    ]
    conv = getattr(F, f"conv_transpose{rank}d")
    x = conv_utils.to_channels_first(inputs, data_format)  # (batch, C, *spatial) view
    outputs = conv(
        x,
        kernel,
        bias,
        strides,
        tuple(start for start, _, _ in axes),
        tuple(extra for _, extra, _ in axes),
        1,  # groups
        dilation_rate,
    )
    if any(trim for _, _, trim in axes):
        outputs = outputs[(slice(None), slice(None), *(slice(0, -t or None) for *_, t in axes))]
    return outputs
