"""GroupQueryAttention: attention whose key/value heads are shared by groups of query heads."""

import math

from torchkeras.layers.activations import Softmax
from torchkeras.layers.attention.base_attention import AttentionBase
from torchkeras.layers.attention.equations import attention_equations
from torchkeras.layers.regularization import Dropout
from torchkeras.registry import LAYERS


@LAYERS.register("GroupedQueryAttention")
class GroupQueryAttention(AttentionBase):
    """Grouped-query attention (Ainslie et al., 2023): `num_query_heads` query heads, each
    group of `num_query_heads // num_key_value_heads` sharing one key/value head.

    Weights have Keras' layout and names: `query` `(dim, num_query_heads, head_dim)`, `key`
    and `value` `(dim_kv, num_key_value_heads, head_dim)`, `attention_output`
    `(num_query_heads, head_dim, dim)`. The attention runs on `F.scaled_dot_product_attention`
    with `enable_gqa` (no repeated key/value copies) when the scores are not returned and torch
    can draw any dropout; otherwise scores are formed explicitly, as in MultiHeadAttention.
    Keras calls its class GroupedQueryAttention and exports it as `GroupQueryAttention`;
    both names resolve here.

    Args:
        head_dim: Size of each attention head.
        num_query_heads: Number of query heads.
        num_key_value_heads: Number of key/value heads; must divide `num_query_heads`.
        dropout, use_bias, sliding_window, flash_attention, use_gate, seed: As in
            MultiHeadAttention.
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
            activity_regularizer, kernel_constraint, bias_constraint: Of the projections.

    Shapes: query `(B, T, dim)`, value `(B, S, dim)`, key `(B, S, dim)` -> `(B, T, dim)`;
        scores `(B, num_query_heads, T, S)`.
    """

    def __init__(
        self,
        head_dim,
        num_query_heads,
        num_key_value_heads,
        dropout=0.0,
        use_bias=True,
        sliding_window=None,
        flash_attention=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        use_gate=False,
        seed=None,
        **kwargs,
    ):
        super().__init__(
            dropout=dropout,
            use_bias=use_bias,
            sliding_window=sliding_window,
            flash_attention=flash_attention,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            use_gate=use_gate,
            seed=seed,
            **kwargs,
        )
        self.head_dim = self._positive_int("head_dim", head_dim)
        self.num_query_heads = self._positive_int("num_query_heads", num_query_heads)
        self.num_key_value_heads = self._positive_int("num_key_value_heads", num_key_value_heads)
        if num_query_heads % num_key_value_heads:
            raise ValueError(
                f"GroupQueryAttention '{self.name}': `num_query_heads` must be divisible by "
                f"`num_key_value_heads`, got num_query_heads={num_query_heads} and "
                f"num_key_value_heads={num_key_value_heads}."
            )
        self.num_repeats = num_query_heads // num_key_value_heads
        self._inverse_sqrt_head_dim = 1.0 / math.sqrt(float(head_dim))

    def _default_name(self):
        return "grouped_query_attention"  # Keras names it after its class, GroupedQueryAttention

    def build(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        self.feature_dim = query_shape[-1]
        query_heads = (None, self.num_query_heads, self.head_dim)
        kv_heads = (None, self.num_key_value_heads, self.head_dim)
        self._query_dense = self._einsum_dense("bqm,muh->bquh", query_heads, "uh", "query")
        self._query_dense.build(query_shape)
        self._key_dense = self._einsum_dense("bkm,mvh->bkvh", kv_heads, "vh", "key")
        self._key_dense.build(key_shape)
        if self._use_gate:
            self._gate_dense = self._einsum_dense(
                "bqm,muh->bquh", query_heads, "uh", "gate", "sigmoid"
            )
            self._gate_dense.build(query_shape)
        self._value_dense = self._einsum_dense("bkm,mvh->bkvh", kv_heads, "vh", "value")
        self._value_dense.build(value_shape)
        self._softmax = Softmax(axis=-1, dtype=self.dtype_policy)
        self._dropout_layer = Dropout(rate=self._dropout, dtype=self.dtype_policy, seed=self.seed)
        self._attention_axes = (1,)
        self._dot_product_equation, self._combine_equation, _ = attention_equations(4, (1,))
        self._output_dense = self._einsum_dense(
            "bquh,uhm->bqm", (None, self.feature_dim), "m", "attention_output"
        )
        self._output_dense.build((None, None, self.num_query_heads, self.head_dim))

    def call(
        self,
        query,
        value,
        key=None,
        query_mask=None,
        value_mask=None,
        key_mask=None,
        attention_mask=None,
        return_attention_scores=False,
        training=None,
        use_causal_mask=False,
    ):
        dense = (self._query_dense, self._key_dense, self._value_dense, self._output_dense)
        outputs, scores, _ = self._project_and_attend(
            dense, self._inverse_sqrt_head_dim, query, value, key, query_mask, value_mask, key_mask, attention_mask,
            return_attention_scores, training, use_causal_mask,
        )
        return (outputs, scores) if return_attention_scores else outputs

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(
                f"GroupQueryAttention '{self.name}': the last dimension of `query_shape` and "
                f"`value_shape` must be equal. Received: query_shape={tuple(query_shape)}, "
                f"value_shape={tuple(value_shape)}."
            )
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(
                f"GroupQueryAttention '{self.name}': all dimensions of `value` and `key`, "
                f"except the last one, must be equal. Received: value_shape="
                f"{tuple(value_shape)} and key_shape={tuple(key_shape)}."
            )
        return tuple(query_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "head_dim": self.head_dim,
            "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads,
            "use_bias": self._use_bias,
            "use_gate": self._use_gate,
            "sliding_window": self._sliding_window,
            "dropout": self._dropout,
            **self._sublayer_config(),
            "seed": self.seed,
        }
