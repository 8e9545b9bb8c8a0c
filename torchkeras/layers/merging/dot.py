"""Dot: the per-sample dot product of two tensors along given axes (Keras' `batch_dot`)."""

import math

import torch

from torchkeras import config
from torchkeras.layers.merging.base_merge import Merge
from torchkeras.registry import LAYERS


@LAYERS.register()
class Dot(Merge):
    """Contracts axis `axes[0]` of the first input with axis `axes[1]` of the second, per sample.

    The output keeps the first input's other axes, then the second input's other non-batch
    axes; a result with only the batch axis left gets a trailing axis of size 1, as in Keras.

    Args:
        axes: One int (the same axis of both inputs) or a pair of ints; axis 0 (the batch
            axis) cannot be contracted. Negative axes count from the end.
        normalize: Whether to L2-normalize both inputs along the contracted axes first, which
            makes the output the cosine similarity.

    Shapes: `[(batch, 3, 5), (batch, 10, 3)]` with `axes=(1, 2)` -> `(batch, 5, 10)`;
        `[(batch, n), (batch, n)]` with `axes=1` -> `(batch, 1)`.
    """

    supports_masking = True

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        pair = isinstance(axes, (list, tuple)) and len(axes) == 2
        if not all(_is_int(a) for a in (axes if pair else [axes])):
            raise ValueError(
                f"{self._describe()}: `axes` must be an int or a pair of ints, got axes={axes!r}."
            )
        self.axes = axes
        self.normalize = bool(normalize)

    def _axes_for(self, shapes):
        """The two contracted axes as non-negative ints, checked against the input shapes."""
        if len(shapes) != 2:
            raise ValueError(
                f"{self._describe()}: a Dot layer must be called on exactly 2 inputs, "
                f"got {len(shapes)} inputs of shapes {shapes}."
            )
        axes = [self.axes] * 2 if _is_int(self.axes) else list(self.axes)
        for i, shape in enumerate(shapes):
            if len(shape) < 2 or not -len(shape) < axes[i] < len(shape) or axes[i] == 0:
                raise ValueError(
                    f"{self._describe()}: axes={self.axes} must name a non-batch axis of each "
                    f"input (rank >= 2), got input shapes {shapes}."
                )
            axes[i] %= len(shape)
        size1, size2 = shapes[0][axes[0]], shapes[1][axes[1]]
        if size1 is not None and size2 is not None and size1 != size2:
            raise ValueError(
                f"{self._describe()}: incompatible input shapes {shapes}: axis {axes[0]} of the "
                f"first has size {size1}, axis {axes[1]} of the second has size {size2}."
            )
        return axes

    def build(self, input_shape):
        self._axes_for(self._shape_list(input_shape))

    def call(self, inputs):
        inputs = self._tensor_list(inputs)
        axes = self._axes_for([tuple(t.shape) for t in inputs])  # also checks there are 2
        x, y = inputs
        if self.normalize:
            x, y = _l2_normalize(x, axes[0]), _l2_normalize(y, axes[1])
        return _batch_dot(x, y, axes)

    def compute_mask(self, inputs, mask=None):
        """Dot products have no output mask (Keras)."""
        return None

    def compute_output_shape(self, input_shape):
        shapes = self._shape_list(input_shape)
        axes = self._axes_for(shapes)
        first = [d for i, d in enumerate(shapes[0]) if i != axes[0]]
        second = [d for i, d in enumerate(shapes[1]) if i not in (0, axes[1])]
        output = first + second
        return tuple(output if len(output) > 1 else output + [1])

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _l2_normalize(x, axis):
    """Keras' `normalize`: `x * min(rsqrt(sum(x**2)), 1 / epsilon)` along `axis`."""
    inv_norm = torch.rsqrt(x.square().sum(dim=axis, keepdim=True))
    return x * torch.clamp(inv_norm, max=1.0 / config.epsilon())


def _batch_dot(x, y, axes):
    """Per-sample tensordot of `x` and `y` over `x.shape[axes[0]]` and `y.shape[axes[1]]`."""
    x = x.movedim(axes[0], -1)  # (batch, *x_rest, k)
    y = y.movedim(axes[1], 1)  # (batch, k, *y_rest)
    batch, x_rest, y_rest, k = x.shape[0], x.shape[1:-1], y.shape[2:], x.shape[-1]
    out = torch.bmm(
        x.reshape(batch, math.prod(x_rest), k), y.reshape(batch, k, math.prod(y_rest))
    )  # (batch, prod(x_rest), prod(y_rest))
    out = out.reshape(batch, *x_rest, *y_rest)
    return out if out.ndim > 1 else out.unsqueeze(1)


def dot(inputs, axes=-1, **kwargs):
    """Functional form of `Dot`: builds the layer and calls it on `inputs`.

    Args:
        inputs: List of two tensors (or KerasTensors).
        axes: Axis or pair of axes to contract (Keras' default here is -1).
        **kwargs: `normalize` and the standard layer arguments (`name`, `dtype` ...).

    Returns:
        The per-sample dot product.
    """
    return Dot(axes=axes, **kwargs)(inputs)
