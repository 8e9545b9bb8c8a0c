"""MultiHeadAttention: project query, key and value into heads, attend, project back."""

import math

from torchkeras.layers.activations import Softmax
from torchkeras.layers.attention.base_attention import AttentionBase
from torchkeras.layers.attention.equations import attention_equations, projection_equation
from torchkeras.layers.regularization import Dropout
from torchkeras.registry import LAYERS


@LAYERS.register()
class MultiHeadAttention(AttentionBase):
    """Multi-head (scaled dot-product) attention, as in "Attention is all you need".

    The projections are EinsumDense sublayers with Keras' weight layout and names: `query`,
    `key` and `value` kernels `(dim, num_heads, key_dim | value_dim)` with biases
    `(num_heads, key_dim | value_dim)`, and the `attention_output` kernel
    `(num_heads, value_dim, *output_shape)`. Unlike Keras, which always takes the softmax path
    when `dropout > 0`, the attention itself runs on `F.scaled_dot_product_attention` whenever
    the scores are not returned, the query is a sequence `(B, T, dim)` and any dropout can be
    drawn by torch (no `seed`, or not training); otherwise scores are formed explicitly.
    Fully masked query rows give what Keras' path would: the mean of the values on the fused
    path when `dropout == 0`, zeros on the softmax path. Masks travelling on the inputs
    (`_keras_mask`) are read when `query_mask`, `value_mask` or `key_mask` is not given, and
    the query's mask travels on to the output; unlike Keras 3.15.1, an explicit `query_mask`
    is not ignored, and the inputs keep their masks.

    Args:
        num_heads: Number of attention heads, a positive int.
        key_dim: Size of each head for query and key, a positive int.
        value_dim: Size of each head for value; `None` means `key_dim`.
        dropout: Dropout rate on the attention probabilities.
        use_bias: Whether the projections have biases.
        output_shape: Shape of the output besides the batch and query axes (int or tuple);
            `None` projects back to the query's last dimension.
        attention_axes: Axes attended over (int or tuple); `None` means all but batch, heads
            and features.
        sliding_window: Optional positive int: query `i` attends only to keys `j` with
            `|i - j| < sliding_window`.
        flash_attention: `True` insists on the fused kernel (then `dropout` must be 0 and
            scores cannot be returned); `None` and `False` let the layer choose.
        kernel_initializer, bias_initializer: Initializers of the projections (each one gets
            a fresh copy, so unseeded projections differ).
        kernel_regularizer, bias_regularizer, activity_regularizer: Regularizers of the
            projections' weights and outputs.
        kernel_constraint, bias_constraint: Constraints of the projections' weights.
        use_gate: Gate the attention output with a sigmoid projection of the query (`gate`).
        seed: Optional int seed of the attention dropout.

    Shapes: query `(B, T, dim)`, value `(B, S, dim_v)`, key `(B, S, dim_k)` ->
        `(B, T, *output_shape)`; scores `(B, num_heads, T, S)`.
    """

    def __init__(
        self,
        num_heads,
        key_dim,
        value_dim=None,
        dropout=0.0,
        use_bias=True,
        output_shape=None,
        attention_axes=None,
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
        self._num_heads = self._positive_int("num_heads", num_heads)
        self._key_dim = self._positive_int("key_dim", key_dim)
        if value_dim is not None:
            self._positive_int("value_dim", value_dim)
        self._value_dim = value_dim or key_dim
        self._output_shape = self._checked_output_shape(output_shape)
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(
                f"MultiHeadAttention '{self.name}': `attention_axes` must be an int, list or "
                f"tuple, got attention_axes={attention_axes!r}."
            )
        self._attention_axes = attention_axes
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self._key_dim))

    def _checked_output_shape(self, output_shape):
        if not output_shape:
            return None
        if isinstance(output_shape, int):
            return (output_shape,)
        try:
            return tuple(output_shape)
        except TypeError:
            raise ValueError(
                f"MultiHeadAttention '{self.name}': `output_shape` must be an int, tuple or "
                f"list, got output_shape={output_shape!r}."
            ) from None

    num_heads = property(lambda self: self._num_heads, doc="Number of attention heads.")
    key_dim = property(lambda self: self._key_dim, doc="Size of each query/key head.")
    value_dim = property(lambda self: self._value_dim, doc="Size of each value head.")
    attention_axes = property(lambda self: self._attention_axes, doc="Attended axes.")

    def build(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        self._check_value_and_key(value_shape, key_shape)
        heads = [self._num_heads, self._key_dim]
        self.query_dense = self._projection(query_shape, heads, "query")
        self.key_dense = self._projection(key_shape, heads, "key")
        if self._use_gate:
            gate_heads = [self._num_heads, self._value_dim]
            self._gate_dense = self._projection(query_shape, gate_heads, "gate", "sigmoid")
        value_heads = [self._num_heads, self._value_dim]
        self.value_dense = self._projection(value_shape, value_heads, "value")
        self._build_attention(len(query_shape) + 1)
        out_shape = list(self._output_shape or [query_shape[-1]])
        equation, bias_axes, rank = projection_equation(len(query_shape) - 1, 2, len(out_shape))
        self.output_dense = self._einsum_dense(
            equation,
            [None] * (rank - 1 - len(out_shape)) + out_shape,
            bias_axes,
            "attention_output",
        )
        projected = list(self.query_dense.compute_output_shape(query_shape))
        self.output_dense.build((*projected[:-1], self._value_dim))

    def _projection(self, input_shape, heads, name, activation=None):
        """A built EinsumDense from `input_shape` to `(..., *heads)`."""
        equation, bias_axes, rank = projection_equation(len(input_shape) - 1, 1, 2)
        shape = [None] * (rank - 1 - len(heads)) + heads
        layer = self._einsum_dense(equation, shape, bias_axes, name, activation)
        layer.build(input_shape)
        return layer

    def _build_attention(self, rank):
        """Equations, softmax and dropout for projected tensors of `rank`."""
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        else:
            self._attention_axes = tuple(
                a if a >= 0 else rank - 1 + a for a in self._attention_axes
            )
        self._dot_product_equation, self._combine_equation, scores_rank = attention_equations(
            rank, self._attention_axes
        )
        axes = tuple(range(scores_rank - len(self._attention_axes), scores_rank))
        self._softmax = Softmax(axis=axes, dtype=self.dtype_policy)
        self._dropout_layer = Dropout(rate=self._dropout, dtype=self.dtype_policy, seed=self.seed)

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
        dense = (self.query_dense, self.key_dense, self.value_dense, self.output_dense)
        outputs, scores, query_mask = self._project_and_attend(
            dense, self._inverse_sqrt_key_dim, query, value, key, query_mask, value_mask, key_mask, attention_mask,
            return_attention_scores, training, use_causal_mask,
        )
        if query_mask is not None:
            outputs._keras_mask = query_mask
        return (outputs, scores) if return_attention_scores else outputs

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        self._check_value_and_key(value_shape, key_shape)
        return (*query_shape[:-1], *(self._output_shape or query_shape[-1:]))

    def _check_value_and_key(self, value_shape, key_shape):
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(
                f"MultiHeadAttention '{self.name}': all dimensions of `value` and `key`, "
                f"except the last one, must be equal. Received: value_shape="
                f"{tuple(value_shape)} and key_shape={tuple(key_shape)}."
            )

    def get_config(self):
        return {
            **super().get_config(),
            "num_heads": self._num_heads,
            "key_dim": self._key_dim,
            "value_dim": self._value_dim,
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "use_gate": self._use_gate,
            "output_shape": self._output_shape,
            "attention_axes": self._attention_axes,
            "sliding_window": self._sliding_window,
            **self._sublayer_config(),
            "seed": self.seed,
        }
