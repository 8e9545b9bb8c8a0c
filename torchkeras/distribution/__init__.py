"""Data-parallel and sharded (FSDP) training on torch.distributed, with Keras'
`keras.distribution` names."""

from torchkeras.distribution.base import Distribution
from torchkeras.distribution.collectives import any_true
from torchkeras.distribution.data_parallel import (
    DataParallel,
    distribution,
    prepare_model,
    set_distribution,
    sharding_mode,
)
from torchkeras.distribution.device_mesh import DeviceMesh, LayoutMap, TensorLayout
from torchkeras.distribution.model_parallel import ModelParallel
from torchkeras.distribution.process_group import (
    get_device_count,
    initialize,
    is_chief,
    list_devices,
)
from torchkeras.distribution.results import gather_steps, global_metrics_result
from torchkeras.distribution.sharded_values import (
    assign,
    full_value,
    gathered,
    is_sharded,
    plain_type,
)

__all__ = [
    "DataParallel",
    "DeviceMesh",
    "Distribution",
    "LayoutMap",
    "ModelParallel",
    "TensorLayout",
    "any_true",
    "assign",
    "distribution",
    "full_value",
    "gather_steps",
    "gathered",
    "get_device_count",
    "global_metrics_result",
    "initialize",
    "is_chief",
    "is_sharded",
    "list_devices",
    "plain_type",
    "prepare_model",
    "set_distribution",
    "sharding_mode",
]
