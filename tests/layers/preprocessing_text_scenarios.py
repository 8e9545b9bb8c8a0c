"""Scenarios of the preprocessing text family that a case row cannot express: `adapt`, hashing
of many values, inversion to strings.

Each takes a namespace of the six layer classes and returns `{name: numpy array}`, so the same
code runs on Keras' classes (`compat/make_preprocessing_text_references.py`, with TensorFlow,
records `compat/references/preprocessing_text_scenarios.npz`) and on torchkeras' classes
(`tests/layers/test_preprocessing_text.py` compares them).
"""

import numpy as np

CORPUS = np.array([["b", "a", "c", "a"], ["é", "b", "zz", "A"], ["c", "é", "", "[UNK]"]])
DOCUMENTS = [
    "The quick brown fox, the lazy dog.",
    "A dog! A DOG? the dog...",
    "Ünïcode ÀB straße: the fox",
    "tabs\tand\nnewlines  and   spaces",
]
QUERIES = np.array(["the dog and the fox", "ünïcode àb STRASSE", "nothing known here", ""])


def _numpy(value):
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _vocabulary(layer, **kwargs):
    return np.array([str(token) for token in layer.get_vocabulary(**kwargs)])


def _adapted(layer, data, queries):
    layer.adapt(data)
    return {"vocabulary": _vocabulary(layer), "output": _numpy(layer(queries))}


def _string_lookups(layers):
    out = {}
    for key, kwargs in {
        "plain": {},
        "max_tokens_mask_oov2": {"max_tokens": 5, "mask_token": "", "num_oov_indices": 2},
        "tf_idf": {"output_mode": "tf_idf"},
        "count_padded": {"output_mode": "count", "max_tokens": 9, "pad_to_max_tokens": True},
    }.items():
        found = _adapted(layers.StringLookup(**kwargs), CORPUS, CORPUS[::-1])
        out.update({f"{key}/{name}": value for name, value in found.items()})
    invert = layers.StringLookup(vocabulary=["x", "y", "é"], mask_token="", invert=True)
    out["invert/output"] = np.array([str(t) for t in invert(np.array([0, 1, 2, 3, 4, 9, -1]))])
    return out


def _integer_lookups(layers):
    data = np.array([[3, 1, 3, 2], [2, 7, -1, 0], [7, 3, 0, 5]], dtype="int64")
    out = {}
    for key, kwargs in {
        "plain": {},
        "mask_max_tokens": {"mask_token": 0, "max_tokens": 5, "num_oov_indices": 2},
        "tf_idf": {"output_mode": "tf_idf"},
        "multi_hot": {"output_mode": "multi_hot", "oov_method": "farmhash"},
    }.items():
        found = _adapted(layers.IntegerLookup(**kwargs), data, data[::-1].copy())
        out.update({f"{key}/{name}": value for name, value in found.items()})
    flat = layers.IntegerLookup()
    flat.adapt([3, 1, 3, 2, 2, 7])
    out["flat_list/vocabulary"] = _vocabulary(flat)
    return out


def _text_vectorizations(layers):
    out = {}
    for key, kwargs in {
        "int": {"max_tokens": 12, "output_sequence_length": 7},
        "tf_idf_bigrams": {"output_mode": "tf_idf", "ngrams": (1, 2)},
        "count_lower": {"output_mode": "count", "standardize": "lower", "max_tokens": 10},
        "characters": {"split": "character", "standardize": "lower", "max_tokens": 20},
        "trigrams_strip": {"ngrams": 3, "standardize": "strip_punctuation"},
    }.items():
        found = _adapted(layers.TextVectorization(**kwargs), DOCUMENTS, QUERIES)
        out.update({f"{key}/{name}": value for name, value in found.items()})
    batched = layers.TextVectorization(output_mode="multi_hot")
    batched.adapt(iter([DOCUMENTS[:2], DOCUMENTS[2:]]))
    out["batches/vocabulary"] = _vocabulary(batched)
    out["batches/output"] = _numpy(batched(QUERIES))
    return out


def _hashing(layers):
    rng = np.random.default_rng(7)
    alphabet = list("abcXYZ019 -_éüß€中文")
    words = ["".join(rng.choice(alphabet, size=n)) for n in range(0, 150, 3)]
    ints = np.concatenate(
        [rng.integers(-(2**63), 2**63 - 1, size=40), [0, -1, 9, 10, 2**63 - 1, -(2**63)]]
    ).astype("int64")
    out = {}
    for key, kwargs in {
        "fast": {"num_bins": 1000003},
        "salted": {"num_bins": 2**31 - 1, "salt": [123456789, 2**40 + 7]},
        "masked": {"num_bins": 17, "salt": 3},
    }.items():
        mask = {"mask_value": words[4]} if key == "masked" else {}
        out[f"{key}/strings"] = _numpy(layers.Hashing(**kwargs, **mask)(np.array(words)))
        mask = {"mask_value": 9} if key == "masked" else {}
        out[f"{key}/ints"] = _numpy(layers.Hashing(**kwargs, **mask)(ints))
    return out


def _discretization(layers):
    data = np.random.default_rng(3).standard_normal((50, 8)).astype("float32")
    whole = layers.Discretization(num_bins=5, epsilon=0.01)
    whole.adapt(data)
    batches = layers.Discretization(num_bins=4, epsilon=0.05, output_mode="count")
    batches.adapt([data[:20], data[20:]])
    return {
        "whole/boundaries": np.array(whole.bin_boundaries),
        "batches/boundaries": np.array(batches.bin_boundaries),
        "batches/output": _numpy(batches(data[:3])),
    }


SCENARIOS = {
    "string_lookup": _string_lookups,
    "integer_lookup": _integer_lookups,
    "text_vectorization": _text_vectorizations,
    "hashing": _hashing,
    "discretization": _discretization,
}
