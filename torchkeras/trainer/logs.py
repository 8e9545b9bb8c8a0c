"""Logs handed to callbacks: tensors stay on the device until a callback reads a value."""

from collections.abc import MutableMapping

import torch


class LazyLogs(MutableMapping):
    """A mapping from log names to values computed on first read.

    Each source is a zero-argument function returning a scalar tensor (a metric's running
    result); reading a key computes it and makes it a Python float (a host sync on GPU).
    Keys nobody reads cost nothing, which keeps the training step free of host syncs.

    Args:
        sources: `{name: function}`; plain values are allowed and returned as they are.
    """

    def __init__(self, sources):
        self._sources = dict(sources)
        self._values = {}

    def __getitem__(self, key):
        if key not in self._values:
            value = self._sources[key]
            self._values[key] = to_python(value() if callable(value) else value)
        return self._values[key]

    def __setitem__(self, key, value):
        self._sources[key] = value
        self._values.pop(key, None)

    def __delitem__(self, key):
        del self._sources[key]
        self._values.pop(key, None)

    def __iter__(self):
        return iter(self._sources)

    def __len__(self):
        return len(self._sources)

    def __repr__(self):
        return repr(dict(self))


def to_python(value):
    """A scalar tensor or numpy number as a Python float; other values unchanged."""
    if isinstance(value, torch.Tensor):
        return value.detach().item() if value.numel() == 1 else value.detach().cpu().numpy()
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        return value.item()
    return value
