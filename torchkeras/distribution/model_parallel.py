"""ModelParallel: Keras' sharded-weights distribution, on torch's FSDP2 (`fully_shard`).

Keras' JAX backend lays each weight out over a device mesh as the `LayoutMap` says and
runs one program over all devices (tensor parallelism). torch runs one process per device
instead, and this class maps the same API onto fully sharded data parallelism:

- Every process trains on its own shard of every global batch (as under `DataParallel`),
  also the processes that differ only along the mesh's model axis.
- Every trainable weight is cut across the processes, so each one holds only its slice
  of the weights, of their gradients and of the optimizer state (Adam's moments). A
  weight whose path matches a layout is cut along the first dimension the layout names a
  mesh axis for (`(None, "model")` cuts a Dense kernel's columns); the other weights are
  cut along their first dimension (FSDP cannot keep a weight whole on every process).
- A layer owning a weight matched by a layout with a named axis is its own FSDP unit: its
  weights are gathered just before its forward and backward pass and freed right after.
  The model is the root unit holding the remaining weights.
- A 1-D mesh cuts over all processes. A 2-D mesh `(batch, model)` is FSDP's hybrid mode:
  weights are cut over the processes along the model axis and replicated along the
  batch axis. Buffers (BatchNormalization's statistics) are never cut.
"""

import math

import torch
from torch.distributed.device_mesh import DeviceMesh as TorchDeviceMesh

from torchkeras.distribution import process_group
from torchkeras.distribution.base import Distribution
from torchkeras.distribution.device_mesh import LayoutMap


class ModelParallel(Distribution):
    """Sharded weights and optimizer state over the processes of a torch.distributed group.

    See the module docstring for what the layout map means on torch. The model must be
    built (an `Input`, or `model.build(shape)`) before `fit`, and is sharded as `fit`,
    `evaluate` or `predict` first runs under this distribution.

    Args:
        layout_map: A `LayoutMap` whose mesh has one position per process; at least one of
            its keys must match a weight of the model.
        batch_dim_name: The mesh axis data is split along (default: the first); with a 2-D
            mesh, weights are replicated along it and cut along the other axis.
        auto_shard_dataset: Whether each process takes its shard of every global batch
            (True) or gets its own data already (False).
    """

    def __init__(self, *, layout_map=None, batch_dim_name=None, auto_shard_dataset=True,
                 **kwargs):
        kwargs.pop("device_mesh", None)  # Keras accepts and ignores it too
        if kwargs:
            raise ValueError(f"ModelParallel: unexpected arguments {sorted(kwargs)}.")
        if not isinstance(layout_map, LayoutMap):
            raise ValueError(
                "ModelParallel: `layout_map` must be a LayoutMap, got "
                f"layout_map={layout_map!r}."
            )
        mesh = layout_map.device_mesh
        batch_dim_name = batch_dim_name or mesh.axis_names[0]
        _check_mesh(mesh, batch_dim_name)
        super().__init__(mesh.devices.reshape(-1).tolist(), auto_shard_dataset)
        self._layout_map = layout_map
        self._batch_dim_name = batch_dim_name
        self._torch_mesh = None

    @property
    def device_mesh(self):
        """The `DeviceMesh` of the layout map."""
        return self._layout_map.device_mesh

    @property
    def layout_map(self):
        """The `LayoutMap` deciding how weights are cut."""
        return self._layout_map

    @property
    def batch_dim_name(self):
        """The mesh axis the data is split along."""
        return self._batch_dim_name

    @property
    def device(self):
        """The device this process trains on: `cuda:<LOCAL_RANK>`, or `cpu:0`."""
        if self._devices[0].startswith("cuda"):
            return f"cuda:{process_group.local_rank()}"
        return "cpu:0"

    @property
    def num_model_replicas(self):
        """Size of the mesh's batch axis, as Keras counts it."""
        mesh = self.device_mesh
        return mesh.shape[mesh.axis_names.index(self._batch_dim_name)]

    @property
    def shard_axis(self):
        """The mesh axis weights are cut along: the model axis of a 2-D mesh, else the only one."""
        names = self.device_mesh.axis_names
        return names[0] if len(names) == 1 else next(n for n in names if n != self._batch_dim_name)

    def get_tensor_layout(self, path):
        """The `TensorLayout` for weight path `path`, or None."""
        return self._layout_map[path]

    def torch_mesh(self):
        """The `torch.distributed` mesh FSDP shards over: 1-D, or 2-D `(replicate, shard)`."""
        if self._torch_mesh is None:
            mesh = self.device_mesh
            ranks = torch.arange(math.prod(mesh.shape)).reshape(mesh.shape)
            names = (self._batch_dim_name, self.shard_axis)
            if len(mesh.shape) == 2:
                order = [mesh.axis_names.index(name) for name in names]
                ranks = ranks.permute(*order)
            else:
                names = names[1:]
            device_type = process_group.communication_device().type
            self._torch_mesh = TorchDeviceMesh(device_type, ranks, mesh_dim_names=names)
        return self._torch_mesh

    def __repr__(self):
        return (
            f"<ModelParallel mesh={self.device_mesh} batch_dim_name={self._batch_dim_name!r} "
            f"rank={self.data_shard_id} of {self.num_processes}>"
        )


def _check_mesh(mesh, batch_dim_name):
    """The mesh must name `batch_dim_name`, have 1 or 2 axes and one position per process."""
    if batch_dim_name not in mesh.axis_names:
        raise ValueError(
            f"ModelParallel: `batch_dim_name` {batch_dim_name!r} is not an axis of the mesh "
            f"{mesh}; choose one of {list(mesh.axis_names)}."
        )
    if len(mesh.shape) > 2:
        raise ValueError(
            "ModelParallel: on torch the `layout_map`'s device_mesh must have 1 axis (FSDP) or "
            f"2 axes (batch, model: hybrid FSDP), got shape={mesh.shape}."
        )
    if process_group.launched_distributed():
        process_group.initialize()
    world = process_group.world_size()
    if math.prod(mesh.shape) != world:
        raise ValueError(
            f"ModelParallel: the `layout_map`'s device_mesh has shape {mesh.shape} "
            f"({math.prod(mesh.shape)} positions), but {world} process(es) train together; "
            "on torch the mesh needs one position per process (WORLD_SIZE)."
        )
