"""torchkeras: the Keras 3 API running natively on PyTorch. Use it as `import torchkeras as keras`."""

from torchkeras import (
    activations,
    backend,
    callbacks,
    config,
    constraints,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
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
from torchkeras.utils_namespace import complete_utils
from torchkeras.variables import Variable

complete_utils()

__version__ = "0.1.0"

__all__ = [
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
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "ops",
    "optimizers",
    "random",
    "regularizers",
    "saving",
    "utils",
]
