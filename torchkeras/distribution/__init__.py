"""Data-parallel training on torch.distributed, with Keras' `keras.distribution` names."""

from torchkeras.distribution.collectives import any_true
from torchkeras.distribution.data_parallel import (
    DataParallel,
    distribution,
    prepare_model,
    set_distribution,
    sharding_mode,
)
from torchkeras.distribution.process_group import (
    get_device_count,
    initialize,
    is_chief,
    list_devices,
)
from torchkeras.distribution.results import gather_steps, global_metrics_result

__all__ = [
    "DataParallel",
    "any_true",
    "distribution",
    "gather_steps",
    "get_device_count",
    "global_metrics_result",
    "initialize",
    "is_chief",
    "list_devices",
    "prepare_model",
    "set_distribution",
    "sharding_mode",
]
