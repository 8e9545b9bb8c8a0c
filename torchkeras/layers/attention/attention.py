"""Attention: Luong-style dot-product (or concat) attention over `[query, value(, key)]`."""

import torch
import torch.nn.functional as F

from torchkeras.layers.attention import masks
from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS

_SCORE_MODES = ("dot", "concat")
_PADDING_PENALTY = {torch.float16: 65504.0}  # else 1e9, subtracted from masked scores


@LAYERS.register()
class Attention(Layer):
    """Dot-product attention: `softmax(query @ key^T) @ value`, without projections.

    As Keras, masked scores have 1e9 subtracted (so a fully masked row attends uniformly) and
    masked query rows output zeros. Plain `"dot"` scores without a learned scale run on
    torch's `F.scaled_dot_product_attention` (scale 1) when the scores are not returned and
    any dropout can be drawn by torch; otherwise the scores are formed explicitly. Masks
    travelling on the inputs (`_keras_mask`) are used when `mask` is not given.

    Args:
        use_scale: Learn a scalar `scale` multiplying the scores ("dot"), or the query+key sum
            inside the tanh ("concat").
        score_mode: "dot" (`query @ key^T`) or "concat" (`sum(tanh(query + key))`, times a
            learned scalar `concat_score_weight`).
        dropout: Dropout rate on the attention distribution while training.
        seed: Optional int seed of that dropout.

    Shapes: `[query (B, Tq, dim), value (B, Tv, dim_v), key (B, Tv, dim)]` ->
        `(B, Tq, dim_v)`; scores `(B, Tq, Tv)`. `mask`: `[query_mask (B, Tq), value_mask (B, Tv)]`.
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in _SCORE_MODES:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': `score_mode` must be one of "
                f"{_SCORE_MODES}, got score_mode={score_mode!r}."
            )
        if (
            isinstance(dropout, bool)
            or not isinstance(dropout, (int, float))
            or not (0 <= dropout <= 1)
        ):
            raise ValueError(
                f"{type(self).__name__} '{self.name}': `dropout` must be a float in [0, 1], "
                f"got dropout={dropout!r}."
            )
        self.use_scale = bool(use_scale)
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        self._generators = {}  # device -> torch.Generator, only when `seed` is given

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        else:
            self.register_parameter("scale", None)
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(
                name="concat_score_weight", shape=(), initializer="ones"
            )

    def call(
        self,
        inputs,
        mask=None,
        training=False,
        return_attention_scores=False,
        use_causal_mask=False,
    ):
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask, value_mask = self._masks(inputs, mask)
        dropping = bool(training) and self.dropout > 0
        if self._fusable(return_attention_scores, dropping):
            outputs = self._fused(query, key, value, value_mask, use_causal_mask, dropping)
            scores = None
        else:
            outputs, scores = self._explicit(
                query, key, value, value_mask, use_causal_mask, dropping
            )
        if query_mask is not None:
            outputs = torch.where(query_mask.bool().unsqueeze(-1), outputs, 0.0)
        return (outputs, scores) if return_attention_scores else outputs

    def _fusable(self, return_attention_scores, dropping):
        plain_dot = self.score_mode == "dot" and not self.use_scale
        return (
            plain_dot and not return_attention_scores and not (dropping and self.seed is not None)
        )

    def _fused(self, query, key, value, value_mask, use_causal_mask, dropping):
        """`softmax(q @ k^T + bias) @ v` in one torch kernel; the bias is Keras' -1e9."""
        bias = None
        if value_mask is not None:
            allowed = _score_mask(query, key, value_mask, use_causal_mask)
            bias = torch.where(allowed, 0.0, -_penalty(query.dtype)).to(query.dtype)
        return F.scaled_dot_product_attention(
            query,
            key,
            value,
            attn_mask=bias,
            dropout_p=self.dropout if dropping else 0.0,
            is_causal=use_causal_mask and value_mask is None,
            scale=1.0,
        )

    def _explicit(self, query, key, value, value_mask, use_causal_mask, dropping):
        scores = self._calculate_scores(query, key)  # (B, Tq, Tv)
        if value_mask is not None or use_causal_mask:
            allowed = _score_mask(query, key, value_mask, use_causal_mask)
            scores = torch.where(allowed, scores, scores - _penalty(scores.dtype))
        weights = torch.softmax(scores, dim=-1)
        dropped = self._dropout(weights) if dropping else weights
        return dropped @ value, weights

    def _calculate_scores(self, query, key):
        """Scores `(B, Tq, Tv)` of the query against the key."""
        if self.score_mode == "dot":
            scores = query @ key.transpose(-2, -1)
            return scores if self.scale is None else scores * self.scale
        summed = query.unsqueeze(-2) + key.unsqueeze(-3)  # (B, Tq, Tv, dim)
        if self.scale is not None:
            summed = self.scale * summed
        return self.concat_score_weight * torch.tanh(summed).sum(-1)

    def _dropout(self, weights):
        if self.seed is None:
            return F.dropout(weights, p=self.dropout, training=True)
        device = weights.device
        if device not in self._generators:
            self._generators[device] = torch.Generator(device=device).manual_seed(self.seed)
        keep = 1.0 - self.dropout
        noise = torch.rand(weights.shape, generator=self._generators[device], device=device)
        return weights * (noise < keep).to(weights.dtype) / keep

    def _masks(self, inputs, mask):
        """`(query_mask, value_mask)`: given, else the masks travelling on the inputs."""
        if mask is None:
            mask = [masks.keras_mask(tensor) for tensor in inputs]
        return mask[0], mask[1]

    def compute_mask(self, inputs, mask=None):
        """The output's mask is the query's mask."""
        self._validate_inputs(inputs, mask)
        query_mask, _ = self._masks(inputs, mask)
        return query_mask

    def compute_output_shape(self, input_shape):
        return (*input_shape[0][:-1], input_shape[1][-1])

    def _validate_inputs(self, inputs, mask=None):
        kind = f"{type(self).__name__} '{self.name}'"
        if not isinstance(inputs, (list, tuple)) or not 2 <= len(inputs) <= 3:
            raise ValueError(
                f"{kind} must be called on a list of 2 or 3 inputs, [query, value] or "
                f"[query, value, key]. Received: {_describe(inputs)}."
            )
        if mask is not None and (not isinstance(mask, (list, tuple)) or not 2 <= len(mask) <= 3):
            raise ValueError(
                f"{kind}: `mask` must be a list [query_mask, value_mask] (2 or 3 entries). "
                f"Received: mask={_describe(mask)}."
            )

    def get_config(self):
        return {
            **super().get_config(),
            "use_scale": self.use_scale,
            "score_mode": self.score_mode,
            "dropout": self.dropout,
            "seed": self.seed,
        }


def _score_mask(query, key, value_mask, use_causal_mask):
    """Boolean `(B or 1, Tq or 1, Tv)` mask of the allowed scores."""
    allowed = None if value_mask is None else value_mask.bool().unsqueeze(-2)  # (B, 1, Tv)
    if use_causal_mask:
        causal = masks.causal_mask(query.shape[-2], key.shape[-2], query.device)
        allowed = causal if allowed is None else allowed & causal
    return allowed


def _penalty(dtype):
    return torch.tensor(_PADDING_PENALTY.get(dtype, 1.0e9), dtype=dtype)


def _describe(value):
    """Shapes of tensors (or the value itself) for error messages."""
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {[_describe(v) for v in value]}"
    shape = getattr(value, "shape", None)
    return f"tensor of shape {tuple(shape)}" if shape is not None else repr(value)
