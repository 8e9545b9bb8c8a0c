"""Scaled dot-product attention over projected heads, the two ways Keras computes it.

`fused` runs torch's `F.scaled_dot_product_attention` (flash / memory-efficient kernels, no
`(T, S)` score tensor kept); `explicit` forms the scores with einsums, so they can be returned,
and drops them out with a seeded Dropout layer. Both take `(batch, T, heads, channels)` tensors.
"""

import torch
import torch.nn.functional as F

from torchkeras.layers.attention import masks


def fused(
    query, key, value, mask, scale, is_causal=False, dropout_rate=0.0, zero_masked_rows=False
):
    """`(B, T, N, Hv)` attention output from `F.scaled_dot_product_attention`.

    Args:
        query, key, value: `(B, T, N, H)`, `(B, S, N, H)` and `(B, S, N, Hv)` (heads on axis 2;
            key and value may have fewer heads than the query, a divisor of them).
        mask: Boolean `(B, T, S)`-broadcastable mask or None. As in Keras' torch backend it
            becomes an additive bias of a huge negative number, so a fully masked row averages
            the values rather than producing NaN.
        scale: Factor of the scores, `1 / sqrt(key_dim)` in Keras.
        is_causal: Causal attention without a mask tensor (torch's causal kernel).
        dropout_rate: Dropout on the attention probabilities (training only).
        zero_masked_rows: Give fully masked query rows a zero output, as Keras' explicit
            (softmax) path does; used where Keras would have taken that path.
    """
    bias = None
    if mask is not None:
        mask = masks.expand_mask(mask, 4, 1)  # (B, 1, T, S)
        bias = masks.sdpa_bias(mask, query.dtype)
    q, k, v = query.transpose(1, 2), key.transpose(1, 2), value.transpose(1, 2)  # (B, N, T, H)
    outputs = F.scaled_dot_product_attention(
        q,
        k,
        v,
        attn_mask=bias,
        dropout_p=dropout_rate,
        is_causal=is_causal,
        scale=scale,
        enable_gqa=k.shape[1] != q.shape[1],
    )
    if zero_masked_rows and mask is not None:
        outputs = torch.where(mask.any(-1, keepdim=True), outputs, 0.0)
    return outputs.transpose(1, 2)  # (B, T, N, Hv)


def explicit(query, key, value, mask, scale, layer, training):
    """`(output, probabilities)` from einsum scores, a masked softmax and dropout.

    Args:
        query, key, value: Projected tensors, `(B, ..., heads, channels)`.
        mask: Boolean mask broadcastable to the scores once expanded at the heads axis.
        scale: Factor applied to the query before the dot product (as Keras does).
        layer: The attention layer: its `_dot_product_equation`, `_combine_equation`,
            `_attention_axes`, `_softmax` and `_dropout_layer` are used.
        training: Whether the dropout layer drops.
    """
    query = query * torch.tensor(scale, dtype=query.dtype)  # a CPU scalar: no device copy
    scores = torch.einsum(layer._dot_product_equation, key, query)
    if mask is not None:
        mask = masks.expand_mask(mask, scores.ndim, len(layer._attention_axes))
    probabilities = layer._softmax(scores, mask=mask)
    dropped = probabilities
    if layer._dropout_layer.rate > 0:
        dropped = layer._dropout_layer(probabilities, training=training)
    return torch.einsum(layer._combine_equation, dropped, value), probabilities
