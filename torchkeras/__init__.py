"""torchkeras: the Keras 3 API running natively on PyTorch. Use it as `import torchkeras as keras`."""

from torchkeras import (
    activations,
    backend,
    config,
    constraints,
    initializers,
    layers,
    models,
    regularizers,
    utils,
)
from torchkeras.layers import Input, InputLayer, Layer
from torchkeras.layers.symbolic import KerasTensor
from torchkeras.models import Model, Sequential

__version__ = "0.1.0"

__all__ = [
    "Input",
    "InputLayer",
    "KerasTensor",
    "Layer",
    "Model",
    "Sequential",
    "activations",
    "backend",
    "config",
    "constraints",
    "initializers",
    "layers",
    "models",
    "regularizers",
    "utils",
]
