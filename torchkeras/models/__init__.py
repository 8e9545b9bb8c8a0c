"""`keras.models`: the Model classes."""

from torchkeras.models.cloning import clone_model
from torchkeras.models.model import Model
from torchkeras.models.sequential import Sequential
from torchkeras.saving import load_model, model_from_json, save_model

__all__ = ["Model", "Sequential", "clone_model", "load_model", "model_from_json", "save_model"]
