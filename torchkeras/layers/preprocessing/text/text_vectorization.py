"""TextVectorization: strings -> standardized, split, n-grammed tokens -> vocabulary indices."""

import numpy as np
import torch

from torchkeras.layers.preprocessing.categorical.data_layer import DataLayer, as_text
from torchkeras.layers.preprocessing.categorical.lookup_args import LOOKUP_OUTPUT_MODES
from torchkeras.layers.preprocessing.categorical.string_lookup import StringLookup
from torchkeras.layers.preprocessing.text import text_ops
from torchkeras.registry import LAYERS


@LAYERS.register()
class TextVectorization(DataLayer):
    """Turns strings into int64 token-index sequences or multi-hot/count/TF-IDF vectors.

    The string steps run in Python, equal to Keras' TensorFlow ops (ASCII lowercasing, Keras'
    punctuation set, ASCII-whitespace splitting, space-joined n-grams); the vocabulary is a
    `StringLookup` with mask token `""` (index 0, the padding) and one OOV index `[UNK]`.
    Outputs are torch tensors on the layer's device, ready for an `Embedding`. A callable
    `standardize` receives a numpy `str` array and a callable `split` a 1-D one (returning
    token lists), where Keras would pass TensorFlow tensors.

    Args:
        max_tokens: Largest vocabulary size, padding and OOV included.
        standardize: `"lower_and_strip_punctuation"`, `"lower"`, `"strip_punctuation"`,
            `None` or a callable.
        split: `"whitespace"`, `"character"`, `None` or a callable.
        ngrams: `None`, an int `n` (all widths 1..n) or a tuple of widths.
        output_mode: `"int"`, `"multi_hot"`, `"count"`, `"tf_idf"` (or `"one_hot"`).
        output_sequence_length: With `"int"`, pad with 0 or truncate every row to this length
            (`None`: pad to the longest row of the batch).
        pad_to_max_tokens: Encode to `max_tokens` entries rather than the vocabulary size.
        vocabulary: A sequence of strings or a file path; `idf_weights` with it for `tf_idf`.
        sparse, ragged: Keras' TensorFlow-only outputs; only `False`.
        encoding: Text encoding of `bytes` inputs.

    Shapes: `(batch,)` or `(batch, 1)` strings -> `(batch, sequence_length)` int64, or
    `(batch, vocabulary_size)` float32/int64 for the encodings.
    """

    def __init__(
        self,
        max_tokens=None,
        standardize="lower_and_strip_punctuation",
        split="whitespace",
        ngrams=None,
        output_mode="int",
        output_sequence_length=None,
        pad_to_max_tokens=False,
        vocabulary=None,
        idf_weights=None,
        sparse=False,
        ragged=False,
        encoding="utf-8",
        name=None,
        **kwargs,
    ):
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        self._check_arguments(standardize, split, ngrams, output_mode, output_sequence_length)
        if sparse or ragged:
            raise ValueError(
                f"TextVectorization '{self.name}': `sparse` and `ragged` outputs need the "
                f"TensorFlow backend, got sparse={sparse}, ragged={ragged}."
            )
        self.standardize, self.split, self.ngrams = standardize, split, ngrams
        self._ngram_widths = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self.output_mode = output_mode
        self.output_sequence_length = output_sequence_length
        self.encoding = encoding
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens,
            mask_token="",
            output_mode=output_mode,
            encoding=encoding,
            has_input_vocabulary=has_input_vocabulary,
            vocabulary_size=vocabulary_size,
        )

    def _check_arguments(self, standardize, split, ngrams, output_mode, sequence_length):
        problem = None
        if not (standardize is None or callable(standardize)) and (
            standardize not in text_ops.STANDARDIZE_MODES
        ):
            problem = f"`standardize` must be one of {text_ops.STANDARDIZE_MODES}, None or a "
            problem += f"callable, got standardize={standardize!r}"
        elif not (split is None or callable(split)) and split not in text_ops.SPLIT_MODES:
            problem = f"`split` must be one of {text_ops.SPLIT_MODES}, None or a callable, "
            problem += f"got split={split!r}"
        elif output_mode not in LOOKUP_OUTPUT_MODES:
            problem = f"`output_mode` must be one of {LOOKUP_OUTPUT_MODES}, got {output_mode!r}"
        elif not (
            ngrams is None
            or isinstance(ngrams, int)
            or (isinstance(ngrams, tuple) and all(isinstance(n, int) for n in ngrams))
        ):
            problem = f"`ngrams` must be None, an int or a tuple of ints, got ngrams={ngrams!r}"
        elif sequence_length is not None and (
            output_mode != "int" or not isinstance(sequence_length, int)
        ):
            problem = "`output_sequence_length` must be None, or an int with output_mode='int', "
            problem += f"got {sequence_length!r} with output_mode={output_mode!r}"
        if problem:
            raise ValueError(f"TextVectorization '{self.name}': {problem}.")

    # ---- vocabulary ------------------------------------------------------------------------------
    def adapt(self, data, batch_size=None, steps=None):
        """Builds the vocabulary from strings: an array/list (one document each) or batches."""
        self.reset_state()
        if isinstance(data, (list, tuple, np.ndarray, str)):
            array = as_text(data, self.encoding)
            self.update_state(array[:, None] if array.ndim == 1 else array)
        else:
            for index, batch in enumerate(data):
                if steps is not None and index >= steps:
                    break
                self.update_state(batch)
        self.finalize_state()

    def update_state(self, data):
        self._lookup_layer.update_state(self._preprocess(data))

    def finalize_state(self):
        self._lookup_layer.finalize_state()

    def reset_state(self):
        self._lookup_layer.reset_state()

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary: `""` (padding), `"[UNK]"`, then tokens by frequency."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # ---- call ------------------------------------------------------------------------------------
    def _preprocess(self, inputs):
        """Standardized texts: a numpy `str` array, or token lists per row once split."""
        texts = text_ops.standardize(as_text(inputs, self.encoding), self.standardize)
        if self.split is not None:
            if texts.ndim > 1:
                if texts.shape[-1] != 1:
                    raise ValueError(
                        f"TextVectorization '{self.name}': to split strings the input must be "
                        f"1-D or end in an axis of 1, got shape {texts.shape}."
                    )
                texts = texts[..., 0]
            rows = text_ops.split(texts.reshape(-1), self.split, self.encoding)
        elif self._ngram_widths is not None:
            rows = [list(row) for row in texts.reshape(-1, texts.shape[-1]).tolist()]
        else:
            return texts
        if self._ngram_widths is not None:
            rows = [text_ops.ngrams(row, self._ngram_widths) for row in rows]
        return rows

    def call(self, inputs):
        rows = self._preprocess(inputs)
        lookup = self._lookup_layer
        if isinstance(rows, np.ndarray):  # split=None: one token per string
            ids = lookup.ids_of_text(rows)
            if self.output_mode != "int":
                return lookup.encode_ids(ids)
            if self.output_sequence_length is None or ids.ndim == 0:
                return ids
            return _fit_length(ids, self.output_sequence_length)
        ids = self._padded_ids(rows)
        outputs = ids if self.output_mode == "int" else lookup.encode_ids(ids)
        return outputs[0] if np.ndim(inputs) == 0 else outputs  # one string: one row

    def _padded_ids(self, rows):
        """`(batch, length)` int64 ids of token lists, padded with 0 (`int`) or -1 (ignored)."""
        lengths = [len(row) for row in rows]
        flat = np.array([token for row in rows for token in row], dtype=str)
        ids = (
            self._lookup_layer.ids_of_text(flat) if len(flat) else torch.zeros(0, dtype=torch.long)
        )
        width = self.output_sequence_length
        width = max(lengths, default=0) if width is None or self.output_mode != "int" else width
        pad = 0 if self.output_mode == "int" else -1
        out = torch.full((len(rows), width), pad, dtype=torch.int64, device=ids.device)
        for row, (start, length) in enumerate(zip(np.cumsum([0, *lengths[:-1]]), lengths)):
            kept = min(length, width)
            out[row, :kept] = ids[start : start + kept]
        return out

    def compute_output_shape(self, input_shape):
        shape, lookup = tuple(input_shape), self._lookup_layer
        if self.output_mode != "int":
            return (*shape[:1], lookup.compute_output_shape((None, 1))[-1])
        if self.split is not None or self._ngram_widths is not None:
            return (*shape[:1], self.output_sequence_length)
        if self.output_sequence_length is None:
            return shape
        return (*shape[:-1], self.output_sequence_length)

    def compute_output_spec(self, inputs):
        dtype = "float32" if self.output_mode == "tf_idf" else "int64"
        return self._keras_tensor(self.compute_output_shape(inputs.shape), dtype)

    # ---- config and saving -----------------------------------------------------------------------
    def get_config(self):
        lookup = self._lookup_layer
        return {
            **super().get_config(),
            "max_tokens": lookup.max_tokens,
            "standardize": self.standardize,
            "split": self.split,
            "ngrams": self.ngrams,
            "output_mode": self.output_mode,
            "output_sequence_length": self.output_sequence_length,
            "pad_to_max_tokens": lookup.pad_to_max_tokens,
            "sparse": False,
            "ragged": False,
            "vocabulary": _listify(lookup.input_vocabulary),
            "idf_weights": _listify(lookup.input_idf_weights),
            "encoding": self.encoding,
            "vocabulary_size": self.vocabulary_size(),
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return cls(**config)

    def get_build_config(self):
        return {}

    def save_own_variables(self, store):
        self._lookup_layer.save_own_variables(store)

    def load_own_variables(self, store):
        self._lookup_layer.load_own_variables(store)

    def save_assets(self, dir_path):
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path):
        self._lookup_layer.load_assets(dir_path)


def _fit_length(ids, length):
    """Truncates or zero-pads the last axis of `ids` to `length`."""
    ids = ids[..., :length]
    return torch.nn.functional.pad(ids, (0, length - ids.shape[-1]))


def _listify(value):
    return value.tolist() if isinstance(value, np.ndarray) else value
