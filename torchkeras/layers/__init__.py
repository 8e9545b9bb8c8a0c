"""`keras.layers`: the Layer base class and every built-in layer."""

from torchkeras.layers.core import (
    Activation,
    Dense,
    Embedding,
    Identity,
    Lambda,
    TorchModuleWrapper,
)
from torchkeras.layers.core.input_layer import Input, InputLayer
from torchkeras.layers.layer import Layer
from torchkeras.layers.merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
from torchkeras.layers.regularization import Dropout
from torchkeras.layers.reshaping import Flatten, Permute, RepeatVector, Reshape

__all__ = [
    "Activation",
    "Add",
    "Average",
    "Concatenate",
    "Dense",
    "Dot",
    "Dropout",
    "Embedding",
    "Flatten",
    "Identity",
    "Input",
    "InputLayer",
    "Lambda",
    "Layer",
    "Maximum",
    "Minimum",
    "Multiply",
    "Permute",
    "RepeatVector",
    "Reshape",
    "Subtract",
    "TorchModuleWrapper",
    "add",
    "average",
    "concatenate",
    "dot",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
]
