"""`keras.models`: the Model classes."""

from torchkeras.models.model import Model
from torchkeras.models.sequential import Sequential

__all__ = ["Model", "Sequential"]
