"""PReLU: `x` for `x >= 0`, `alpha * x` otherwise, with a learned `alpha` per input unit."""

import torch

from torchkeras import constraints, initializers, regularizers
from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS


@LAYERS.register()
class PReLU(Layer):
    """Parametric ReLU: `relu(x) - alpha * relu(-x)`, as Keras computes it.

    `alpha` has the input's shape without the batch axis, with size 1 along `shared_axes`
    (torch's `nn.PReLU` has one slope per channel on axis 1 instead).

    Args:
        alpha_initializer: Initializer of `alpha` (Keras' default zeros).
        alpha_regularizer: Regularizer of `alpha`.
        alpha_constraint: Constraint of `alpha`.
        shared_axes: Axes (1-based, batch excluded) along which `alpha` is shared, e.g. `[1, 2]`
            for one slope per channel of an image.

    Shapes: any shape -> the same shape.
    """

    supports_masking = True

    def __init__(
        self,
        alpha_initializer="Zeros",
        alpha_regularizer=None,
        alpha_constraint=None,
        shared_axes=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]

    def build(self, input_shape):
        param_shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            if not 1 <= axis < len(input_shape):
                raise ValueError(
                    f"PReLU '{self.name}': `shared_axes` entries must lie in [1, "
                    f"{len(input_shape) - 1}] for input shape {input_shape}, got "
                    f"shared_axes={self.shared_axes}."
                )
            param_shape[axis - 1] = 1
        self.alpha = self.add_weight(
            name="alpha",
            shape=param_shape,
            initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
        )

    def call(self, inputs):
        return torch.relu(inputs) - self.alpha * torch.relu(-inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        }
