"""torchkeras: the Keras 3 API running natively on PyTorch. Use it as `import torchkeras as keras`."""

from torchkeras import (
    activations,
    backend,
    callbacks,
    config,
    constraints,
    datasets,
    distribution,
    initializers,
    layers,
    losses,
    metrics,
    mixed_precision,
    models,
    ops,
    optimizers,
    random,
    regularizers,
    saving,
    utils,
)
from torchkeras.config import device
from torchkeras.gradient_tape import GradientTape
from torchkeras.layers import Input, InputLayer, Layer
from torchkeras.layers.symbolic import KerasTensor
from torchkeras.models import Model, Sequential
from torchkeras.mixed_precision import DTypePolicy, FloatDTypePolicy
from torchkeras.namespaces import complete
from torchkeras.variables import Variable

complete()
dtype_policies = mixed_precision  # keras.dtype_policies: DTypePolicy, get, serialize, ...

__version__ = "0.1.0"

__all__ = [
    "DTypePolicy",
    "FloatDTypePolicy",
    "GradientTape",
    "Input",
    "InputLayer",
    "KerasTensor",
    "Layer",
    "Model",
    "Sequential",
    "Variable",
    "activations",
    "backend",
    "callbacks",
    "config",
    "constraints",
    "datasets",
    "device",
    "distribution",
    "dtype_policies",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "mixed_precision",
    "models",
    "ops",
    "optimizers",
    "random",
    "regularizers",
    "saving",
    "utils",
]
