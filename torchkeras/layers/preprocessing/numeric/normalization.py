"""Normalization: `(inputs - mean) / sqrt(variance)` with given or adapted statistics."""

import numpy as np
import torch

from torchkeras import config
from torchkeras.layers.layer import Layer
from torchkeras.layers.preprocessing.numeric import moments
from torchkeras.registry import LAYERS


@LAYERS.register()
class Normalization(Layer):
    """Shifts and scales inputs to zero mean and unit variance along the kept `axis`.

    `outputs = (inputs - mean) / max(sqrt(variance), epsilon)` (`invert=True`:
    `mean + inputs * max(sqrt(variance), epsilon)`). The statistics are either given, or
    computed by `adapt(data)` and then held in the non-trainable weights `mean`, `variance`
    and `count` (Keras' three variables, so weights and `.keras` files match; `count` stays 0).

    Args:
        axis: The axis or axes that keep one mean and variance per index (`-1`: one per
            feature of the last axis); `None` normalizes with scalar statistics.
        mean, variance: Given statistics (both or neither), broadcast to the kept axes.
        invert: Undo the normalization instead (de-normalize outputs).

    Shapes: any shape -> the same shape.
    """

    supports_masking = True

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        self.axis = () if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
        self.input_mean, self.input_variance = mean, variance
        self.invert = invert
        if (mean is None) != (variance is None):
            raise ValueError(
                f"Normalization '{self.name}': `mean` and `variance` must be given together, "
                f"got mean={mean!r} and variance={variance!r}."
            )
        if mean is not None and np.shape(mean) != np.shape(variance):
            raise ValueError(
                f"Normalization '{self.name}': `mean` and `variance` must have the same shape, "
                f"got shapes {np.shape(mean)} and {np.shape(variance)}."
            )
        if mean is not None and np.ndim(mean) > len(self.axis):
            raise ValueError(
                f"Normalization '{self.name}': `mean` may have at most one axis per kept axis "
                f"(axis={self.axis}), got mean of shape {np.shape(mean)}."
            )

    def build(self, input_shape):
        ndim = len(input_shape)
        if any(not -ndim <= a < ndim for a in self.axis):
            raise ValueError(
                f"Normalization '{self.name}': every `axis` must be in [-{ndim}, {ndim}) for "
                f"inputs of shape {tuple(input_shape)}, got axis={self.axis}."
            )
        self._keep_axes = tuple(sorted(a % ndim for a in self.axis))
        if any(input_shape[a] is None for a in self._keep_axes):
            raise ValueError(
                f"Normalization '{self.name}': the kept axes {self._keep_axes} must have known "
                f"sizes, got inputs of shape {tuple(input_shape)}."
            )
        self._input_shape = tuple(input_shape)
        self._reduce_axes = tuple(d for d in range(ndim) if d not in self._keep_axes)
        self._broadcast_shape = [input_shape[d] if d in self._keep_axes else 1 for d in range(ndim)]
        stats_shape = tuple(input_shape[d] for d in self._keep_axes)
        if self.input_mean is None:
            self.mean = self.add_weight(
                name="mean", shape=stats_shape, initializer="zeros", trainable=False
            )
            self.variance = self.add_weight(
                name="variance", shape=stats_shape, initializer="ones", trainable=False
            )
            self.count = self.add_weight(
                name="count", shape=(), dtype="int32", initializer="zeros", trainable=False
            )
            return
        for name, value in (("mean", self.input_mean), ("variance", self.input_variance)):
            self.register_buffer(name, self._given_statistic(value, ndim), persistent=False)

    def _given_statistic(self, value, ndim):
        """A given mean or variance broadcast to the kept axes (aligned from the right)."""
        value = torch.as_tensor(np.asarray(value), dtype=torch.float64)
        shape = [1] * ndim
        for i in range(1, value.ndim + 1):
            shape[self._keep_axes[-i]] = value.shape[-i]
        value = value.reshape(shape).broadcast_to(self._broadcast_shape)
        dtype = config.standardize_dtype(self.dtype)
        return value.to(device=self.weight_device(), dtype=dtype)

    def adapt(self, data):
        """Computes the mean and variance of `data` over the non-kept axes into the weights.

        Args:
            data: A numpy array, a tensor, or an iterable of batches (a torch `DataLoader`, a
                list of arrays, a generator); `(x, y)` batches use `x`. Iterables must be
                batched: each element is taken as a batch, as in Keras.
        """
        shape, data = moments.peek_shape(data, self.name)
        if not self.built:
            self.build(shape)
        elif self.input_mean is not None:
            raise ValueError(
                f"Normalization '{self.name}': a layer given `mean` and `variance` cannot be "
                f"adapted."
            )
        self._check_kept_sizes(shape)
        dtype = config.standardize_dtype(self.dtype)
        mean, variance = moments.moments(
            data, self._reduce_axes, dtype, lambda x: self._check_kept_sizes(x.shape)
        )
        with torch.no_grad():
            self.mean.copy_(mean.reshape(self.mean.shape))
            self.variance.copy_(variance.reshape(self.variance.shape))

    def _check_kept_sizes(self, shape):
        if len(shape) != len(self._input_shape) or any(
            shape[d] != self._input_shape[d] for d in self._keep_axes
        ):
            raise ValueError(
                f"Normalization '{self.name}': the layer was built for inputs of shape "
                f"{self._input_shape} (kept axes {self._keep_axes}), but adapt() received "
                f"data of shape {tuple(shape)}."
            )

    def call(self, inputs):
        dtype = config.standardize_dtype(self.dtype)
        inputs = inputs.to(dtype)
        mean = self.mean.reshape(self._broadcast_shape).to(dtype)
        variance = self.variance.reshape(self._broadcast_shape).to(dtype)
        scale = torch.clamp_min(torch.sqrt(variance), config.epsilon())
        if self.invert:
            return mean + inputs * scale
        return (inputs - mean) / scale

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "invert": self.invert,
            "mean": np.array(self.input_mean).tolist(),
            "variance": np.array(self.input_variance).tolist(),
        }
