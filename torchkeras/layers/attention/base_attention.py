"""What multi-head and grouped-query attention share: arguments, projections, masks, the choice
between the fused kernel and the explicit softmax, and Keras' build config."""

from torchkeras import constraints, initializers, regularizers
from torchkeras.layers import layer_config
from torchkeras.layers.attention import dot_product, masks
from torchkeras.layers.core.einsum_dense import EinsumDense
from torchkeras.layers.layer import Layer

_BUILD_ARGUMENTS = ("query_shape", "value_shape", "key_shape")


class AttentionBase(Layer):
    """Base of MultiHeadAttention and GroupedQueryAttention (not a Keras layer itself).

    Subclasses build the projections (EinsumDense sublayers under Keras' attribute names, which
    are also the `.weights.h5` paths), `_softmax`, `_dropout_layer`, `_attention_axes` and the
    two einsum equations; `_attend` then runs the attention on the projected
    `(B, T, heads, channels)` tensors. The activity regularizer goes to the projections, as in
    Keras, not to the layer's own output.
    """

    def __init__(
        self,
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
        super().__init__(**kwargs)
        if sliding_window is not None:
            self._positive_int("sliding_window", sliding_window)
        if (
            isinstance(dropout, bool)
            or not isinstance(dropout, (int, float))
            or not (0 <= dropout <= 1)
        ):
            raise ValueError(
                f"{type(self).__name__} '{self.name}': `dropout` must be a float in [0, 1], "
                f"got dropout={dropout!r}."
            )
        if flash_attention and dropout > 0:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': dropout is not supported when flash "
                f"attention is enabled; set dropout to 0.0 (got dropout={dropout!r}) or "
                "flash_attention to None."
            )
        self._dropout = dropout
        self._use_bias = bool(use_bias)
        self._sliding_window = sliding_window
        self._flash_attention = bool(flash_attention)
        self._use_gate = bool(use_gate)
        self.seed = seed
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)

    dropout = property(lambda self: self._dropout, doc="Dropout rate of the attention.")
    use_bias = property(lambda self: self._use_bias, doc="Whether projections have biases.")

    def _positive_int(self, argument, value):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': `{argument}` must be a positive int, "
                f"got {argument}={value!r}."
            )
        return value

    def _einsum_dense(self, equation, output_shape, bias_axes, name, activation=None):
        """A projection sublayer with fresh copies of the initializers (as Keras clones them)."""
        return EinsumDense(
            equation,
            output_shape=output_shape,
            activation=activation,
            bias_axes=bias_axes if self._use_bias else None,
            kernel_initializer=_fresh(self._kernel_initializer),
            bias_initializer=_fresh(self._bias_initializer),
            kernel_regularizer=self._kernel_regularizer,
            bias_regularizer=self._bias_regularizer,
            activity_regularizer=self._activity_regularizer,
            kernel_constraint=self._kernel_constraint,
            bias_constraint=self._bias_constraint,
            dtype=self.dtype_policy,
            name=name,
        )

    def _attention_mask(
        self, query, value, key, query_mask, value_mask, key_mask, attention_mask, causal
    ):
        """`(mask, causal_only)`: the merged boolean mask, or None and whether only causality
        restricts attention (then torch's causal kernel runs without a mask tensor)."""
        if value_mask is None:
            value_mask = masks.keras_mask(value)
        if key_mask is None and key is not None:
            key_mask = masks.keras_mask(key)
        given = (query_mask, value_mask, key_mask, attention_mask, self._sliding_window)
        if causal and all(item is None for item in given):
            return None, True
        mask = masks.merged_attention_mask(
            query,
            value,
            query_mask,
            value_mask,
            key_mask,
            attention_mask,
            causal,
            self._sliding_window,
        )
        return mask, False

    def _project_and_attend(
        self, dense, scale, query, value, key, query_mask, value_mask, key_mask, attention_mask,
        return_attention_scores, training, use_causal_mask,
    ):
        """The call shared by MultiHeadAttention and GroupQueryAttention: masks, the
        `dense = (query, key, value, output)` projections, attention and the optional gate.

        Returns `(outputs, scores, query_mask)` (`query_mask` from the query's Keras mask when
        none was passed).
        """
        if query_mask is None:
            query_mask = masks.keras_mask(query)
        mask, causal_only = self._attention_mask(
            query, value, key, query_mask, value_mask, key_mask, attention_mask, use_causal_mask
        )
        query, value, key = (masks.without_mask(x) for x in (query, value, key))
        query_dense, key_dense, value_dense, output_dense = dense
        gate = self._gate_dense(query) if self._use_gate else None
        query = query_dense(query)  # (B, T, heads, head_dim)
        key = key_dense(value if key is None else key)  # (B, S, kv_heads, head_dim)
        value = value_dense(value)  # (B, S, kv_heads, value_dim)
        outputs, scores = self._attend(
            query, key, value, mask, causal_only, return_attention_scores, training, scale
        )
        if gate is not None:
            outputs = outputs * gate
        return output_dense(outputs), scores, query_mask

    def _attend(self, query, key, value, mask, causal_only, return_scores, training, scale):
        """`(output, scores or None)` for projected tensors: the fused kernel when the scores
        are not wanted and torch can draw the dropout, else the explicit softmax."""
        if self._flash_attention and return_scores:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': returning attention scores is not "
                "supported when flash attention is enabled; set flash_attention to None."
            )
        dropping = bool(training) and self._dropout > 0
        if not return_scores and query.ndim == 4 and not (dropping and self.seed is not None):
            outputs = dot_product.fused(
                query,
                key,
                value,
                mask,
                scale,
                is_causal=causal_only,
                dropout_rate=self._dropout if dropping else 0.0,
                zero_masked_rows=self._dropout > 0,  # Keras' softmax path, taken for dropout
            )
            return outputs, None
        if causal_only:
            mask = masks.causal_mask(query.shape[1], value.shape[1], query.device)
        if key.shape[-2] != query.shape[-2]:  # grouped key/value heads serve several queries
            repeats = query.shape[-2] // key.shape[-2]
            key = key.repeat_interleave(repeats, dim=-2)
            value = value.repeat_interleave(repeats, dim=-2)
        return dot_product.explicit(query, key, value, mask, scale, self, training)

    def compute_mask(self, inputs, mask=None):
        """The output's mask is the query's (Keras' default: the first input's mask)."""
        return mask

    def _sublayer_config(self):
        return {
            "kernel_initializer": initializers.serialize(self._kernel_initializer),
            "bias_initializer": initializers.serialize(self._bias_initializer),
            "kernel_regularizer": regularizers.serialize(self._kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self._bias_regularizer),
            "activity_regularizer": regularizers.serialize(self._activity_regularizer),
            "kernel_constraint": constraints.serialize(self._kernel_constraint),
            "bias_constraint": constraints.serialize(self._bias_constraint),
        }

    def get_build_config(self):
        """Keras' `{"shapes_dict": {"query_shape": ..., "value_shape": ...}}`."""
        if not self.built:
            return None
        shapes = zip(_BUILD_ARGUMENTS, self._build_shapes)
        return {"shapes_dict": {name: shape for name, shape in shapes if shape is not None}}

    def build_from_config(self, config):
        """Builds the projections from `get_build_config()`'s output."""
        shapes = (config or {}).get("shapes_dict")
        if not shapes or self.built:
            return
        self._build_shapes = [shapes.get(name) for name in _BUILD_ARGUMENTS]
        self.build(**{name: layer_config.as_shape(shape) for name, shape in shapes.items()})


def _fresh(initializer):
    """A new initializer of the same configuration (a plain function is shared as is)."""
    return initializer.clone() if isinstance(initializer, initializers.Initializer) else initializer
