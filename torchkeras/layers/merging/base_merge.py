"""Merge: the shared base of layers that combine a list of tensors (Add, Concatenate, Dot ...)."""

import functools

import torch

from torchkeras.layers import masking_support
from torchkeras.layers.layer import Layer


class Merge(Layer):
    """Base of the merge layers: called on a list of tensors, returns one tensor.

    Elementwise merges follow Keras' broadcasting: non-batch axes of size 1 broadcast, and an
    input of lower rank gets size-1 axes inserted right after the batch axis (not in front, as
    numpy would), so `(batch, 3)` merges with `(batch,)` as `(batch, 3)` with `(batch, 1)`.
    Batch sizes must be equal. Subclasses set `_binary_op` (combined left to right) or
    override `_merge_function`.

    Shapes: a list of `(batch, ...)` -> `(batch, ...)` (the broadcast shape).
    """

    supports_masking = True

    _binary_op = None

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # validates the list and the shapes

    def call(self, inputs):
        inputs = self._tensor_list(inputs)
        rank = max(x.ndim for x in inputs)
        inputs = [x if x.ndim == rank else _expand_after_batch(x, rank) for x in inputs]
        return self._merge_function(inputs)

    def _merge_function(self, inputs):
        """Combines same-rank inputs; by default folds `_binary_op` over them."""
        if self._binary_op is None:
            raise TypeError(
                f"{type(self).__name__} '{self.name}': `Merge` is a base class; use Add, "
                "Subtract, Multiply, Average, Maximum, Minimum, Concatenate or Dot."
            )
        return functools.reduce(self._binary_op, inputs)

    def compute_mask(self, inputs, mask=None):
        """Keras' rule: the or of the input masks, or None when an input has no mask."""
        return masking_support.or_masks(inputs, mask)

    def compute_output_shape(self, input_shape):
        shapes = self._shape_list(input_shape)
        output = shapes[0][1:]
        for shape in shapes[1:]:
            output = self._broadcast(output, shape[1:], shapes)
        batch = {s[0] for s in shapes} - {None}
        return (batch.pop() if len(batch) == 1 else None, *output)

    # ---- checks shared by every merge layer --------------------------------------------------
    def _describe(self):
        return f"{type(self).__name__} '{self.name}'"

    def _shape_list(self, input_shape):
        """The list of input shapes, or a ValueError when the layer got a single input."""
        is_list = isinstance(input_shape, (list, tuple)) and len(input_shape) > 0
        if not is_list or not all(isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError(
                f"{self._describe()}: a merge layer must be called on a list of inputs, "
                f"got a single input of shape {input_shape}."
            )
        return [tuple(s) for s in input_shape]

    def _tensor_list(self, inputs, same_batch=True):
        """The inputs as a list, checked to be a non-empty list (with one batch size)."""
        if not isinstance(inputs, (list, tuple)) or not inputs:
            shape = tuple(inputs.shape) if isinstance(inputs, torch.Tensor) else inputs
            raise ValueError(
                f"{self._describe()}: a merge layer must be called on a list of inputs, "
                f"got a single input of shape {shape}."
            )
        if same_batch and len({x.shape[0] for x in inputs}) > 1:
            raise ValueError(
                f"{self._describe()}: cannot merge tensors with different batch sizes, got "
                f"inputs of shapes {[tuple(x.shape) for x in inputs]}."
            )
        return list(inputs)

    def _broadcast(self, shape1, shape2, all_shapes):
        """Keras' elementwise output shape of two sample shapes (trailing axes aligned)."""
        if len(shape1) < len(shape2):
            shape1, shape2 = shape2, shape1
        if not shape2:
            return tuple(shape1)
        output = list(shape1[: len(shape1) - len(shape2)])
        for i, j in zip(shape1[len(shape1) - len(shape2) :], shape2):
            if i is None or j is None:
                output.append(None)
            elif i == 1 or j == 1:
                output.append(j if i == 1 else i)
            elif i != j:
                raise ValueError(
                    f"{self._describe()}: inputs have incompatible shapes {all_shapes}: sample "
                    f"shapes {tuple(shape1)} and {tuple(shape2)} do not broadcast."
                )
            else:
                output.append(i)
        return tuple(output)


def _expand_after_batch(x, rank):
    """`(batch, *rest)` -> `(batch, 1, ..., 1, *rest)` of the given rank (a view)."""
    return x[(slice(None), *[None] * (rank - x.ndim))]
