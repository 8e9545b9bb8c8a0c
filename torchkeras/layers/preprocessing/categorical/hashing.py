"""Hashing: values -> `hash(value) % num_bins`, with TensorFlow's hashes (equal buckets to Keras)."""

import numpy as np
import torch

from torchkeras import config
from torchkeras.layers.preprocessing.categorical import int_hash, string_hash
from torchkeras.layers.preprocessing.categorical.data_layer import DataLayer, as_text, is_text
from torchkeras.layers.preprocessing.categorical.encoding import (
    OUTPUT_MODES,
    encode_categorical,
    encoded_shape,
)
from torchkeras.registry import LAYERS


def hash_strings(values, num_bins, salt=None):
    """int64 buckets of a numpy string array: FarmHash64, or SipHash keyed by `salt`."""
    unique, inverse = np.unique(as_text(values), return_inverse=True)
    key = None if salt is None else tuple(salt)
    buckets = [string_hash.hash_bucket(v.encode("utf-8"), num_bins, key) for v in unique]
    return torch.as_tensor(np.array(buckets, dtype="int64")[inverse].reshape(values.shape))


@LAYERS.register()
class Hashing(DataLayer):
    """Hashes strings or integers into `num_bins` buckets, exactly as Keras (TensorFlow) does.

    Values are hashed by their string form (integers as decimals, floats first truncated to
    int64) with FarmHash Fingerprint64, or with SipHash-2-4 keyed by `salt`. Integer tensors
    are hashed by torch ops on their device; strings (numpy arrays or lists) in Python.

    Args:
        num_bins: Number of buckets, including the mask bucket when `mask_value` is set.
        mask_value: A value hashed to bucket 0 (the others then land in `[1, num_bins)`).
        salt: An int or a pair of ints: the SipHash key; `None` uses FarmHash.
        output_mode: `"int"` (bucket ids), `"one_hot"`, `"multi_hot"` or `"count"`.
        sparse: Keras' sparse output; torch backends have none, so only `False`.
        dtype: Output dtype; int64 in `int` mode, floatx otherwise, by default.

    Shapes: `int`: `(batch, ...)` -> same; encodings as `CategoryEncoding` with `num_bins`.
    """

    def __init__(
        self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False, **kwargs
    ):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else config.floatx()
        super().__init__(**kwargs)
        self._check_arguments(num_bins, output_mode, sparse)
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.output_mode = output_mode
        self.sparse = False
        if salt is None or (isinstance(salt, (tuple, list)) and len(salt) == 2):
            self.salt = None if salt is None else list(salt)
        elif isinstance(salt, int):
            self.salt = [salt, salt]
        else:
            raise ValueError(
                f"Hashing '{self.name}': `salt` must be an int or a pair of ints, got salt={salt!r}."
            )

    def _check_arguments(self, num_bins, output_mode, sparse):
        problem = None
        if num_bins is None or num_bins <= 0:
            problem = f"`num_bins` must be a positive int, got num_bins={num_bins!r}"
        elif output_mode not in OUTPUT_MODES:
            problem = f"`output_mode` must be one of {OUTPUT_MODES}, got {output_mode!r}"
        elif output_mode == "int" and self.dtype not in ("int32", "int64"):
            problem = f"with output_mode='int', `dtype` must be int32 or int64, got {self.dtype!r}"
        elif sparse:
            problem = f"`sparse` must be False (no sparse torch outputs), got {sparse!r}"
        if problem:
            raise ValueError(f"Hashing '{self.name}': {problem}.")

    def call(self, inputs):
        if self.output_mode == "one_hot" and inputs.ndim > 0 and inputs.shape[-1] == 1:
            inputs = inputs.reshape(inputs.shape[:-1])
        bins = self._hash(inputs)
        return encode_categorical(bins, self.output_mode, self.num_bins, self.dtype)

    def _hash(self, inputs):
        """Bucket ids (int64) of `inputs`: a numpy string array or a numeric tensor."""
        masked = self.mask_value is not None and self.num_bins > 1
        num_bins = self.num_bins - 1 if masked else self.num_bins
        if is_text(inputs):
            bins = hash_strings(inputs, num_bins, self.salt)
            mask = torch.as_tensor(as_text(inputs) == str(self.mask_value)) if masked else None
        else:
            bins = int_hash.hash_integers(inputs.long(), num_bins, self.salt)
            mask = inputs == self.mask_value if masked else None
        if mask is None:
            return bins
        return torch.where(mask, 0, bins + 1)

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.output_mode, self.num_bins)

    def compute_output_spec(self, inputs):
        return self._keras_tensor(self.compute_output_shape(inputs.shape), self.dtype)

    def get_config(self):
        return {
            **super().get_config(),
            "num_bins": self.num_bins,
            "salt": self.salt,
            "mask_value": self.mask_value,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
        }
