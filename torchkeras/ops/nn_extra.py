"""`keras.ops.nn` attention, layer/RMS normalization, sparsemax, psnr, depth/space rearrangement,
adaptive pooling, unfold/fold.

Attention takes Keras' `(batch, length, heads, head_dim)` layout and runs torch's
`scaled_dot_product_attention` on `(batch, heads, length, head_dim)` views.
"""

import torch
import torch.nn.functional as F

from torchkeras import config
from torchkeras.ops import conv_utils, convert, dtypes


def dot_product_attention(
    query,
    key,
    value,
    bias=None,
    mask=None,
    scale=None,
    is_causal=False,
    flash_attention=None,
    attn_logits_soft_cap=None,
):
    """`softmax(query @ key^T * scale + bias) @ value`, per head.

    Args:
        query: `(batch, q_len, heads, dim)`.
        key, value: `(batch, kv_len, kv_heads, dim)`; kv_heads divides heads (grouped queries).
        bias: Added to the logits, broadcastable to `(batch, heads, q_len, kv_len)`.
        mask: Bool, same broadcast shape: False positions are excluded. Not with `bias`.
        scale: Logit scale; None: `1 / sqrt(dim)`.
        is_causal: Whether each query sees only keys at or before its position.
        flash_attention: None or False here (torch picks its fastest kernel); True refused
            unless torch's flash kernel can run.
        attn_logits_soft_cap: Not supported on torch (as in Keras' torch backend); must be None.
    """
    query, key, value = convert.tensors(query, key, value)
    if query.dim() != 4 or key.dim() != 4 or value.dim() != 4:
        raise ValueError(
            "`dot_product_attention`: query, key and value must be 4-D, got "
            f"{tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}."
        )
    if bias is not None and mask is not None:
        raise ValueError("`dot_product_attention`: give `bias` or `mask`, not both.")
    if attn_logits_soft_cap is not None:
        raise ValueError("`dot_product_attention`: attn_logits_soft_cap is not supported.")
    dtype = dtypes.to_torch(dtypes.result_type(query.dtype, key.dtype, value.dtype))
    query, key, value = (t.to(dtype).transpose(1, 2) for t in (query, key, value))
    attn_mask, is_causal = _additive_mask(
        mask, bias, is_causal, dtype, (query.shape[2], key.shape[2]), query.device
    )
    if query.shape[1] > key.shape[1] > 1:
        groups = query.shape[1] // key.shape[1]
        key = key.repeat_interleave(groups, dim=1)
        value = value.repeat_interleave(groups, dim=1)
    out = F.scaled_dot_product_attention(
        query, key, value, attn_mask=attn_mask, is_causal=is_causal, scale=scale
    )
    return out.transpose(1, 2)


def _additive_mask(mask, bias, is_causal, dtype, lengths, device):
    """`(attn_mask, is_causal)` for torch: a bool `mask` (combined with the causal one) becomes
    0 / a large negative logit, as Keras builds it; a `bias` is used as is."""
    if bias is not None:
        return convert.tensor(bias, dtype, device), is_causal
    if mask is None:
        return None, is_causal
    mask = convert.tensor(mask, "bool", device)
    if is_causal:
        mask = mask & torch.ones(lengths, dtype=torch.bool, device=device).tril()
    large = 65500.0 if dtype == torch.float16 else 3.38953e38
    return torch.where(mask, 0.0, torch.tensor(large * -0.7, dtype=dtype, device=device)), False


def _sorted_axes(axis, ndim):
    axes = [axis] if isinstance(axis, int) else list(axis)
    return sorted(a % ndim for a in axes)


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """`(x - mean) / sqrt(var + epsilon) * gamma + beta` over `axis`, computed in float32 or
    wider and cast back.

    Args:
        x: Input.
        gamma, beta: Optional scale and offset of the normalized axes' shape.
        axis: An int or a tuple of axes.
        epsilon: Added to the variance; None: `config.epsilon()`.
    """
    if kwargs.pop("rms_scaling", False) or kwargs:
        raise ValueError(
            f"`layer_normalization`: unsupported arguments {sorted(kwargs)} "
            "(use `rms_normalization` for RMS scaling)."
        )
    x = convert.tensor(x)
    epsilon = config.epsilon() if epsilon is None else epsilon
    compute = dtypes.to_torch(dtypes.result_type(x.dtype, "float32"))
    axes = _sorted_axes(axis, x.dim())
    shape = [x.shape[a] if a in axes else 1 for a in range(x.dim())]
    y = x.to(compute)
    gamma = None if gamma is None else convert.tensor(gamma, compute, x.device)
    beta = None if beta is None else convert.tensor(beta, compute, x.device)
    if axes == list(range(x.dim() - len(axes), x.dim())):  # trailing axes: torch's kernel
        normalized = tuple(x.shape[a] for a in axes)
        reshape = lambda v: None if v is None else v.reshape(normalized)
        return F.layer_norm(y, normalized, reshape(gamma), reshape(beta), epsilon).to(x.dtype)
    mean = torch.mean(y, dim=axes, keepdim=True)
    variance = torch.var(y, dim=axes, keepdim=True, correction=0)
    inv = torch.rsqrt(variance + epsilon)
    if gamma is not None:
        inv = inv * gamma.reshape(shape)
    out = y * inv - mean * inv
    if beta is not None:
        out = out + beta.reshape(shape)
    return out.to(x.dtype)


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """`x / sqrt(mean(x**2) + epsilon) * scale` over `axis` (float32 or wider, cast back).

    Args:
        x: Input.
        scale: Optional scale of the normalized axes' shape.
        axis: An int or a tuple of axes.
        epsilon: Added to the mean square; None: `config.epsilon()`.
    """
    x = convert.tensor(x)
    epsilon = config.epsilon() if epsilon is None else epsilon
    compute = dtypes.to_torch(dtypes.result_type(x.dtype, "float32"))
    axes = _sorted_axes(axis, x.dim())
    y = x.to(compute)
    out = y * torch.rsqrt(torch.mean(torch.square(y), dim=axes, keepdim=True) + epsilon)
    if scale is not None:
        shape = [x.shape[a] if a in axes else 1 for a in range(x.dim())]
        out = out * convert.tensor(scale, compute, x.device).reshape(shape)
    return out.to(x.dtype)


def sparsemax(x, axis=-1):
    """Euclidean projection of `x` onto the probability simplex along `axis` (sparse softmax)."""
    x = convert.tensor(x)
    ordered = torch.sort(x, dim=axis, descending=True).values
    cumulative = torch.cumsum(ordered, dim=axis)
    shape = [1] * x.dim()
    shape[axis] = -1
    ranks = torch.arange(1, x.shape[axis] + 1, dtype=x.dtype, device=x.device).reshape(shape)
    support = ordered - (cumulative - 1) / ranks > 0
    k = torch.sum(support, dim=axis, keepdim=True)
    tau = (torch.gather(cumulative, axis, k - 1) - 1) / k.to(x.dtype)
    return torch.clamp(x - tau, min=0.0)


def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio `20 log10(max_val) - 10 log10(mse)` over all elements."""
    x1, x2 = convert.tensors(x1, x2)
    if x1.shape != x2.shape:
        raise ValueError(
            f"`psnr`: x1 and x2 need one shape, got {tuple(x1.shape)} and {tuple(x2.shape)}."
        )
    peak = convert.tensor(max_val, x1.dtype, x1.device)
    return 20 * torch.log10(peak) - 10 * torch.log10(torch.mean((x1 - x2) ** 2))


def depth_to_space(x, block_size, data_format="channels_last"):
    """Moves channel blocks into `block_size x block_size` spatial blocks.

    As in Keras, channels_last reads the channels block-major (TensorFlow's order) and
    channels_first channel-major (torch's `pixel_shuffle`).

    Shapes: `(n, h, w, c * b * b)` -> `(n, h * b, w * b, c)` (channels_last).
    """
    x, b = convert.tensor(x), block_size
    if conv_utils.data_format(data_format) == "channels_first":
        return F.pixel_shuffle(x, b)
    n, h, w, c = x.shape
    out = x.reshape(n, h, w, b, b, c // (b * b)).permute(0, 1, 3, 2, 4, 5)
    return out.reshape(n, h * b, w * b, c // (b * b))


def space_to_depth(x, block_size, data_format="channels_last"):
    """Moves `block_size x block_size` spatial blocks into channels (inverse of depth_to_space).

    Shapes: `(n, h * b, w * b, c)` -> `(n, h, w, c * b * b)` (channels_last).
    """
    x, b = convert.tensor(x), block_size
    if conv_utils.data_format(data_format) == "channels_first":
        return F.pixel_unshuffle(x, b)
    n, h, w, c = x.shape
    out = x.reshape(n, h // b, b, w // b, b, c).permute(0, 1, 3, 2, 4, 5)
    return out.reshape(n, h // b, w // b, c * b * b)


def _adaptive(inputs, output_size, data_format, kind):
    x = convert.tensor(inputs)
    rank = x.dim() - 2
    fmt = conv_utils.data_format(data_format)
    size = conv_utils.tuple_of(output_size, rank, "output_size", f"adaptive_{kind}_pool")
    pool = getattr(F, f"adaptive_{kind}_pool{rank}d")
    return conv_utils.from_channels_first(pool(conv_utils.to_channels_first(x, fmt), size), fmt)


def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average pooling to a fixed spatial `output_size` (torch's adaptive windows)."""
    return _adaptive(inputs, output_size, data_format, "avg")


def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max pooling to a fixed spatial `output_size` (torch's adaptive windows)."""
    return _adaptive(inputs, output_size, data_format, "max")


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding `(C, kh, kw)` blocks of an NCHW `x` as columns: `(N, C * kh * kw, L)`."""
    return F.unfold(convert.tensor(x), kernel_size, dilation, padding, stride)


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sums columns `(N, C * kh * kw, L)` back into an NCHW image of `output_size`."""
    return F.fold(convert.tensor(x), output_size, kernel_size, dilation, padding, stride)
