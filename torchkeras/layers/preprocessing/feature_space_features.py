"""The feature and cross specifications of `FeatureSpace`, and its two weightless helper layers.

`Feature` pairs an input dtype with a preprocessing layer and an output mode; `Cross` names
features to hash together. Their configs are Keras' (class names `Feature`/`Cross`, module
`keras.src.layers.preprocessing.feature_space`), so `.keras` files carry them unchanged.
"""

import torch

from torchkeras.layers.layer import Layer
from torchkeras.layers.preprocessing.categorical import (
    Discretization,
    Hashing,
    IntegerLookup,
    StringLookup,
)
from torchkeras.layers.preprocessing.categorical.data_layer import DataLayer
from torchkeras.layers.preprocessing.numeric import Normalization, Rescaling
from torchkeras.registry import LAYERS
from torchkeras.utils import naming

KERAS_MODULE = "keras.src.layers.preprocessing.feature_space"
FEATURE_OUTPUT_MODES = ("int", "one_hot", "float")
CROSS_OUTPUT_MODES = ("int", "one_hot")


def _spec_config(obj):
    """Keras' serialized form of a `Feature` or `Cross` (registered under its class name)."""
    name = type(obj).__name__
    return {"module": KERAS_MODULE, "class_name": name, "config": obj.get_config(),
            "registered_name": name}


def layer_config(layer):
    """Keras' serialized form of a preprocessing layer, with its build config when built."""
    found = LAYERS.serialize(layer)
    if isinstance(layer, TFDIdentity):  # Keras' private class: its own module and name
        found.update(module=KERAS_MODULE, registered_name="TFDIdentity")
    build_config = layer.get_build_config()
    if build_config is not None:
        found["build_config"] = build_config
    return found


def layer_from_config(config):
    """A preprocessing layer from `layer_config`'s output, built from its build config."""
    layer = LAYERS.from_config(config)
    build_config = config.get("build_config")
    if build_config and not layer.built:
        layer.build_from_config(build_config)
    return layer


class Cross:
    """A crossing of features (`feature_names`) hashed into `crossing_dim` bins.

    Args:
        feature_names: Names of the (preprocessed) features to cross; two or more.
        crossing_dim: Number of hash bins.
        output_mode: `"one_hot"` (one-hot vectors) or `"int"` (bin ids).
    """

    def __init__(self, feature_names, crossing_dim, output_mode="one_hot"):
        if output_mode not in CROSS_OUTPUT_MODES:
            raise ValueError(
                "Cross: invalid value for argument `output_mode`; expected one of "
                f"{CROSS_OUTPUT_MODES}, got output_mode={output_mode!r}."
            )
        self.feature_names = tuple(feature_names)
        self.crossing_dim = crossing_dim
        self.output_mode = output_mode

    @property
    def name(self):
        """The cross's key in outputs and `crossers`: the feature names joined by `_X_`."""
        return "_X_".join(self.feature_names)

    def get_config(self):
        return {
            "feature_names": self.feature_names,
            "crossing_dim": self.crossing_dim,
            "output_mode": self.output_mode,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    serialize = _spec_config


class Feature:
    """One input feature: its dtype, the layer that preprocesses it, and how it is encoded.

    Args:
        dtype: The input's dtype: `"float32"`, `"int32"`, `"string"` ...
        preprocessor: A layer (or its serialized config dict) applied to the feature.
        output_mode: `"float"` (used as is), `"one_hot"` (the preprocessor's integer output is
            one-hot encoded) or `"int"` (its integer output is kept).
    """

    def __init__(self, dtype, preprocessor, output_mode):
        if output_mode not in FEATURE_OUTPUT_MODES:
            raise ValueError(
                "Feature: invalid value for argument `output_mode`; expected one of "
                f"{FEATURE_OUTPUT_MODES}, got output_mode={output_mode!r}."
            )
        if isinstance(preprocessor, dict):
            preprocessor = layer_from_config(preprocessor)
        if not isinstance(preprocessor, torch.nn.Module):
            raise ValueError(
                "Feature: `preprocessor` must be a layer (or its config dict), got "
                f"preprocessor={preprocessor!r}."
            )
        self.dtype = dtype
        self.preprocessor = preprocessor
        self.output_mode = output_mode

    def get_config(self):
        return {
            "dtype": self.dtype,
            "preprocessor": layer_config(self.preprocessor),
            "output_mode": self.output_mode,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    serialize = _spec_config


def spec_from_config(config, expected):
    """A `Feature` or `Cross` from its serialized dict; `expected` is the class wanted."""
    class_name = config.get("class_name") if isinstance(config, dict) else None
    if class_name != expected.__name__:
        raise ValueError(
            f"FeatureSpace: expected a serialized {expected.__name__} (a dict with "
            f"class_name={expected.__name__!r}), got {config!r}."
        )
    return expected.from_config(config.get("config") or {})


@LAYERS.register()
class TFDIdentity(DataLayer):
    """The preprocessor of `FeatureSpace.float` features: returns its input unchanged.

    Keras' class of the same name keeps its values in TensorFlow; here they stay tensors.

    Shapes: any -> the same.
    """

    def call(self, inputs):
        return inputs

    def compute_output_spec(self, inputs):
        return self._keras_tensor(inputs.shape, inputs.dtype)


@LAYERS.register()
class TFDConcat(Layer):
    """Concatenates `FeatureSpace`'s encoded features along `axis` (the last by default).

    Args:
        axis: The axis to concatenate along.

    Shapes: a list of `(batch, n_i)` -> `(batch, sum(n_i))`.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs):
        return torch.cat(list(inputs), dim=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def _named(name, kind):
    return f"{name or naming.unique_name(kind)}_preprocessor"


def float_feature(name=None):
    """Float values used as they are."""
    return Feature("float32", TFDIdentity(dtype="float32", name=_named(name, "float")), "float")


def float_rescaled(scale=1.0, offset=0.0, name=None):
    """Float values rescaled by a `Rescaling(scale, offset)` layer."""
    layer = Rescaling(scale=scale, offset=offset, name=_named(name, "float_rescaled"))
    return Feature("float32", layer, "float")


def float_normalized(name=None):
    """Float values standardized by a `Normalization` layer (adapted on the data)."""
    layer = Normalization(axis=-1, name=_named(name, "float_normalized"))
    return Feature("float32", layer, "float")


def float_discretized(num_bins, bin_boundaries=None, output_mode="one_hot", name=None):
    """Float values bucketed by a `Discretization` layer, one-hot encoded by default."""
    layer = Discretization(
        num_bins=num_bins, bin_boundaries=bin_boundaries, name=_named(name, "float_discretized")
    )
    return Feature("float32", layer, output_mode)


def integer_categorical(max_tokens=None, num_oov_indices=1, output_mode="one_hot", name=None):
    """Integer values indexed by an `IntegerLookup` layer, one-hot encoded by default."""
    layer = IntegerLookup(
        name=_named(name, "integer_categorical"),
        max_tokens=max_tokens,
        num_oov_indices=num_oov_indices,
    )
    return Feature("int32", layer, output_mode)


def string_categorical(max_tokens=None, num_oov_indices=1, output_mode="one_hot", name=None):
    """String values indexed by a `StringLookup` layer, one-hot encoded by default."""
    layer = StringLookup(
        name=_named(name, "string_categorical"),
        max_tokens=max_tokens,
        num_oov_indices=num_oov_indices,
    )
    return Feature("string", layer, output_mode)


def string_hashed(num_bins, output_mode="one_hot", name=None):
    """String values hashed into `num_bins` by a `Hashing` layer."""
    layer = Hashing(name=_named(name, "string_hashed"), num_bins=num_bins)
    return Feature("string", layer, output_mode)


def integer_hashed(num_bins, output_mode="one_hot", name=None):
    """Integer values hashed into `num_bins` by a `Hashing` layer."""
    layer = Hashing(name=_named(name, "integer_hashed"), num_bins=num_bins)
    return Feature("int32", layer, output_mode)
