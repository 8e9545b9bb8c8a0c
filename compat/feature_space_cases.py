"""FeatureSpace scenarios run alike on Keras' and torchkeras' classes (`FS`, `layers`).

`dataset` turns a list of dict batches into what `adapt` takes: a batched `tf.data` for
Keras, the list itself for torchkeras.

Each scenario returns `{name: array}`; `make_feature_space_references.py` records Keras'
values (TensorFlow backend: Keras' FeatureSpace needs TensorFlow) and
`test_feature_space.py` replays them on torchkeras. Data are plain NumPy, made here.
"""

import numpy as np

N = 70  # more than two of Keras' adapt batches of 32, and a ragged last one


def table(seed=0, n=N):
    """A small mixed-type table: floats, small ints, strings (with repeats and ties)."""
    rng = np.random.default_rng(seed)
    return {
        "age": rng.uniform(20, 80, n).round(1).astype("float32"),
        "chol": rng.normal(240, 40, n).astype("float32"),
        "score": rng.integers(0, 10, n).astype("float32"),
        "rate": rng.uniform(0, 5, n).astype("float32"),
        "sex": rng.integers(0, 2, n).astype("int32"),
        "ca": rng.integers(0, 4, n).astype("int32"),
        "zip": rng.integers(10000, 99999, n).astype("int32"),
        "thal": rng.choice(["fixed", "normal", "reversible", "1"], n),
        "city": rng.choice([f"city_{i}" for i in range(12)], n),
    }


def _arrays(out):
    if isinstance(out, dict):
        return {f"out_{k}": np.asarray(v) for k, v in out.items()}
    return {"out": np.asarray(out)}


def _only(fs, data):
    """The columns `fs` encodes (Keras' FeatureSpace refuses extra keys)."""
    return {k: data[k] for k in fs.features}


def _sample(data, i):
    return {k: v[i].item() if v.dtype.kind != "U" else str(v[i]) for k, v in data.items()}


def concat_all_kinds(FS, layers, dataset):
    """Every feature kind, two crosses, `concat`; adapted on a dict (batches of 32)."""
    data = table(0)
    fs = FS(
        features={
            "age": FS.float_discretized(num_bins=6),
            "chol": FS.float_normalized(),
            "score": FS.float_rescaled(scale=0.5, offset=-1.0),
            "rate": "float",
            "sex": FS.integer_categorical(num_oov_indices=0),
            "ca": "integer_categorical",
            "zip": FS.integer_hashed(num_bins=7),
            "thal": FS.string_categorical(num_oov_indices=0),
            "city": "string_hashed",
        },
        crosses=[
            FS.cross(feature_names=("sex", "age"), crossing_dim=16),
            FS.cross(feature_names=("thal", "ca"), crossing_dim=8),
        ],
        hashing_dim=9,
        output_mode="concat",
    )
    fs.adapt(data)
    test = table(1, 9)
    refs = _arrays(fs(_only(fs, test)))
    refs["single"] = np.asarray(fs(_sample(_only(fs, test), 3)))
    refs["vocabulary"] = np.asarray(fs.preprocessors["thal"].get_vocabulary())
    refs["boundaries"] = np.asarray(fs.preprocessors["age"].bin_boundaries, dtype="float32")
    return refs


def dict_int_modes(FS, layers, dataset):
    """`dict` output, `int` modes, max_tokens, OOV indices and an `int` cross."""
    data = table(2)
    fs = FS(
        features={
            "ca": FS.integer_categorical(max_tokens=3, output_mode="int"),
            "city": FS.string_categorical(max_tokens=6, num_oov_indices=2, output_mode="int"),
            "thal": "string_categorical",
            "age": "float_discretized",
            "chol": "float_normalized",
        },
        crosses=[
            FS.cross(("ca", "city"), crossing_dim=11, output_mode="int"),
            ("thal", "age"),
        ],
        crossing_dim=5,
        num_discretization_bins=4,
        output_mode="dict",
    )
    fs.adapt(data)
    return _arrays(fs(_only(fs, table(3, 8))))


def batched_adapt(FS, layers, dataset):
    """`adapt` on dict batches of 16 (Keras: a batched `tf.data`; here a list of dicts)."""
    data = table(4)
    batches = [{k: v[i : i + 16] for k, v in data.items()} for i in range(0, N, 16)]
    fs = FS(
        features={"age": "float_discretized", "chol": "float_normalized", "city": "string_categorical"},
        crosses=[("city", "age")],
        num_discretization_bins=5,
    )
    fs.adapt(dataset(batches))
    return _arrays(fs(_only(fs, table(5, 6))))


def hashed_crossing(FS, layers, dataset):
    """The crossing layer alone on strings and integers (negative and large ones too)."""
    words = np.array([["a"], [""], ["fixed"], ["a longer string of more than 16 bytes!"]])
    ints = np.array([[0], [-7], [2**40], [123456789]], dtype="int64")
    small = np.array([[3], [1], [0], [2]], dtype="int64")
    return {
        "strings_ints": np.asarray(layers.HashedCrossing(num_bins=1000)([words, ints])),
        "three": np.asarray(layers.HashedCrossing(num_bins=97)([ints, small, words])),
        "one_hot": np.asarray(
            layers.HashedCrossing(num_bins=5, output_mode="one_hot")([small, ints])
        ),
    }


SCENARIOS = {
    "concat_all_kinds": concat_all_kinds,
    "dict_int_modes": dict_int_modes,
    "batched_adapt": batched_adapt,
    "hashed_crossing": hashed_crossing,
}


def file_space(FS):
    """An adapted FeatureSpace saved to `.keras` (Keras' file is replayed by torchkeras)."""
    fs = FS(
        features={
            "age": FS.float_discretized(num_bins=5),
            "chol": "float_normalized",
            "rate": "float",
            "ca": "integer_categorical",
            "thal": "string_categorical",
            "city": "string_hashed",
        },
        crosses=[("thal", "ca")],
        crossing_dim=8,
    )
    fs.adapt(table(6))
    return fs, _only(fs, table(7, 5))


def without_names(config):
    """A serialized config without layer names and Keras' shared-object ids (they differ)."""
    if isinstance(config, dict):
        return {k: without_names(v) for k, v in config.items()
                if k not in ("name", "shared_object_id")}
    if isinstance(config, (list, tuple)):
        return [without_names(v) for v in config]
    return config
