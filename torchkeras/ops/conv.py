"""`keras.ops` convolutions: conv, depthwise_conv, separable_conv, conv_transpose (1D/2D/3D).

Kernels are in Keras' layout `(*kernel_size, in, out)` (transposed: `(*kernel_size, out, in)`)
and are permuted into torch's layout as views; channels_last inputs run as channels_last-memory
views of `(batch, C, *spatial)`. `'same'` pads like Keras (the odd cell at the end).
"""

import torch
import torch.nn.functional as F

from torchkeras.ops import conv_utils, convert


def _prepare(inputs, kernel, strides, padding, data_format, dilation_rate, op):
    inputs = convert.tensor(inputs)
    kernel = convert.tensor(kernel, device=inputs.device)
    rank = inputs.dim() - 2
    if rank not in (1, 2, 3) or kernel.dim() != rank + 2:
        raise ValueError(
            f"`{op}`: expected inputs of rank 3-5 and a kernel of rank inputs.ndim, got "
            f"inputs.shape={tuple(inputs.shape)}, kernel.shape={tuple(kernel.shape)}."
        )
    fmt = conv_utils.data_format(data_format)
    strides = conv_utils.tuple_of(strides, rank, "strides", op)
    dilation = conv_utils.tuple_of(dilation_rate, rank, "dilation_rate", op)
    return inputs, kernel, rank, fmt, strides, conv_utils.padding(padding, op), dilation


def _convolve(inputs, weight, rank, fmt, strides, padding, dilation, groups):
    x = conv_utils.to_channels_first(inputs, fmt)
    pad = 0
    if padding == "same":
        pads = conv_utils.same_pads(x.shape[2:], weight.shape[2:], strides, dilation)
        if all(a == b for a, b in pads):
            pad = tuple(a for a, _ in pads)
        else:
            x = F.pad(x, conv_utils.flat_pads(pads))
    if x.dtype != weight.dtype:
        x = x.to(torch.promote_types(x.dtype, weight.dtype))
        weight = weight.to(x.dtype)
    out = getattr(F, f"conv{rank}d")(x, weight, None, strides, pad, dilation, groups)
    return conv_utils.from_channels_first(out, fmt)


def _torch_kernel(kernel, rank):
    return kernel.permute(rank + 1, rank, *range(rank))  # (*k, in, out) -> (out, in, *k)


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-d convolution (cross-correlation) of `inputs` with `kernel`.

    Args:
        inputs: `(batch, *spatial, C)` (channels_last) or `(batch, C, *spatial)`.
        kernel: `(*kernel_size, C // groups, filters)`; groups = C / kernel's in-channels.
        strides, dilation_rate: An int or one per spatial axis.
        padding: `"valid"` or `"same"`.
        data_format: None (the global default), `"channels_last"` or `"channels_first"`.
    """
    inputs, kernel, rank, fmt, strides, padding, dilation = _prepare(
        inputs, kernel, strides, padding, data_format, dilation_rate, "conv"
    )
    channels = inputs.shape[-1] if fmt == "channels_last" else inputs.shape[1]
    groups = channels // kernel.shape[-2]
    if groups * kernel.shape[-2] != channels:
        raise ValueError(
            f"`conv`: the input's {channels} channels are not a multiple of the kernel's "
            f"{kernel.shape[-2]} input channels (kernel.shape={tuple(kernel.shape)})."
        )
    return _convolve(
        inputs, _torch_kernel(kernel, rank), rank, fmt, strides, padding, dilation, groups
    )


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Depthwise convolution: each input channel convolved with its own `multiplier` filters.

    Args:
        inputs: `(batch, *spatial, C)` (channels_last) or `(batch, C, *spatial)`.
        kernel: `(*kernel_size, C, multiplier)`.
        strides, dilation_rate: An int or one per spatial axis.
        padding: `"valid"` or `"same"`.
        data_format: None (the global default), `"channels_last"` or `"channels_first"`.

    Shapes: output channels `C * multiplier`.
    """
    inputs, kernel, rank, fmt, strides, padding, dilation = _prepare(
        inputs, kernel, strides, padding, data_format, dilation_rate, "depthwise_conv"
    )
    channels, multiplier = kernel.shape[-2], kernel.shape[-1]
    weight = kernel.reshape(*kernel.shape[:-2], 1, channels * multiplier)
    return _convolve(
        inputs, _torch_kernel(weight, rank), rank, fmt, strides, padding, dilation, channels
    )


def separable_conv(
    inputs,
    depthwise_kernel,
    pointwise_kernel,
    strides=1,
    padding="valid",
    data_format=None,
    dilation_rate=1,
):
    """Depthwise convolution followed by a 1x1 (pointwise) convolution.

    Args:
        inputs: `(batch, *spatial, C)` (channels_last) or `(batch, C, *spatial)`.
        depthwise_kernel: `(*kernel_size, C, multiplier)`.
        pointwise_kernel: `(*ones, C * multiplier, filters)`.
        strides, dilation_rate: An int or one per spatial axis (depthwise step).
        padding: `"valid"` or `"same"`.
        data_format: None (the global default), `"channels_last"` or `"channels_first"`.
    """
    depthwise = depthwise_conv(
        inputs, depthwise_kernel, strides, padding, data_format, dilation_rate
    )
    return conv(depthwise, pointwise_kernel, 1, "valid", data_format, 1)


def conv_transpose(
    inputs,
    kernel,
    strides=1,
    padding="valid",
    output_padding=None,
    data_format=None,
    dilation_rate=1,
):
    """Transposed convolution with Keras' output sizes.

    Args:
        inputs: `(batch, *spatial, C)` (channels_last) or `(batch, C, *spatial)`.
        kernel: `(*kernel_size, filters, C)` (Keras' transposed layout).
        strides, dilation_rate: An int or one per spatial axis.
        padding: `"valid"` or `"same"`.
        output_padding: None, an int or one per axis: extra cells at the end.
        data_format: None (the global default), `"channels_last"` or `"channels_first"`.
    """
    inputs, kernel, rank, fmt, strides, padding, dilation = _prepare(
        inputs, kernel, strides, padding, data_format, dilation_rate, "conv_transpose"
    )
    extras = (
        (None,) * rank
        if output_padding is None
        else conv_utils.tuple_of(output_padding, rank, "output_padding", "conv_transpose")
    )
    axes = [
        conv_utils.transpose_axis(k, s, padding, e, d)
        for k, s, e, d in zip(kernel.shape[:rank], strides, extras, dilation)
    ]
    weight = kernel.permute(rank + 1, rank, *range(rank))  # (*k, out, in) -> (in, out, *k)
    x = conv_utils.to_channels_first(inputs, fmt)
    if x.dtype != weight.dtype:
        x = x.to(torch.promote_types(x.dtype, weight.dtype))
        weight = weight.to(x.dtype)
    out = getattr(F, f"conv_transpose{rank}d")(
        x,
        weight,
        None,
        strides,
        tuple(a[0] for a in axes),
        tuple(a[1] for a in axes),
        1,
        dilation,
    )
    if any(a[2] for a in axes):
        out = out[(slice(None), slice(None), *(slice(0, -a[2] or None) for a in axes))]
    return conv_utils.from_channels_first(out, fmt)
