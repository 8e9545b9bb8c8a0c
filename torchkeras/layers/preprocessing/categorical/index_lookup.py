"""IndexLookup: the shared base of StringLookup and IntegerLookup (Keras' vocabulary semantics)."""

import numpy as np
import torch

from torchkeras.layers.preprocessing.categorical import vocabulary as vocab_utils
from torchkeras.layers.preprocessing.categorical.data_layer import DataLayer
from torchkeras.layers.preprocessing.categorical.encoding import encode_categorical, encoded_shape
from torchkeras.layers.preprocessing.categorical.lookup_args import check_lookup_arguments

_INT64_MAX = torch.iinfo(torch.int64).max


class IndexLookup(DataLayer):
    """Maps tokens to indices in a vocabulary: `[mask]`, `num_oov_indices` OOV slots, then tokens.

    Subclasses give the token type: `_tokens_of(array)` turns input values into Python tokens
    and `_ids_of_tensor` / `ids_of_text` map inputs to int64 ids. The vocabulary is a Python
    list (`get_vocabulary`) plus the tensors subclasses keep in non-persistent buffers.
    Arguments and errors are Keras' (see `StringLookup`, `IntegerLookup`).
    """

    _is_string = True

    def __init__(
        self,
        max_tokens,
        num_oov_indices,
        mask_token,
        oov_token,
        vocabulary=None,
        idf_weights=None,
        invert=False,
        output_mode="int",
        sparse=False,
        pad_to_max_tokens=False,
        oov_method="floormod",
        salt=None,
        vocabulary_size=None,
        has_input_vocabulary=None,
        **kwargs,
    ):
        kwargs.pop("dtype", None)  # Keras' lookups keep the float32 policy whatever is passed
        super().__init__(**kwargs)
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        self.salt = check_lookup_arguments(self, locals())
        self.max_tokens, self.num_oov_indices = max_tokens, num_oov_indices
        self.mask_token, self.oov_token = mask_token, oov_token
        self.invert, self.output_mode, self.sparse = invert, output_mode, False
        self.pad_to_max_tokens, self.oov_method = pad_to_max_tokens, oov_method
        self.input_vocabulary = None if isinstance(vocabulary, str) else vocabulary
        self.input_idf_weights = idf_weights
        self._frozen_vocab_size = vocabulary_size
        self._has_input_vocabulary = (
            vocabulary is not None if has_input_vocabulary is None else has_input_vocabulary
        )
        self._tokens, self._index = [], {}
        self._on_vocabulary_set()
        self._counts = vocab_utils.TokenCounts()
        self.register_buffer("idf_weights", None, persistent=False)
        if output_mode == "tf_idf" and idf_weights is not None:
            self.idf_weights = torch.as_tensor(np.asarray(idf_weights, dtype="float32"))
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # ---- the vocabulary ----------------------------------------------------------------------
    def _oov_start_index(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self):
        """Size of the vocabulary, mask and OOV indices included."""
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary: index `i` holds the token that maps to `i` (specials first)."""
        if not include_special_tokens:
            return list(self._tokens)
        specials = [self.mask_token] * self._oov_start_index()
        return specials + [self.oov_token] * self.num_oov_indices + list(self._tokens)

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (a sequence or a file path, one token a line) and IDF weights."""
        self._check_idf_argument(idf_weights)
        if isinstance(vocabulary, str):
            if self.output_mode == "tf_idf":
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': output_mode='tf_idf' cannot load a "
                    f"vocabulary from a file, got vocabulary={vocabulary!r}."
                )
            self._set_tokens(vocab_utils.read_vocabulary_file(vocabulary, self._is_string))
            return
        vocabulary = self._tokens_of(np.asarray(vocabulary))
        if not vocabulary:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': cannot set an empty vocabulary."
            )
        start = self._token_start_index()
        specials = self.get_vocabulary()[:start]
        found_specials = len(vocabulary) >= start and vocabulary[:start] == specials
        tokens = vocabulary[start:] if found_specials else vocabulary
        self._check_tokens(tokens, specials)
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            self._set_input_idf(idf_weights, len(vocabulary), found_specials)

    def _check_idf_argument(self, idf_weights):
        needed = self.output_mode == "tf_idf"
        if needed == (idf_weights is None):
            expected = "must be set" if needed else "must only be set"
            raise ValueError(
                f"{type(self).__name__} '{self.name}': `idf_weights` {expected} when "
                f"output_mode='tf_idf', got output_mode={self.output_mode!r}."
            )

    def _check_tokens(self, tokens, specials):
        problem = None
        repeated = vocab_utils.repeated_tokens(tokens)
        if repeated:
            problem = f"the vocabulary repeats the terms {repeated}"
        elif self.mask_token is not None and self.mask_token in tokens:
            problem = f"the mask token {self.mask_token!r} may only come first ({specials})"
        elif self.invert and self.oov_token is not None and self.oov_token in tokens:
            problem = f"the OOV token {self.oov_token!r} may only come first ({specials})"
        elif self.max_tokens is not None and len(tokens) + len(specials) > self.max_tokens:
            problem = (
                f"the vocabulary has {len(tokens) + len(specials)} entries with the special "
                f"tokens, more than max_tokens={self.max_tokens}"
            )
        if problem:
            raise ValueError(f"{type(self).__name__} '{self.name}': {problem}.")

    def _set_input_idf(self, idf_weights, vocabulary_length, found_specials):
        idf_weights = np.asarray(idf_weights)
        if idf_weights.ndim != 1 or len(idf_weights) != vocabulary_length:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': `idf_weights` must be 1-D with one "
                f"weight per vocabulary entry ({vocabulary_length}), got shape {idf_weights.shape}."
            )
        front = 0 if found_specials else self._token_start_index()
        front_value = 0 if found_specials else np.average(idf_weights)
        self._set_idf(vocab_utils.padded_idf(idf_weights, front, front_value, self._idf_size()))

    def _idf_size(self):
        return self.max_tokens if self.pad_to_max_tokens else None

    def _set_idf(self, weights):
        self.idf_weights = torch.as_tensor(weights, device=self.weight_device())

    def _set_tokens(self, tokens):
        size, frozen = len(tokens) + self._token_start_index(), self._frozen_vocab_size
        encodes = self.output_mode != "int" and not self.pad_to_max_tokens
        if encodes and frozen is not None and size != frozen:  # the encoded width would change
            raise RuntimeError(
                f"{type(self).__name__} '{self.name}': with output_mode={self.output_mode!r} and "
                f"pad_to_max_tokens=False the vocabulary size cannot change once set: it was "
                f"{frozen}, the new vocabulary has {size}."
            )
        self._tokens = list(tokens)
        self._index = {token: i for i, token in enumerate(self._tokens, self._token_start_index())}
        self._on_vocabulary_set()
        self._frozen_vocab_size = self.vocabulary_size()

    def _on_vocabulary_set(self):
        """Hook: subclasses rebuild their tensor tables from `self._tokens`."""

    # ---- adapt ---------------------------------------------------------------------------------
    def adapt(self, data, steps=None):
        """Builds the vocabulary from `data`: tokens by frequency, ties by the token, descending.

        `data` is an array, list or tensor (each element of a 1-D one is a document), or an
        iterable of such batches (a generator, a `DataLoader`), of which `steps` are read.
        """
        self.reset_state()
        if isinstance(data, (list, tuple, np.ndarray, torch.Tensor)):
            array = self._as_array(data)
            self.update_state(array[:, None] if array.ndim == 1 else array)
        else:
            for index, batch in enumerate(data):
                if steps is not None and index >= steps:
                    break
                self.update_state(batch)
        self.finalize_state()

    def _as_array(self, data):
        if isinstance(data, torch.Tensor):
            return data.detach().cpu().numpy()
        return np.asarray(data)

    def update_state(self, data):
        """Counts the tokens of one batch of documents."""
        if self._has_input_vocabulary:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': cannot adapt a layer whose vocabulary was "
                "set by the `vocabulary` argument or `set_vocabulary()`."
            )
        if isinstance(data, torch.Tensor):
            data = data.detach().cpu().numpy()
        self._counts.update(vocab_utils.as_documents(data, self._tokens_of))

    def finalize_state(self):
        """Turns the counts into the vocabulary (and IDF weights), then clears them."""
        if self._has_input_vocabulary or not self._counts.counts:
            self._frozen_vocab_size = self.vocabulary_size()
            return
        limit = None if not self.max_tokens else self.max_tokens - self._token_start_index()
        tokens = self._counts.most_common({self.mask_token, self.oov_token}, limit)
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            idf = self._counts.idf_weights(tokens)
            front_value = idf.mean(dtype="float32") if len(idf) else np.float32(np.nan)
            self._set_idf(
                vocab_utils.padded_idf(
                    idf, self._token_start_index(), front_value, self._idf_size()
                )
            )
        self.reset_state()

    def reset_state(self):
        """Forgets the counts of an unfinished `adapt`."""
        self._counts = vocab_utils.TokenCounts()

    # ---- call ----------------------------------------------------------------------------------
    def call(self, inputs):
        if self.invert:
            return self._invert(inputs)
        depth = self._encoding_depth()
        if isinstance(inputs, np.ndarray):
            ids = self.ids_of_text(inputs)
        else:
            ids = self._ids_of_tensor(inputs)
        return ids if self.output_mode == "int" else self.encode_ids(ids, depth)

    def encode_ids(self, ids, depth=None):
        """Encodes int64 `ids` in the layer's non-int `output_mode` (`tf_idf` weighs counts)."""
        depth = depth or self._encoding_depth()
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        outputs = encode_categorical(ids, mode, depth, "int64")
        if self.output_mode == "tf_idf":
            outputs = outputs.to(self.idf_weights.dtype) * self.idf_weights.to(outputs.device)
        return outputs

    def _encoding_depth(self):
        if self.output_mode == "int":
            return None
        if self.pad_to_max_tokens:
            return self.max_tokens
        if self._frozen_vocab_size is None:
            raise RuntimeError(
                f"{type(self).__name__} '{self.name}': with output_mode={self.output_mode!r} and "
                "pad_to_max_tokens=False, set the vocabulary (the `vocabulary` argument or "
                "`adapt`) before calling the layer."
            )
        return self._frozen_vocab_size

    def _mask_id(self):
        return 0 if self.output_mode == "int" else _INT64_MAX  # out of range: encoded as zeros

    def _raise_oov(self, values):
        raise ValueError(
            f"{type(self).__name__} '{self.name}': with num_oov_indices=0 every input must be in "
            f"the vocabulary, found OOV values {values}; consider num_oov_indices=1."
        )

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        return encoded_shape(input_shape, self.output_mode, depth)

    def compute_output_spec(self, inputs):
        dtype = "int64" if self.output_mode != "tf_idf" else "float32"
        if self.invert:
            dtype = "string" if self._is_string else "int64"
        return self._keras_tensor(self.compute_output_shape(inputs.shape), dtype)

    # ---- config and saving -----------------------------------------------------------------------
    def get_config(self):
        return {
            **super().get_config(),
            "invert": self.invert,
            "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token,
            "mask_token": self.mask_token,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary_dtype": "string" if self._is_string else "int64",
            "idf_weights": _listify(self.input_idf_weights),
            "vocabulary": _listify(self.input_vocabulary),
            "vocabulary_size": self._frozen_vocab_size,
            "oov_method": self.oov_method,
            "salt": self.salt,
        }

    def get_build_config(self):
        return {}

    def save_own_variables(self, store):
        """Keras stores the IDF weights of a `tf_idf` layer as `store["idf_weights"]`."""
        if self.output_mode == "tf_idf":
            store["idf_weights"] = self.idf_weights.cpu().numpy()

    def load_own_variables(self, store):
        if self.output_mode == "tf_idf":
            self._set_idf(np.asarray(store["idf_weights"], dtype="float32"))

    def save_assets(self, dir_path):
        """Writes an adapted vocabulary to `dir_path/vocabulary.txt`, as Keras' `.keras` files do."""
        if self.input_vocabulary is not None:
            return  # the config already holds it
        with open(f"{dir_path}/vocabulary.txt", "w", encoding="utf-8") as handle:
            handle.write("\n".join(str(token) for token in self.get_vocabulary()))

    def load_assets(self, dir_path):
        """Reads the vocabulary `save_assets` wrote (special tokens included)."""
        if self.input_vocabulary is not None:
            return
        tokens = vocab_utils.read_vocabulary_lines(f"{dir_path}/vocabulary.txt", self._is_string)
        if self.output_mode == "tf_idf":
            self.set_vocabulary(tokens, idf_weights=self.idf_weights.cpu().numpy())
        else:
            self.set_vocabulary(tokens)


def _listify(value):
    if isinstance(value, torch.Tensor):
        value = value.cpu().numpy()
    return value.tolist() if isinstance(value, np.ndarray) else value
