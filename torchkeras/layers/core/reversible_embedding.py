"""ReversibleEmbedding: an Embedding that can also project vectors back to vocabulary logits."""

import torch

from torchkeras import config
from torchkeras.layers.core.embedding import Embedding
from torchkeras.layers.masking_support import set_mask
from torchkeras.registry import LAYERS


@LAYERS.register()
class ReversibleEmbedding(Embedding):
    """Embedding lookup, or with `reverse=True` logits `inputs @ embeddings.T` over the vocabulary.

    The usual tied input/output embedding of language models: with `tie_weights` the reverse
    projection reuses the `(input_dim, output_dim)` table (as a transposed view, no copy);
    otherwise it learns its own `reverse_embeddings` `(output_dim, input_dim)`. Optional
    `logit_soft_cap` squashes logits to `cap * tanh(logits / cap)`. With `mask_zero` the forward
    output carries the `inputs != 0` mask; reverse outputs carry none, as in Keras.

    Args:
        input_dim: Vocabulary size.
        output_dim: Embedding size.
        tie_weights: Whether the reverse projection uses the transposed embedding table.
        embeddings_initializer: Initializer of the table(s).
        embeddings_regularizer, embeddings_constraint: As in `Embedding`.
        mask_zero: Whether index 0 is padding.
        reverse_dtype: dtype of the reverse matmul (inputs and table are cast to it), or None.
        logit_soft_cap: Soft cap of the reverse logits, or None.

    Shapes: `(batch, ...)` integers -> `(batch, ..., output_dim)`; with `reverse=True`,
        `(batch, ..., output_dim)` -> `(batch, ..., input_dim)`.
    """

    def __init__(
        self,
        input_dim,
        output_dim,
        tie_weights=True,
        embeddings_initializer="uniform",
        embeddings_regularizer=None,
        embeddings_constraint=None,
        mask_zero=False,
        reverse_dtype=None,
        logit_soft_cap=None,
        **kwargs,
    ):
        super().__init__(
            input_dim,
            output_dim,
            embeddings_initializer=embeddings_initializer,
            embeddings_regularizer=embeddings_regularizer,
            embeddings_constraint=embeddings_constraint,
            mask_zero=mask_zero,
            **kwargs,
        )
        self.tie_weights = tie_weights
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap

    def build(self, input_shape=None):
        super().build(input_shape)
        self.reverse_embeddings = None
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                name="reverse_embeddings",
                shape=(self.output_dim, self.input_dim),
                initializer=self.embeddings_initializer,
            )

    def call(self, inputs, reverse=False):
        if not reverse:
            outputs = super().call(inputs)
            if self.mask_zero:
                set_mask(outputs, inputs != 0)
            return outputs
        kernel = self.embeddings.T if self.tie_weights else self.reverse_embeddings
        if self.reverse_dtype is not None:
            dtype = config.standardize_dtype(self.reverse_dtype)
            inputs, kernel = inputs.to(dtype), kernel.to(dtype)
        logits = inputs @ kernel  # (batch, ..., input_dim)
        if self.logit_soft_cap is not None:
            logits = torch.tanh(logits / self.logit_soft_cap) * self.logit_soft_cap
        return logits

    def compute_mask(self, inputs, mask=None):
        """None: the forward call attaches its mask itself, as Keras' layer does."""
        return None

    def compute_output_shape(self, input_shape, reverse=False):
        if reverse:
            return (*input_shape[:-1], self.input_dim)
        return (*input_shape, self.output_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "tie_weights": self.tie_weights,
            "reverse_dtype": self.reverse_dtype,
            "logit_soft_cap": self.logit_soft_cap,
        }
