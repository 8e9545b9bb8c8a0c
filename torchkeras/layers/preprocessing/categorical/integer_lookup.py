"""IntegerLookup: integers -> indices of a vocabulary, with torch ops on the input's device."""

import torch

from torchkeras.layers.preprocessing.categorical import int_hash
from torchkeras.layers.preprocessing.categorical.index_lookup import IndexLookup
from torchkeras.registry import LAYERS


@LAYERS.register()
class IntegerLookup(IndexLookup):
    """Maps integers to int64 indices: mask `0` (if `mask_token`), OOV slots, then the vocabulary.

    The vocabulary lives in sorted non-persistent buffers and `call` is `torch.searchsorted`,
    so the layer runs inside a model on any device. Several OOV slots are `value %
    num_oov_indices` (`oov_method="floormod"`) or TensorFlow's FarmHash of the decimal string
    (`"farmhash"`, SipHash with `salt`), as in Keras.

    Args:
        max_tokens: Largest vocabulary size, special tokens included; `None` for no limit.
        num_oov_indices: Number of OOV indices (0: an unknown value is an error).
        mask_token: Value mapped to index 0 (`None`: no mask index).
        oov_token: Value standing for OOV indices when inverting (`-1`).
        vocabulary: A sequence of ints or a file path (one integer a line).
        vocabulary_dtype: Only `"int64"`, as in Keras.
        idf_weights: Inverse document frequencies, with `vocabulary`, for `tf_idf`.
        invert: Map indices back to values (an int64 tensor).
        output_mode: `"int"`, `"one_hot"`, `"multi_hot"`, `"count"` or `"tf_idf"`.
        sparse: Keras' sparse output; torch tensors are dense, so only `False`.
        pad_to_max_tokens: Encode to `max_tokens` entries rather than the vocabulary size.
        oov_method: `"floormod"` or `"farmhash"`, how a value picks one of several OOV indices.
        salt: SipHash key (int or pair), with `oov_method="farmhash"`.

    Shapes: `int`: `(batch, ...)` -> same (int64); `multi_hot`/`count`/`tf_idf`: `(batch, n)` ->
    `(batch, vocabulary_size)`.
    """

    _is_string = False

    def __init__(
        self,
        max_tokens=None,
        num_oov_indices=1,
        mask_token=None,
        oov_token=-1,
        vocabulary=None,
        vocabulary_dtype="int64",
        idf_weights=None,
        invert=False,
        output_mode="int",
        sparse=False,
        pad_to_max_tokens=False,
        oov_method="floormod",
        salt=None,
        name=None,
        **kwargs,
    ):
        if vocabulary_dtype != "int64":
            raise ValueError(
                f"IntegerLookup '{name}': only vocabulary_dtype='int64' is supported, got "
                f"vocabulary_dtype={vocabulary_dtype!r}."
            )
        super().__init__(
            max_tokens=max_tokens,
            num_oov_indices=num_oov_indices,
            mask_token=mask_token,
            oov_token=oov_token,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            invert=invert,
            output_mode=output_mode,
            sparse=sparse,
            pad_to_max_tokens=pad_to_max_tokens,
            oov_method=oov_method,
            salt=salt,
            name=name,
            **kwargs,
        )

    def _tokens_of(self, array):
        return [int(value) for value in array.reshape(-1).tolist()]

    def _on_vocabulary_set(self):
        device = self.weight_device()
        keys = torch.tensor(self._tokens, dtype=torch.int64, device=device)
        keys, order = torch.sort(keys)
        self.register_buffer("_keys", keys, persistent=False)
        self.register_buffer("_key_ids", order + self._token_start_index(), persistent=False)
        table = [self.oov_token if t is None else t for t in self.get_vocabulary()]
        self.register_buffer("_table", torch.tensor(table, device=device), persistent=False)

    def _ids_of_tensor(self, inputs):
        inputs = inputs.long()
        keys = self._keys.to(inputs.device)
        if len(keys):
            position = torch.searchsorted(keys, inputs).clamp_(max=len(keys) - 1)
            found = keys[position] == inputs
            ids = torch.where(found, self._key_ids.to(inputs.device)[position], -1)
        else:
            found, ids = torch.zeros_like(inputs, dtype=torch.bool), torch.full_like(inputs, -1)
        if self.mask_token is not None:
            masked = inputs == self.mask_token
            ids, found = torch.where(masked, self._mask_id(), ids), found | masked
        return torch.where(found, ids, self._oov_ids(inputs, found))

    def _oov_ids(self, inputs, found):
        if self.num_oov_indices == 0:
            if not bool(found.all()):  # one device sync, only in this error-checking mode
                self._raise_oov(inputs[~found].tolist())
            return -1
        if self.num_oov_indices == 1:
            return self._oov_start_index()
        if self.oov_method == "farmhash":
            buckets = int_hash.hash_integers(inputs, self.num_oov_indices, self.salt)
        else:
            buckets = torch.remainder(inputs, self.num_oov_indices)
        return buckets + self._oov_start_index()

    def ids_of_text(self, inputs):
        raise ValueError(
            f"IntegerLookup '{self.name}': inputs must be integers, got an array of strings "
            f"of shape {inputs.shape}."
        )

    def _invert(self, inputs):
        ids = inputs.long()
        table = self._table.to(ids.device)
        inside = (ids >= 0) & (ids < len(table))
        tokens = table[torch.where(inside, ids, 0)]
        return torch.where(inside, tokens, self.oov_token)

    def get_config(self):
        config = super().get_config()
        for key in ("oov_token", "mask_token"):
            config[key] = None if config[key] is None else int(config[key])
        if config["vocabulary"] is not None:
            config["vocabulary"] = [int(v) for v in config["vocabulary"]]
        return config
