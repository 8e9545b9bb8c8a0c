"""StringLookup: strings -> integer indices of a vocabulary (given, or adapted by frequency)."""

import numpy as np
import torch

from torchkeras.layers.preprocessing.categorical import string_hash
from torchkeras.layers.preprocessing.categorical.data_layer import as_text
from torchkeras.layers.preprocessing.categorical.index_lookup import IndexLookup
from torchkeras.registry import LAYERS


@LAYERS.register()
class StringLookup(IndexLookup):
    """Maps strings to int64 indices: mask `0` (if `mask_token`), OOV slots, then the vocabulary.

    Strings (numpy `str`/`bytes` arrays or lists) are looked up in a Python dict per distinct
    value; the ids come back as an int64 tensor on the layer's device. With `invert=True`
    indices become strings again, returned as a numpy `str` array (Keras returns a list).
    Several OOV slots are chosen by TensorFlow's FarmHash of the string (SipHash with `salt`).

    Args:
        max_tokens: Largest vocabulary size, special tokens included; `None` for no limit.
        num_oov_indices: Number of OOV indices (0: an unknown string is an error).
        mask_token: Token mapped to index 0 (`None`: no mask index).
        oov_token: Token standing for OOV indices when inverting (`"[UNK]"`).
        vocabulary: A sequence of strings or a file path (one token a line).
        idf_weights: Inverse document frequencies, with `vocabulary`, for `tf_idf`.
        invert: Map indices back to strings.
        output_mode: `"int"`, `"one_hot"`, `"multi_hot"`, `"count"` or `"tf_idf"`.
        pad_to_max_tokens: Encode to `max_tokens` entries rather than the vocabulary size.
        sparse: Keras' sparse output; torch tensors are dense, so only `False`.
        encoding: Text encoding of `bytes` inputs.
        salt: SipHash key (int or pair) for choosing among OOV indices.

    Shapes: `int`: `(batch, ...)` -> same (int64); `multi_hot`/`count`/`tf_idf`: `(batch, n)` ->
    `(batch, vocabulary_size)`.
    """

    _is_string = True

    def __init__(
        self,
        max_tokens=None,
        num_oov_indices=1,
        mask_token=None,
        oov_token="[UNK]",
        vocabulary=None,
        idf_weights=None,
        invert=False,
        output_mode="int",
        pad_to_max_tokens=False,
        sparse=False,
        encoding="utf-8",
        name=None,
        salt=None,
        **kwargs,
    ):
        self.encoding = encoding
        super().__init__(
            max_tokens=max_tokens,
            num_oov_indices=num_oov_indices,
            mask_token=mask_token,
            oov_token=oov_token,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            invert=invert,
            output_mode=output_mode,
            pad_to_max_tokens=pad_to_max_tokens,
            sparse=sparse,
            name=name,
            salt=salt,
            **kwargs,
        )

    def _tokens_of(self, array):
        return as_text(array, self.encoding).reshape(-1).tolist()

    def ids_of_text(self, inputs):
        """int64 ids (a tensor on the layer's device) of a numpy string array, same shape."""
        unique, inverse = np.unique(as_text(inputs, self.encoding), return_inverse=True)
        ids = np.array([self._index.get(token, -1) for token in unique.tolist()], dtype="int64")
        if self.mask_token is not None:
            ids[unique == self.mask_token] = self._mask_id()
        missing = ids == -1
        if missing.any():
            ids[missing] = self._oov_ids(unique[missing])
        ids = ids[inverse].reshape(inputs.shape)
        return torch.as_tensor(ids, device=self.weight_device())

    def _oov_ids(self, tokens):
        if self.num_oov_indices == 0:
            self._raise_oov(tokens.tolist())
        if self.num_oov_indices == 1:
            return self._oov_start_index()
        key = None if self.salt is None else tuple(self.salt)
        buckets = [
            string_hash.hash_bucket(t.encode("utf-8"), self.num_oov_indices, key) for t in tokens
        ]
        return np.array(buckets, dtype="int64") + self._oov_start_index()

    def _ids_of_tensor(self, inputs):
        raise ValueError(
            f"StringLookup '{self.name}': inputs must be strings (a list or numpy array of str "
            f"or bytes), got a {inputs.dtype} tensor of shape {tuple(inputs.shape)}."
        )

    def _invert(self, inputs):
        ids = inputs.detach().cpu().numpy() if isinstance(inputs, torch.Tensor) else inputs
        ids = np.asarray(ids).astype("int64")
        table = np.array(self.get_vocabulary(), dtype=object)
        inside = (ids >= 0) & (ids < len(table))
        tokens = np.where(inside, table[np.where(inside, ids, 0)], self.oov_token)
        return tokens.astype(str)

    def get_config(self):
        config = {**super().get_config(), "encoding": self.encoding}
        del config["vocabulary_dtype"]
        return config
