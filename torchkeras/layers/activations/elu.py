"""ELU: `x` for `x > 0`, `alpha * (exp(x) - 1)` otherwise."""

import torch.nn.functional as F

from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS


@LAYERS.register()
class ELU(Layer):
    """Exponential linear unit, on `torch.nn.functional.elu`.

    Args:
        alpha: Scale of the negative part.

    Shapes: any shape -> the same shape.
    """

    supports_masking = True

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)):
            raise ValueError(f"ELU '{self.name}': `alpha` must be a float, got alpha={alpha!r}.")
        self.alpha = alpha

    def call(self, inputs):
        x = inputs if inputs.is_floating_point() else inputs.float()
        return F.elu(x, alpha=self.alpha)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}
