"""CategoryEncoding: integer indices in `[0, num_tokens)` -> one-hot, multi-hot or count vectors."""

import torch

from torchkeras import config
from torchkeras.layers.preprocessing.categorical.data_layer import DataLayer
from torchkeras.layers.preprocessing.categorical.encoding import (
    encode_categorical,
    encoded_shape,
)
from torchkeras.registry import LAYERS


@LAYERS.register()
class CategoryEncoding(DataLayer):
    """Encodes integer features as dense vectors of size `num_tokens` (torch ops, any device).

    Indices outside `[0, num_tokens)` encode to zeros (Keras' torch backend raises instead).

    Args:
        num_tokens: Number of categories; inputs lie in `[0, num_tokens)`.
        output_mode: `"one_hot"` (one vector per index), `"multi_hot"` (1 for every index of a
            sample) or `"count"` (how often each index occurs in a sample); `"binary"` is the
            old name of `"multi_hot"`.
        sparse: Keras' sparse output; torch backends have none, so only `False`.

    Shapes: `one_hot`: `(batch, ...)` -> `(batch, ..., num_tokens)` (a last axis of 1 is
    replaced); `multi_hot`/`count`: `(batch, n)` -> `(batch, num_tokens)`, `(n,)` -> `(num_tokens,)`.
    `call(inputs, count_weights=None)`: `count_weights`, shaped like `inputs`, weighs each index
    in `count` mode.
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(
                f"CategoryEncoding '{self.name}': `output_mode` must be one of 'count', "
                f"'one_hot', 'multi_hot', got output_mode={output_mode!r}."
            )
        if not isinstance(num_tokens, int) or isinstance(num_tokens, bool) or num_tokens < 1:
            raise ValueError(
                f"CategoryEncoding '{self.name}': `num_tokens` must be an int >= 1 (use "
                f"IntegerLookup when the number of tokens is unknown), got num_tokens={num_tokens!r}."
            )
        if sparse:
            raise ValueError(
                f"CategoryEncoding '{self.name}': sparse outputs need the TensorFlow backend; "
                f"`sparse` must be False, got sparse={sparse!r}."
            )
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = False

    def call(self, inputs, count_weights=None):
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError(
                    f"CategoryEncoding '{self.name}': `count_weights` is only used when "
                    f"output_mode='count', got output_mode={self.output_mode!r}."
                )
            dtype = config.standardize_dtype(self.dtype)
            count_weights = torch.as_tensor(count_weights, dtype=dtype, device=inputs.device)
        return encode_categorical(
            inputs, self.output_mode, self.num_tokens, self.dtype, count_weights
        )

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.output_mode, self.num_tokens)

    def compute_output_spec(self, inputs, count_weights=None):
        return self._keras_tensor(self.compute_output_shape(inputs.shape), self.dtype)

    def get_config(self):
        return {
            **super().get_config(),
            "num_tokens": self.num_tokens,
            "output_mode": self.output_mode,
        }
