"""Concatenate: joins a list of tensors along one axis, `torch.cat(inputs, axis)`."""

import torch

from torchkeras.layers import masking_support
from torchkeras.layers.merging.base_merge import Merge
from torchkeras.registry import LAYERS


@LAYERS.register()
class Concatenate(Merge):
    """Concatenates its inputs along `axis`; all other axes must have equal sizes.

    Args:
        axis: Axis to concatenate along (an int, negative counts from the end).

    Shapes: `[(batch, ..., d1, ...), (batch, ..., d2, ...)]` -> `(batch, ..., d1 + d2, ...)`.
    """

    supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise ValueError(f"{self._describe()}: `axis` must be an int, got axis={axis!r}.")
        self.axis = axis

    def build(self, input_shape):
        shapes = self._shape_list(input_shape)
        if len({len(s) for s in shapes}) != 1:
            raise ValueError(
                f"{self._describe()}: inputs must all have the same rank, got shapes {shapes}."
            )
        rank = len(shapes[0])
        if not -rank <= self.axis < rank:
            raise ValueError(
                f"{self._describe()}: axis={self.axis} is out of range for inputs of rank "
                f"{rank} (shapes {shapes})."
            )
        axis = self.axis % rank
        for i in range(rank):
            if i != axis and len({s[i] for s in shapes} - {None}) > 1:
                raise ValueError(
                    f"{self._describe()}: inputs must have matching shapes except along the "
                    f"concatenation axis {self.axis}, got shapes {shapes}."
                )

    def call(self, inputs):
        inputs = self._tensor_list(inputs, same_batch=False)  # torch.cat checks the sizes
        return torch.cat(inputs, dim=self.axis)

    def compute_mask(self, inputs, mask=None):
        """The masks concatenated like the inputs (unmasked inputs count as all True), then
        reduced with `any` over the last axis, as Keras does."""
        return masking_support.concatenated_mask(inputs, mask, self.axis)

    def compute_output_shape(self, input_shape):
        shapes = self._shape_list(input_shape)
        output = list(shapes[0])
        sizes = [s[self.axis] for s in shapes]
        output[self.axis] = None if None in sizes else sum(sizes)
        return tuple(output)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of `Concatenate`: builds the layer and calls it on `inputs`.

    Args:
        inputs: List of tensors (or KerasTensors) to concatenate.
        axis: Axis to concatenate along.
        **kwargs: Standard layer arguments (`name`, `dtype` ...).

    Returns:
        The concatenated tensor.
    """
    return Concatenate(axis=axis, **kwargs)(inputs)
