"""`keras.losses`: loss classes and functions with Keras' names, defaults and numbers, on torch.

`get`, `serialize` and `deserialize` follow Keras: a function's name (`"mse"`) resolves to the
function, a class name (`"MeanSquaredError"`) to a default instance, and unknown names raise a
ValueError that suggests the closest registered names.
"""

import inspect

from torchkeras.losses.categorical import (
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
)
from torchkeras.losses.hinge import (
    CategoricalHinge,
    Hinge,
    SquaredHinge,
    categorical_hinge,
    hinge,
    squared_hinge,
)
from torchkeras.losses.loss import (
    Loss,
    LossFunctionWrapper,
    deserialize_function,
    reduce_weighted_values,
    serialize_function,
)
from torchkeras.losses.probabilistic import (
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    KLDivergence,
    Poisson,
    binary_crossentropy,
    binary_focal_crossentropy,
    kl_divergence,
    poisson,
)
from torchkeras.losses.regression import (
    CosineSimilarity,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    cosine_similarity,
    huber,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from torchkeras.losses.segmentation import Dice, Tversky, dice, tversky
from torchkeras.losses.sequence import CTC, ctc
from torchkeras.losses.similarity import Circle, circle
from torchkeras.losses.sparse import (
    CategoricalGeneralizedCrossEntropy,
    SparseCategoricalCrossentropy,
    categorical_generalized_cross_entropy,
    enable_label_checks,
    sparse_categorical_crossentropy,
)
from torchkeras.registry import LOSSES

# Keras' legacy short names, as attributes (the registry resolves them as strings too).
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence
logcosh = log_cosh


def serialize(loss):
    """Keras' config form: a function as `{"class_name": "function", "config": name, ...}`.

    Args:
        loss: `None`, a `Loss` instance or a loss function.
    """
    if loss is None:
        return None
    if hasattr(loss, "get_config"):
        return LOSSES.serialize(loss)
    return serialize_function(loss)


def deserialize(config, custom_objects=None):
    """The loss a config describes: a name, a function config or a class config.

    Classes are instantiated (`"MeanSquaredError"` gives an instance); functions are returned.

    Args:
        config: A registered name, or a dict from `serialize`.
        custom_objects: Optional `{name: class or function}` searched before the registry.
    """
    if isinstance(config, dict) and config.get("class_name") == "function":
        return deserialize_function(config, custom_objects)
    return LOSSES.get(config, custom_objects)


def get(identifier):
    """Resolves a loss as `keras.losses.get`: `None`, a name, a config, a class or a callable.

    Args:
        identifier: `None` (returned as is), a name (`"mse"`, `"CategoricalCrossentropy"`), a
            config dict, a `Loss` class (instantiated) or any callable (returned as is).
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret loss identifier: {identifier!r}. Expected None, a name, a config "
        "dict, a Loss class or instance, or a callable."
    )


__all__ = [
    "BinaryCrossentropy",
    "BinaryFocalCrossentropy",
    "CTC",
    "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy",
    "CategoricalGeneralizedCrossEntropy",
    "CategoricalHinge",
    "Circle",
    "CosineSimilarity",
    "Dice",
    "Hinge",
    "Huber",
    "KLD",
    "KLDivergence",
    "LogCosh",
    "Loss",
    "LossFunctionWrapper",
    "MAE",
    "MAPE",
    "MSE",
    "MSLE",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Poisson",
    "SparseCategoricalCrossentropy",
    "SquaredHinge",
    "Tversky",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_generalized_cross_entropy",
    "categorical_hinge",
    "circle",
    "cosine_similarity",
    "ctc",
    "deserialize",
    "dice",
    "enable_label_checks",
    "get",
    "hinge",
    "huber",
    "kl_divergence",
    "kld",
    "log_cosh",
    "logcosh",
    "mae",
    "mape",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "mse",
    "msle",
    "poisson",
    "reduce_weighted_values",
    "serialize",
    "sparse_categorical_crossentropy",
    "squared_hinge",
    "tversky",
]
