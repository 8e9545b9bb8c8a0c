"""Permute: reorders the non-batch axes, `inputs.permute(0, *dims)`."""

from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS


@LAYERS.register()
class Permute(Layer):
    """Permutes the axes of each sample; the result is a view (no copy).

    Args:
        dims: Permutation of the sample axes, numbered from 1 as in Keras (the batch axis is
            0 and stays first), e.g. `(2, 1)` swaps the two axes of a `(batch, a, b)` input.

    Shapes: `(batch, d1, ..., dn)` -> `(batch, d_dims[0], ..., d_dims[n-1])`.
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        try:
            dims = tuple(dims)
        except TypeError:
            dims = None
        if dims is None or sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(
                f"Permute '{self.name}': `dims` must be a permutation of 1..n (axes numbered "
                f"from 1, the batch axis excluded), got dims={dims!r}."
            )
        self.dims = dims

    def build(self, input_shape):
        if len(input_shape) != len(self.dims) + 1:
            raise ValueError(
                f"Permute '{self.name}': dims={self.dims} needs inputs of rank "
                f"{len(self.dims) + 1}, got an input of shape {input_shape}."
            )

    def call(self, inputs):
        return inputs.permute(0, *self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}
