"""RepeatVector: repeats a vector `n` times along a new axis 1."""

from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS


@LAYERS.register()
class RepeatVector(Layer):
    """Repeats each input vector `n` times, e.g. to feed an encoding to every decoder step.

    Args:
        n: Number of repetitions; a positive int.

    Shapes: `(batch, features)` -> `(batch, n, features)`.
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
            raise ValueError(
                f"RepeatVector '{self.name}': `n` must be a positive int, got n={n!r}."
            )
        self.n = n

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(
                f"RepeatVector '{self.name}': expects inputs of rank 2 (batch, features), "
                f"got an input of shape {input_shape}."
            )

    def call(self, inputs):
        return inputs.unsqueeze(1).repeat(1, self.n, 1)  # (batch, n, features)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        return {**super().get_config(), "n": self.n}
