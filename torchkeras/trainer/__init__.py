"""The training loop behind `Model.compile/fit/evaluate/predict`."""

from torchkeras.trainer.trainer import Trainer

__all__ = ["Trainer"]
