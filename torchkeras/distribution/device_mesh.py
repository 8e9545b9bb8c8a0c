"""DeviceMesh, TensorLayout and LayoutMap: Keras' names for how weights are laid out.

On torch one process drives each device, so a mesh position is a process (its rank): a
`DeviceMesh` of shape `(4,)` describes 4 processes, `(2, 4)` 8 of them. The mesh turns
into a `torch.distributed.device_mesh.DeviceMesh` when `ModelParallel` shards a model.
"""

import collections.abc
import math
import re

import numpy as np
import torch

from torchkeras.distribution import process_group


class DeviceMesh:
    """A grid of the processes (one per device) training together, with named axes.

    Args:
        shape: The grid's shape, e.g. `(8,)` or `(2, 4)`; its positions must match the
            devices (by default the number of processes).
        axis_names: One name per axis, e.g. `("batch", "model")`.
        devices: Device names in rank order; None means one per process (`"cuda:<rank>"`,
            or `"cpu:<rank>"` for CPU processes), joining the process group if launched.
    """

    def __init__(self, shape, axis_names, devices=None):
        if not shape or not axis_names:
            raise ValueError(
                "DeviceMesh: `shape` and `axis_names` cannot be empty, got "
                f"shape={shape}, axis_names={axis_names}."
            )
        if len(shape) != len(axis_names):
            raise ValueError(
                "DeviceMesh: `shape` and `axis_names` must have the same length, got "
                f"shape={shape}, axis_names={axis_names}."
            )
        if devices is None:
            devices = process_devices()
        devices = np.array(devices)
        if math.prod(shape) != devices.size:
            raise ValueError(
                f"DeviceMesh: `shape` {tuple(shape)} has {math.prod(shape)} positions, but there "
                f"are {devices.size} devices (one per process); got devices={devices.tolist()}."
            )
        self._shape = tuple(shape)
        self._axis_names = tuple(axis_names)
        self._devices = devices.reshape(self._shape)

    @property
    def shape(self):
        """The grid's shape."""
        return self._shape

    @property
    def axis_names(self):
        """The axes' names."""
        return self._axis_names

    @property
    def devices(self):
        """Device names as a numpy array of the mesh's shape."""
        return self._devices

    def __repr__(self):
        return f"<DeviceMesh shape={self.shape}, axis_names={self.axis_names}>"


def process_devices():
    """One device name per process, in rank order: `cuda:<rank>` or `cpu:<rank>`."""
    if process_group.launched_distributed():
        process_group.initialize()
    kind = "cuda" if torch.cuda.is_available() else "cpu"
    return [f"{kind}:{index}" for index in range(process_group.world_size())]


class TensorLayout:
    """How a weight is cut: one mesh axis name (or None: not cut) per tensor dimension.

    Args:
        axes: Mesh axis names or None, one per dimension of the weights it applies to.
        device_mesh: The `DeviceMesh`; a `LayoutMap` fills it in when None.
    """

    def __init__(self, axes, device_mesh=None):
        self._axes = tuple(axes)
        self._device_mesh = device_mesh
        self._validate_axes()

    @property
    def axes(self):
        """The axis name (or None) of each dimension."""
        return self._axes

    @property
    def device_mesh(self):
        """The mesh the axes refer to (may be None until set)."""
        return self._device_mesh

    @device_mesh.setter
    def device_mesh(self, device_mesh):
        if self._device_mesh is not None:
            raise ValueError(
                f"TensorLayout: cannot override `device_mesh`; it is already {self._device_mesh}."
            )
        self._device_mesh = device_mesh
        self._validate_axes()

    def _validate_axes(self):
        if self._device_mesh is None:
            return
        unknown = set(self._axes) - {None} - set(self._device_mesh.axis_names)
        if unknown:
            raise ValueError(
                f"TensorLayout: `axes` {self._axes} name {sorted(unknown)}, which are not axes "
                f"of the mesh; valid names: {list(self._device_mesh.axis_names)}."
            )

    def __repr__(self):
        return f"<TensorLayout axes={self.axes}, device_mesh={self.device_mesh}>"


class LayoutMap(collections.abc.MutableMapping):
    """Weight paths (regular expressions) -> `TensorLayout`s.

    A lookup tries the exact key first, then every key as a regex that must match the
    whole path (`re.fullmatch`); two matching keys are an error. Paths are Keras'
    `variable.path`: `"sequential/dense/kernel"`. A tuple or list value is a shortcut for
    `TensorLayout(value)`.

    Args:
        device_mesh: The `DeviceMesh` the layouts refer to.
    """

    def __init__(self, device_mesh):
        self._layouts = collections.OrderedDict()
        self._device_mesh = device_mesh

    def __getitem__(self, key):
        """The layout for path `key`, or None when no key matches it."""
        if key in self._layouts:
            return self._layouts[key]
        matching = [pattern for pattern in self._layouts if re.fullmatch(pattern, key)]
        if len(matching) > 1:
            raise ValueError(
                f"LayoutMap: path '{key}' matches several keys: {matching}. Each weight path "
                "may match at most one key."
            )
        return self._layouts[matching[0]] if matching else None

    def __setitem__(self, key, layout):
        if key in self._layouts:
            raise ValueError(
                f"LayoutMap: key {key!r} is already set to {self._layouts[key]}; keys must be "
                "unique."
            )
        if isinstance(layout, (tuple, list)):
            layout = TensorLayout(axes=layout)
        if not isinstance(layout, TensorLayout):
            raise ValueError(
                f"LayoutMap: the value for {key!r} must be a TensorLayout or a tuple of axis "
                f"names, got {type(layout).__name__}: {layout!r}."
            )
        if layout.device_mesh is None and self._device_mesh is not None:
            layout.device_mesh = self._device_mesh
        self._layouts[key] = layout

    def __delitem__(self, key):
        del self._layouts[key]

    def __len__(self):
        return len(self._layouts)

    def __iter__(self):
        return iter(self._layouts)

    @property
    def device_mesh(self):
        """The mesh of the layouts."""
        return self._device_mesh
