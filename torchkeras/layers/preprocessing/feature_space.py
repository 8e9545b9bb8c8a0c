"""FeatureSpace: one-stop preprocessing and encoding of structured (tabular) data."""

from torch import nn

from torchkeras.layers import symbolic
from torchkeras.layers.core.input_layer import Input
from torchkeras.layers.layer import Layer
from torchkeras.layers.preprocessing import feature_space_data as data_utils
from torchkeras.layers.preprocessing import feature_space_features as specs
from torchkeras.layers.preprocessing.categorical import (
    CategoryEncoding,
    Discretization,
    Hashing,
    IntegerLookup,
    StringLookup,
)
from torchkeras.layers.preprocessing.hashed_crossing import HashedCrossing
from torchkeras.layers.preprocessing.numeric import Normalization
from torchkeras.registry import LAYERS

Cross = specs.Cross
Feature = specs.Feature
_SHORTHANDS = {
    "float": lambda fs, name: specs.float_feature(name=name),
    "float_normalized": lambda fs, name: specs.float_normalized(name=name),
    "float_rescaled": lambda fs, name: specs.float_rescaled(name=name),
    "float_discretized": lambda fs, name: specs.float_discretized(
        fs.num_discretization_bins, name=name
    ),
    "integer_categorical": lambda fs, name: specs.integer_categorical(name=name),
    "string_categorical": lambda fs, name: specs.string_categorical(name=name),
    "integer_hashed": lambda fs, name: specs.integer_hashed(fs.hashing_dim, name=name),
    "string_hashed": lambda fs, name: specs.string_hashed(fs.hashing_dim, name=name),
}


@LAYERS.register()
class FeatureSpace(Layer):
    """Preprocesses and encodes a dict of features, as Keras' `keras.utils.FeatureSpace`.

    Each feature gets a preprocessing layer (lookups, hashing, normalization, discretization
    ...) that `adapt` fits on the data; integer outputs are one-hot encoded, feature crosses
    hashed, and everything concatenated (`"concat"`) or returned by name (`"dict"`). Data are
    dicts of NumPy arrays, lists or tensors, or iterables of such dict batches (a `PyDataset`,
    a `DataLoader`, a list), instead of Keras' `tf.data`; outputs are torch tensors.

    Args:
        features: `{name: spec}`, a spec being a name (`"float_normalized"`,
            `"string_categorical"` ...) or a `FeatureSpace.<kind>(...)` feature.
        output_mode: `"concat"` (one float vector) or `"dict"` (one output per feature/cross).
        crosses: Features to cross: tuples of names or `FeatureSpace.cross(...)` objects.
        crossing_dim: Hash bins of crosses given as tuples of names.
        hashing_dim: Hash bins of `"integer_hashed"`/`"string_hashed"` shorthands.
        num_discretization_bins: Bins of `"float_discretized"` shorthands.
        name: The layer's name.

    Shapes: `{name: (batch,) or (batch, 1) or ()}` -> `(batch, total_dim)` (`concat`), or
        `{name: (batch, dim)}` (`dict`); an unbatched dict gives unbatched outputs.
    """

    keras_export_module = "keras.utils"  # the module Keras' configs name (not keras.layers)

    @classmethod
    def cross(cls, feature_names, crossing_dim, output_mode="one_hot"):
        """A cross of `feature_names` hashed into `crossing_dim` bins."""
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype, preprocessor, output_mode):
        """A custom feature: its input `dtype`, a preprocessing layer and an output mode."""
        return Feature(dtype, preprocessor, output_mode)

    float = staticmethod(specs.float_feature)
    float_rescaled = staticmethod(specs.float_rescaled)
    float_normalized = staticmethod(specs.float_normalized)
    float_discretized = staticmethod(specs.float_discretized)
    integer_categorical = staticmethod(specs.integer_categorical)
    string_categorical = staticmethod(specs.string_categorical)
    string_hashed = staticmethod(specs.string_hashed)
    integer_hashed = staticmethod(specs.integer_hashed)

    def __init__(
        self,
        features,
        output_mode="concat",
        crosses=None,
        crossing_dim=32,
        hashing_dim=32,
        num_discretization_bins=32,
        name=None,
    ):
        super().__init__(name=name)
        if not features:
            raise ValueError(
                f"FeatureSpace: the `features` argument cannot be None or empty, got {features!r}."
            )
        if output_mode not in ("dict", "concat"):
            raise ValueError(
                "FeatureSpace: invalid value for argument `output_mode`; expected 'dict' or "
                f"'concat', got output_mode={output_mode!r}."
            )
        dotted = [key for key in features if "." in str(key)]
        if dotted:  # their layers live in an nn.ModuleDict, whose keys cannot hold dots
            raise ValueError(
                f"FeatureSpace: feature names cannot contain '.' in torchkeras; got {dotted}."
            )
        self.crossing_dim = crossing_dim
        self.hashing_dim = hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.output_mode = output_mode
        self.features = {key: self._standardize_feature(key, value) for key, value in features.items()}
        self.crosses = [self._standardize_cross(cross, features) for cross in crosses or ()]
        self.crosses_by_name = {cross.name: cross for cross in self.crosses}
        self.inputs = {
            key: Input(shape=(1,), dtype=feature.dtype, name=key)
            for key, feature in self.features.items()
        }
        self.preprocessors = nn.ModuleDict(
            {key: feature.preprocessor for key, feature in self.features.items()}
        )
        self.crossers = nn.ModuleDict(
            {c.name: HashedCrossing(c.crossing_dim, name=c.name) for c in self.crosses}
        )
        self.one_hot_encoders = nn.ModuleDict()
        self.concat = None
        self.encoded_features = None
        self._is_adapted = False
        self._sublayers_built = False
        self._encoders_created = False

    def _standardize_feature(self, name, feature):
        if isinstance(feature, Feature):
            return feature
        if isinstance(feature, dict):
            return specs.spec_from_config(feature, Feature)
        if isinstance(feature, str) and feature in _SHORTHANDS:
            return _SHORTHANDS[feature](self, name)
        raise ValueError(
            f"FeatureSpace: invalid feature type for feature {name!r}: expected one of "
            f"{sorted(_SHORTHANDS)} or a `FeatureSpace.<kind>(...)` feature, got {feature!r}."
        )

    def _standardize_cross(self, cross, features):
        if isinstance(cross, dict):
            cross = specs.spec_from_config(cross, Cross)
        if isinstance(cross, Cross):
            return cross
        if not self.crossing_dim:
            raise ValueError(
                "FeatureSpace: when specifying `crosses`, the argument `crossing_dim` "
                f"(dimensionality of the crossing space) must be set, got {self.crossing_dim!r}."
            )
        unknown = [key for key in cross if key not in features]
        if unknown:
            raise ValueError(
                "FeatureSpace: all features referenced in the `crosses` argument should be "
                f"present in the `features` dict; got unknown features {unknown} in {cross}."
            )
        return Cross(cross, crossing_dim=self.crossing_dim)

    # ---- adapt -------------------------------------------------------------------------------
    def _list_adaptable_preprocessors(self):
        names = []
        for name, layer in self.preprocessors.items():
            if isinstance(layer, Normalization) and layer.input_mean is not None:
                continue  # mean and variance were given
            if getattr(layer, "_has_input_vocabulary", False):
                continue  # a lookup or TextVectorization given its vocabulary
            if isinstance(layer, Discretization) and layer.num_bins is None:
                continue  # given bin boundaries
            if hasattr(layer, "adapt"):
                names.append(name)
        return names

    def adapt(self, dataset):
        """Fits every adaptable preprocessor on its feature in `dataset`.

        Args:
            dataset: A dict of arrays/lists (one row per sample; cut into batches of 32, as
                Keras' `from_tensor_slices(...).batch(32)` does) or an iterable of dict batches
                (a `PyDataset`, a `DataLoader`, a list); `(x, y)` batches use `x`.
        """
        names = self._list_adaptable_preprocessors()
        float_names = {n for n in names if self.features[n].dtype.startswith("float")}
        columns = data_utils.feature_batches(dataset, names, float_names)
        for name in names:
            layer, batches = self.preprocessors[name], columns[name]
            if isinstance(layer, Normalization) and not layer.built and batches:
                layer.build((None, *batches[0].shape[1:]))  # as from Keras' tf.data spec
            layer.adapt(iter(batches))
        self._is_adapted = True
        self.get_encoded_features()  # creates the encoders, finishing the build
        self.built = True
        self._sublayers_built = True

    def _check_if_adapted(self):
        if not self._is_adapted:
            if self._list_adaptable_preprocessors():
                raise ValueError(
                    f"FeatureSpace '{self.name}': you need to call `.adapt(dataset)` on the "
                    "FeatureSpace before you can start using it."
                )
            self._is_adapted = True

    def _check_if_built(self):
        if not self._sublayers_built:
            self._check_if_adapted()
            self.get_encoded_features()
            self._sublayers_built = True
            self.built = True

    # ---- the symbolic graph --------------------------------------------------------------------
    def get_inputs(self):
        """`{name: keras.Input}`: the functional model inputs (shape `(None, 1)`)."""
        self._check_if_built()
        return self.inputs

    def get_encoded_features(self):
        """The encoded features of `get_inputs()`, as symbolic tensors (a dict or one vector)."""
        self._check_if_adapted()
        if self.encoded_features is None:
            self.encoded_features = self._encode(self.inputs)
        return self.encoded_features

    def _encode(self, inputs):
        preprocessed = {name: self.preprocessors[name](inputs[name]) for name in self.features}
        crossed = {
            cross.name: self.crossers[cross.name]([preprocessed[n] for n in cross.feature_names])
            for cross in self.crosses
        }
        return self._merge_features(preprocessed, crossed)

    def _merge_features(self, preprocessed, crossed):
        names = sorted(preprocessed) + sorted(crossed)
        values = {**preprocessed, **crossed}
        if not self._encoders_created:
            self._create_encoders(names, values)
        outputs = {}
        for name in names:
            encoder = self.one_hot_encoders[name] if name in self.one_hot_encoders else None
            outputs[name] = values[name] if encoder is None else encoder(values[name])
        if self.output_mode == "dict":
            return outputs
        return self.concat([outputs[name] for name in names])

    def _create_encoders(self, names, values):
        """One-hot encoders (and the concat layer) from the first, symbolic, outputs' dtypes."""
        encoders = {}
        for name in names:
            spec = self.features.get(name) or self.crosses_by_name[name]
            dtype = data_utils.dtype_name(values[name])
            if spec.output_mode == "one_hot":
                if not dtype.startswith("int"):
                    raise ValueError(
                        f"FeatureSpace: feature {name!r} has `output_mode='one_hot'`, so its "
                        f"preprocessor should return an integer dtype; it returns {dtype}."
                    )
                encoders[name] = CategoryEncoding(
                    num_tokens=self._cardinality(name), output_mode="multi_hot"
                )
                dtype = encoders[name].dtype
            if self.output_mode == "concat" and (dtype.startswith("int") or dtype == "string"):
                raise ValueError(
                    f"FeatureSpace: cannot concatenate features because feature {name!r} has "
                    f"not been encoded (it has dtype {dtype}). Consider output_mode='dict'."
                )
        self.one_hot_encoders.update(encoders)
        if self.output_mode == "concat":
            self.concat = specs.TFDConcat(axis=-1)
        self._encoders_created = True

    def _cardinality(self, name):
        layer = self.preprocessors[name] if name in self.preprocessors else self.crossers[name]
        if isinstance(layer, (IntegerLookup, StringLookup)):
            return layer.vocabulary_size()
        if isinstance(layer, CategoryEncoding):
            return layer.num_tokens
        if isinstance(layer, Discretization):
            return layer.num_bins or len(layer.bin_boundaries) + 1
        if isinstance(layer, (HashedCrossing, Hashing)):
            return layer.num_bins
        raise ValueError(
            f"FeatureSpace: feature {name!r} has `output_mode='one_hot'`, but it isn't a "
            "standard feature and the size of its output space is unknown, so it cannot be "
            "one-hot encoded. Try output_mode='int'."
        )

    # ---- eager calls -----------------------------------------------------------------------
    def __call__(self, data):
        self._check_if_built()
        if not isinstance(data, dict):
            raise ValueError(
                f"FeatureSpace '{self.name}': a FeatureSpace can only be called with a dict; "
                f"got data of type {type(data).__name__}: {data!r}."
            )
        missing = [name for name in self.features if name not in data]
        if missing:
            raise ValueError(
                f"FeatureSpace '{self.name}': the data dict lacks features {missing}; expected "
                f"keys {list(self.features)}, got {list(data)}."
            )
        if symbolic.is_symbolic(data):
            return self._encode(data)
        return self.call(data)

    def call(self, data):
        """Encodes a dict of concrete values (a batch, or one sample without batch axis)."""
        device = self.weight_device()
        inputs, rebatched = {}, False
        for name, feature in self.features.items():
            x = data_utils.to_feature_values(data[name], feature.dtype, device)
            if x.ndim == 0:
                x, rebatched = x.reshape(1, 1), True
            elif x.ndim == 1:
                x = x.reshape(-1, 1)
            inputs[name] = x
        outputs = self._encode(inputs)
        if not rebatched:
            return outputs
        if self.output_mode == "concat":
            return outputs[0]
        return {k: v[0] if v.ndim == 2 and v.shape[0] == 1 else v for k, v in outputs.items()}

    # ---- config and saving ----------------------------------------------------------------
    def get_config(self):
        return {
            "features": {name: feature.serialize() for name, feature in self.features.items()},
            "output_mode": self.output_mode,
            "crosses": [cross.serialize() for cross in self.crosses],
            "crossing_dim": self.crossing_dim,
            "hashing_dim": self.hashing_dim,
            "num_discretization_bins": self.num_discretization_bins,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_build_config(self):
        return {name: layer.get_build_config() for name, layer in self.preprocessors.items()}

    def build_from_config(self, config):
        for name, build_config in (config or {}).items():
            layer = self.preprocessors[name]
            if not layer.built and build_config:
                layer.build_from_config(build_config)
        self._is_adapted = True

    def save(self, filepath):
        """Saves the FeatureSpace as a `.keras` file; `keras.models.load_model` reloads it."""
        # `saving` sits above `layers`: reach it, as `load_model` reaches models, via the registry.
        LAYERS.lookup("Model").save(self, filepath)

    def save_own_variables(self, store):
        """No own variables: the preprocessors' weights are saved at their own paths."""

    def load_own_variables(self, store):
        """No own variables: the preprocessors' weights are loaded at their own paths."""
