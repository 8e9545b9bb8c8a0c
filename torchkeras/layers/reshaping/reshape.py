"""Reshape: gives each sample a new shape, `inputs.reshape(batch, *target_shape)`."""

import math

from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS


@LAYERS.register()
class Reshape(Layer):
    """Reshapes each sample to `target_shape`; the batch axis is kept.

    Args:
        target_shape: Shape of one sample (without the batch axis), positive ints; one entry
            may be -1, inferred from the sample size.

    Shapes: `(batch, ...)` -> `(batch, *target_shape)`.
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        try:
            target_shape = tuple(target_shape)
        except TypeError:
            target_shape = None
        if target_shape is None or not all(
            isinstance(d, int) and not isinstance(d, bool) and (d > 0 or d == -1)
            for d in target_shape
        ):
            raise ValueError(
                f"Reshape '{self.name}': `target_shape` must be a tuple of positive ints "
                f"(one of them may be -1), got target_shape={target_shape!r}."
            )
        if target_shape.count(-1) > 1:
            raise ValueError(
                f"Reshape '{self.name}': `target_shape` may contain at most one -1, "
                f"got target_shape={target_shape!r}."
            )
        self.target_shape = target_shape

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # validates the sizes when they are known

    def call(self, inputs):
        target = self.compute_output_shape(tuple(inputs.shape))[1:]  # -1 resolved (batch 0 ok)
        return inputs.reshape(inputs.shape[0], *target)

    def compute_output_shape(self, input_shape):
        sample = input_shape[1:]
        if None in sample:
            return (input_shape[0], *(None if d == -1 else d for d in self.target_shape))
        size, known = math.prod(sample), math.prod([d for d in self.target_shape if d != -1])
        inferred, remainder = divmod(size, known)
        if remainder or (-1 not in self.target_shape and inferred != 1):
            raise ValueError(
                f"Reshape '{self.name}': cannot reshape samples of shape {tuple(sample)} "
                f"({size} values) to target_shape={self.target_shape}."
            )
        return (input_shape[0], *(inferred if d == -1 else d for d in self.target_shape))

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}
