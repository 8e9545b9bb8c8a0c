"""Layer cases of the preprocessing text family: categorical and text preprocessing layers.

Inputs are fixed strings or integers (`inputs`); string cases use `input_dtype="string"`.
Keras' StringLookup, IntegerLookup, Hashing and TextVectorization need TensorFlow, so their
references were generated with it installed (see `compat/make_layer_references.py`); the
outputs are integers or exact float products, compared at the default tolerance.
"""

import numpy as np
from layer_case import LayerCase

from torchkeras.layers.preprocessing.categorical import (
    CategoryEncoding,
    Discretization,
    Hashing,
    IntegerLookup,
    StringLookup,
)
from torchkeras.layers.preprocessing.text import TextVectorization

WORDS = np.array([["a", "b", "c"], ["d", "a", "zz"], ["", "b", "b"], ["e", "f", "a"]])
SENTENCES = np.array(
    ["The cat sat on the mat.", "A dog ATE my homework!", "", "the  Cat,  the dog; the END"]
)
VOCAB = ["the", "cat", "dog", "a", "sat", "on"]
INTS = np.array([[12, 36, 7], [1138, 42, 0], [42, 42, -3], [99, 12, 36]], dtype="int64")


def _fixed(*arrays):
    return lambda rng: [np.asarray(a) for a in arrays]


def _ints(low, high, shape):
    return lambda rng: [rng.integers(low, high, size=shape).astype("int64")]


def _case(cls, kwargs, inputs, input_shape, output_shape, case_id, dtype="int64"):
    return LayerCase(
        cls, kwargs, input_shape, output_shape, input_dtype=dtype, inputs=inputs, id=case_id
    )


def _text_case(cls, kwargs, inputs, input_shape, output_shape, case_id):
    return _case(cls, kwargs, inputs, input_shape, output_shape, case_id, dtype="string")


CASES = [
    _case(
        CategoryEncoding, {"num_tokens": 6}, _ints(0, 6, (4, 3)), (4, 3), (4, 6), "catenc_multi_hot"
    ),
    _case(
        CategoryEncoding,
        {"num_tokens": 5, "output_mode": "one_hot"},
        _ints(0, 5, (4, 1)),
        (4, 1),
        (4, 5),
        "catenc_one_hot",
    ),
    _case(
        CategoryEncoding,
        {"num_tokens": 5, "output_mode": "one_hot"},
        _ints(0, 5, (3, 2)),
        (3, 2),
        (3, 2, 5),
        "catenc_one_hot_rank2",
    ),
    _case(
        CategoryEncoding,
        {"num_tokens": 4, "output_mode": "count"},
        _ints(0, 4, (3, 6)),
        (3, 6),
        (3, 4),
        "catenc_count",
    ),
    _case(
        CategoryEncoding,
        {"num_tokens": 4, "output_mode": "binary"},
        _ints(0, 4, (2, 5)),
        (2, 5),
        (2, 4),
        "catenc_binary",
    ),
    LayerCase(
        Discretization,
        {"bin_boundaries": [-0.5, 0.0, 0.5]},
        (3, 4),
        (3, 4),
        id="discretization_int",
    ),
    LayerCase(
        Discretization,
        {"bin_boundaries": [-1.0, 1.0], "output_mode": "one_hot"},
        (4, 1),
        (4, 3),
        id="discretization_one_hot",
    ),
    LayerCase(
        Discretization,
        {"bin_boundaries": [0.0], "output_mode": "multi_hot"},
        (3, 5),
        (3, 2),
        id="discretization_multi_hot",
    ),
    LayerCase(
        Discretization,
        {"bin_boundaries": [-0.3, 0.2, 0.9], "output_mode": "count"},
        (2, 6),
        (2, 4),
        id="discretization_count",
    ),
    _case(Hashing, {"num_bins": 7}, _fixed(INTS), (4, 3), (4, 3), "hashing_ints"),
    _case(
        Hashing,
        {"num_bins": 5, "mask_value": 0, "salt": 133},
        _fixed(INTS),
        (4, 3),
        (4, 3),
        "hashing_ints_mask_salt",
    ),
    _text_case(Hashing, {"num_bins": 4}, _fixed(WORDS), (4, 3), (4, 3), "hashing_strings"),
    _text_case(
        Hashing,
        {"num_bins": 6, "mask_value": "", "salt": [5, 11], "output_mode": "count"},
        _fixed(WORDS),
        (4, 3),
        (4, 6),
        "hashing_strings_count",
    ),
    _text_case(
        Hashing,
        {"num_bins": 3, "output_mode": "one_hot"},
        _fixed(WORDS[:, :1]),
        (4, 1),
        (4, 3),
        "hashing_strings_one_hot",
    ),
    _case(
        IntegerLookup,
        {"vocabulary": [12, 36, 1138, 42]},
        _fixed(INTS),
        (4, 3),
        (4, 3),
        "intlookup_int",
    ),
    _case(
        IntegerLookup,
        {"vocabulary": [12, 36, 1138, 42], "mask_token": 0, "num_oov_indices": 2},
        _fixed(INTS),
        (4, 3),
        (4, 3),
        "intlookup_mask_floormod",
    ),
    _case(
        IntegerLookup,
        {"vocabulary": [12, 36, 1138], "num_oov_indices": 3, "oov_method": "farmhash", "salt": 9},
        _fixed(INTS),
        (4, 3),
        (4, 3),
        "intlookup_farmhash_salt",
    ),
    _case(
        IntegerLookup,
        {"vocabulary": [12, 36, 1138, 42], "output_mode": "multi_hot"},
        _fixed(INTS),
        (4, 3),
        (4, 5),
        "intlookup_multi_hot",
    ),
    _case(
        IntegerLookup,
        {
            "vocabulary": [12, 36, 42],
            "output_mode": "count",
            "max_tokens": 6,
            "pad_to_max_tokens": True,
        },
        _fixed(INTS),
        (4, 3),
        (4, 6),
        "intlookup_count_padded",
    ),
    _case(
        IntegerLookup,
        {
            "vocabulary": [12, 36, 1138, 42],
            "output_mode": "tf_idf",
            "idf_weights": [0.25, 0.75, 0.6, 0.4],
        },
        _fixed(INTS),
        (4, 3),
        (4, 5),
        "intlookup_tf_idf",
    ),
    _case(
        IntegerLookup,
        {"vocabulary": [12, 36, 1138, 42], "invert": True, "mask_token": 0},
        _ints(-1, 8, (3, 4)),
        (3, 4),
        (3, 4),
        "intlookup_invert",
    ),
    _text_case(
        StringLookup,
        {"vocabulary": ["a", "b", "c", "d"]},
        _fixed(WORDS),
        (4, 3),
        (4, 3),
        "strlookup_int",
    ),
    _text_case(
        StringLookup,
        {"vocabulary": ["a", "b", "c"], "mask_token": "", "num_oov_indices": 3},
        _fixed(WORDS),
        (4, 3),
        (4, 3),
        "strlookup_mask_oov3",
    ),
    _text_case(
        StringLookup,
        {"vocabulary": ["a", "b", "c"], "num_oov_indices": 2, "salt": [1, 2]},
        _fixed(WORDS),
        (4, 3),
        (4, 3),
        "strlookup_oov_salt",
    ),
    _text_case(
        StringLookup,
        {"vocabulary": ["[UNK]", "a", "b", "e"], "output_mode": "count"},
        _fixed(WORDS),
        (4, 3),
        (4, 4),
        "strlookup_count_specials",
    ),
    _text_case(
        StringLookup,
        {"vocabulary": ["a", "b", "c"], "output_mode": "one_hot"},
        _fixed(WORDS[:, :1]),
        (4, 1),
        (4, 4),
        "strlookup_one_hot",
    ),
    _text_case(
        StringLookup,
        {"vocabulary": ["a", "b", "c"], "output_mode": "tf_idf", "idf_weights": [0.5, 1.5, 2.0]},
        _fixed(WORDS),
        (4, 3),
        (4, 4),
        "strlookup_tf_idf",
    ),
    _text_case(
        StringLookup,
        {
            "vocabulary": ["a", "b"],
            "output_mode": "multi_hot",
            "mask_token": "",
            "max_tokens": 5,
            "pad_to_max_tokens": True,
        },
        _fixed(WORDS),
        (4, 3),
        (4, 5),
        "strlookup_multi_hot_padded",
    ),
    _text_case(
        TextVectorization,
        {"vocabulary": VOCAB, "output_sequence_length": 5},
        _fixed(SENTENCES),
        (4,),
        (4, 5),
        "textvec_int_length",
    ),
    _text_case(
        TextVectorization,
        {"vocabulary": VOCAB, "output_sequence_length": 8, "standardize": "lower"},
        _fixed(SENTENCES[:, None]),
        (4, 1),
        (4, 8),
        "textvec_lower_column",
    ),
    _text_case(
        TextVectorization,
        {"vocabulary": VOCAB, "output_mode": "multi_hot"},
        _fixed(SENTENCES),
        (4,),
        (4, 7),
        "textvec_multi_hot",
    ),
    _text_case(
        TextVectorization,
        {
            "vocabulary": VOCAB + ["the cat", "cat sat"],
            "ngrams": 2,
            "output_mode": "count",
            "standardize": "strip_punctuation",
        },
        _fixed(SENTENCES),
        (4,),
        (4, 9),
        "textvec_bigram_count",
    ),
    _text_case(
        TextVectorization,
        {
            "vocabulary": VOCAB,
            "output_mode": "tf_idf",
            "idf_weights": [1.0, 2.0, 0.5, 0.25, 3.0, 1.5],
            "max_tokens": 10,
            "pad_to_max_tokens": True,
        },
        _fixed(SENTENCES),
        (4,),
        (4, 10),
        "textvec_tf_idf_padded",
    ),
    _text_case(
        TextVectorization,
        {
            "vocabulary": ["a", "t", "h", "e", " "],
            "split": "character",
            "standardize": None,
            "output_sequence_length": 12,
        },
        _fixed(SENTENCES),
        (4,),
        (4, 12),
        "textvec_characters",
    ),
    _text_case(
        TextVectorization,
        {"vocabulary": ["the cat sat on the mat", "x"], "split": None},
        _fixed(SENTENCES[:, None]),
        (4, 1),
        (4, 1),
        "textvec_no_split",
    ),
]
