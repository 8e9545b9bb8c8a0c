"""Attention masks as Keras builds them: boolean `(batch, T, S)` masks, True where attention is
allowed, merged with `&` from the Keras masks of the inputs, a causal band and a sliding window."""

import torch

# Keras' torch backend turns a boolean mask into this additive bias for
# `scaled_dot_product_attention` (not -inf, so a fully masked row averages its values).
_SDPA_NEGATIVE = {torch.float16: -0.7 * 65500.0}
_SDPA_NEGATIVE_DEFAULT = -0.7 * 3.38953e38


def keras_mask(tensor):
    """The Keras mask travelling on a tensor (its `_keras_mask` attribute), or None."""
    return getattr(tensor, "_keras_mask", None)


def without_mask(tensor):
    """The tensor without its Keras mask: a view (no copy), so the caller's tensor keeps it.

    The attention layers apply the masks themselves; their projections, which do not support
    masking, get unmasked views (Keras instead deletes the masks from the caller's tensors).
    """
    if tensor is None or keras_mask(tensor) is None:
        return tensor
    return tensor.view_as(tensor)


def causal_mask(query_length, source_length, device):
    """`(1, T, S)` lower-triangular mask: position `i` attends to positions `j <= i`."""
    ones = torch.ones((query_length, source_length), dtype=torch.bool, device=device)
    return torch.tril(ones).unsqueeze(0)


def sliding_window_mask(query_length, source_length, window, device):
    """`(1, T, S)` symmetric band: position `i` attends to `j` with `|i - j| < window`."""
    rows = torch.arange(query_length, device=device).view(1, -1, 1)
    cols = torch.arange(source_length, device=device).view(1, 1, -1)
    return (rows - cols).abs() < window


def merged_attention_mask(
    query,
    value,
    query_mask=None,
    value_mask=None,
    key_mask=None,
    attention_mask=None,
    use_causal_mask=False,
    sliding_window=None,
):
    """The `(batch, T, S)` (or broadcastable) mask allowing what every given mask allows.

    `query_mask` `(B, T)` becomes `(B, T, 1)`, `value_mask` and `key_mask` `(B, S)` become
    `(B, 1, S)`; the causal and sliding-window masks are `(1, T, S)`. None when no mask is given.
    """
    masks = []
    if query_mask is not None:
        masks.append(query_mask.bool().unsqueeze(-1))
    for mask in (value_mask, key_mask):
        if mask is not None:
            masks.append(mask.bool().unsqueeze(-2))
    lengths = (query.shape[1], value.shape[1])
    if use_causal_mask:
        masks.append(causal_mask(*lengths, device=query.device))
    if sliding_window is not None:
        masks.append(sliding_window_mask(*lengths, sliding_window, device=query.device))
    if attention_mask is not None:
        masks.insert(0, attention_mask.bool())
    if not masks:
        return None
    merged = masks[0]
    for mask in masks[1:]:
        merged = merged & mask
    return merged


def expand_mask(mask, rank, num_attention_axes):
    """Inserts size-1 axes before the query axes (at the heads axis) until `mask` has `rank`."""
    axis = -2 * num_attention_axes - 1
    while mask.ndim < rank:
        mask = mask.unsqueeze(axis)
    return mask


def sdpa_bias(mask, dtype):
    """Keras' additive bias for a boolean mask: 0 where allowed, a huge negative elsewhere."""
    negative = _SDPA_NEGATIVE.get(dtype, _SDPA_NEGATIVE_DEFAULT)
    return torch.where(mask, 0.0, torch.tensor(negative, dtype=dtype, device=mask.device))
