"""`keras.optimizers`: Keras' update rules on torch tensors, plus `get`/`serialize`/`deserialize`.

Names resolve case-insensitively through the closed `OPTIMIZERS` registry (`"adam"`, `"RMSprop"`),
configs are Keras' `{"module": "keras.optimizers", "class_name", "config", "registered_name"}`
dicts, and a `torch.optim.Optimizer` passes through `get` unchanged for the trainer to drive.
"""

import inspect

import torch

from torchkeras.optimizers import schedules
from torchkeras.optimizers.adadelta import Adadelta
from torchkeras.optimizers.adafactor import Adafactor
from torchkeras.optimizers.adagrad import Adagrad
from torchkeras.optimizers.adam import Adam
from torchkeras.optimizers.adamax import Adamax
from torchkeras.optimizers.adamw import AdamW
from torchkeras.optimizers.ftrl import Ftrl
from torchkeras.optimizers.lamb import Lamb
from torchkeras.optimizers.lion import Lion
from torchkeras.optimizers.loss_scale_optimizer import LossScaleOptimizer
from torchkeras.optimizers.multi_optimizer import MultiOptimizer, OptimizerMap
from torchkeras.optimizers.muon import Muon
from torchkeras.optimizers.nadam import Nadam
from torchkeras.optimizers.optimizer import Optimizer
from torchkeras.optimizers.rmsprop import RMSprop
from torchkeras.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from torchkeras.optimizers.sgd import SGD
from torchkeras.registry import OPTIMIZERS

__all__ = [
    "SGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Ftrl",
    "Lamb",
    "Lion",
    "LossScaleOptimizer",
    "MultiOptimizer",
    "Muon",
    "Nadam",
    "Optimizer",
    "OptimizerMap",
    "RMSprop",
    "ScheduleFreeAdamW",
    "deserialize",
    "get",
    "schedules",
    "serialize",
]


def serialize(optimizer):
    """Keras' config dict: `{"module", "class_name", "config", "registered_name"}`."""
    return OPTIMIZERS.serialize(optimizer)


def deserialize(config, custom_objects=None):
    """Builds an optimizer from `serialize`'s output; `class_name` ignores case, as in Keras."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"An optimizer config must be a dict with a 'class_name' key, got {config!r}."
        )
    cls = OPTIMIZERS.lookup(config["class_name"], custom_objects)
    return cls.from_config(config.get("config") or {}, custom_objects=custom_objects)


def get(identifier):
    """An optimizer from a name (`"adam"`, any case), a config dict or an instance.

    Instances, including `torch.optim.Optimizer`s, are returned as they are; `None` gives `None`.
    Unknown names raise `ValueError` naming the closest known ones.
    """
    if identifier is None or isinstance(identifier, (Optimizer, torch.optim.Optimizer)):
        return identifier
    if isinstance(identifier, str):
        return OPTIMIZERS.lookup(identifier)()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Optimizer):
        return identifier()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")
