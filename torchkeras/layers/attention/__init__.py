"""Attention layers: MultiHeadAttention, GroupedQueryAttention, Attention, AdditiveAttention."""

from torchkeras.layers.attention.additive_attention import AdditiveAttention
from torchkeras.layers.attention.attention import Attention
from torchkeras.layers.attention.grouped_query_attention import GroupQueryAttention
from torchkeras.layers.attention.multi_head_attention import MultiHeadAttention

GroupedQueryAttention = GroupQueryAttention  # Keras' class name

__all__ = [
    "AdditiveAttention",
    "Attention",
    "GroupQueryAttention",
    "GroupedQueryAttention",
    "MultiHeadAttention",
]
