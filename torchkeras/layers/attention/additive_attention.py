"""AdditiveAttention: Bahdanau-style attention, scores `sum(scale * tanh(query + key))`."""

import torch

from torchkeras.layers.attention.attention import Attention
from torchkeras.registry import LAYERS


@LAYERS.register()
class AdditiveAttention(Attention):
    """Additive attention over `[query, value(, key)]`: `softmax(scores) @ value` with
    `scores[b, i, j] = sum(scale * tanh(query[b, i] + key[b, j]))`.

    The scores are always formed explicitly (a `(B, Tq, Tv, dim)` tanh has no fused kernel).
    Masks, dropout and the query-mask zeroing behave as in `Attention`.

    Args:
        use_scale: Learn a per-feature `scale` of shape `(dim,)` (Glorot-uniform initialized);
            otherwise the tanh terms are summed unscaled.
        dropout: Dropout rate on the attention distribution while training.
        seed: Optional int seed of that dropout.

    Shapes: `[query (B, Tq, dim), value (B, Tv, dim_v), key (B, Tv, dim)]` ->
        `(B, Tq, dim_v)`; scores `(B, Tq, Tv)`.
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(
                name="scale", shape=(input_shape[0][-1],), initializer="glorot_uniform"
            )
        else:
            self.register_parameter("scale", None)

    def _fusable(self, return_attention_scores, dropping):
        return False

    def _calculate_scores(self, query, key):
        summed = torch.tanh(query.unsqueeze(-2) + key.unsqueeze(-3))  # (B, Tq, Tv, dim)
        return (summed if self.scale is None else self.scale * summed).sum(-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
