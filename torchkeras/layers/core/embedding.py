"""Embedding: a lookup table mapping integer indices to dense vectors, `embeddings[inputs]`."""

import torch
import torch.nn.functional as F

from torchkeras import constraints, initializers, regularizers
from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS


@LAYERS.register()
class Embedding(Layer):
    """Turns integer indices into rows of a learned `(input_dim, output_dim)` table.

    Initialized from U(-0.05, 0.05) as in Keras (torch's `nn.Embedding` draws N(0, 1)).
    Float indices are truncated to integers, as Keras casts them.

    Args:
        input_dim: Vocabulary size (largest index + 1); a positive int.
        output_dim: Size of each embedding vector; a positive int.
        embeddings_initializer: Initializer of the table; `"uniform"` is Keras' U(-0.05, 0.05).
        embeddings_regularizer: Regularizer of the table (added to `losses`).
        embeddings_constraint: Constraint applied to the table after updates.
        mask_zero: Whether index 0 is padding: `compute_mask` then returns `inputs != 0`.
        weights: Optional initial value of the table, `[array]` or `array`.
        lora_rank, lora_alpha, quantization_config: Keras' LoRA and quantization options;
            torchkeras has neither feature, so only `None` is accepted.

    Shapes: `(batch, ...)` integers -> `(batch, ..., output_dim)`.
    """

    def __init__(
        self,
        input_dim,
        output_dim,
        embeddings_initializer="uniform",
        embeddings_regularizer=None,
        embeddings_constraint=None,
        mask_zero=False,
        weights=None,
        lora_rank=None,
        lora_alpha=None,
        quantization_config=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        for argument, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(
                    f"Embedding '{self.name}': `{argument}` must be a positive int, "
                    f"got {argument}={value!r}."
                )
        for argument, value in (
            ("lora_rank", lora_rank),
            ("lora_alpha", lora_alpha),
            ("quantization_config", quantization_config),
        ):
            if value is not None:
                raise ValueError(
                    f"Embedding '{self.name}': torchkeras does not implement LoRA or "
                    f"quantization, so `{argument}` must be None, got {argument}={value!r}."
                )
        self.input_dim = input_dim
        self.output_dim = output_dim
        # "uniform" is Keras' RandomUniform(-0.05, 0.05), not torch's N(0, 1)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero  # Keras: index 0 masks its outputs
        if weights is not None:
            self.build()
            self.set_weights(weights if isinstance(weights, list) else [weights])

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(
            name="embeddings",
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
        )

    def call(self, inputs):
        if inputs.dtype not in (torch.int32, torch.int64):
            inputs = inputs.long()  # Keras casts float indices (truncating them)
        return F.embedding(inputs, self.embeddings)  # (batch, ..., output_dim)

    def compute_mask(self, inputs, mask=None):
        """`inputs != 0` when `mask_zero`, else None (no mask)."""
        if not self.mask_zero:
            return None
        return inputs != 0

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "quantization_config": None,
        }
