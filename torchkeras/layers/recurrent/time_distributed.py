"""TimeDistributed: applies a layer to every time step of a sequence, with shared weights."""

import torch

from torchkeras.layers.core.wrapper import Wrapper
from torchkeras.registry import LAYERS


@LAYERS.register()
class TimeDistributed(Wrapper):
    """Applies `layer` to each slice `inputs[:, t]` and stacks the results on axis 1.

    As in Keras, the layer's `call` runs once per time step (so a layer with batch statistics,
    such as BatchNormalization in training, sees one step's batch at a time) and its weights are
    shared across steps. A `mask` of shape `(batch, time, ...)` is sliced per step for layers
    whose `call` takes one, and passed through unchanged as the output mask.

    Args:
        layer: The layer to apply at each step.

    Shapes: `(batch, time, *step_shape)` -> `(batch, time, *layer_output_shape)`.
    """

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _step_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
            raise ValueError(
                f"TimeDistributed '{self.name}': inputs must have at least 3 dimensions "
                f"(batch, time, ...), got shape {input_shape}."
            )
        return (input_shape[0], *input_shape[2:])

    def build(self, input_shape):
        super().build(self._step_shape(input_shape))

    def call(self, inputs, training=None, mask=None):
        self._step_shape(tuple(inputs.shape))
        if mask is not None and tuple(mask.shape[:2]) != tuple(inputs.shape[:2]):
            raise ValueError(
                f"TimeDistributed '{self.name}': the mask's first two dimensions (batch, time) "
                f"must match the input's {tuple(inputs.shape[:2])}, got mask shape "
                f"{tuple(mask.shape)}."
            )
        kwargs = {}
        if self.layer._call_takes_training:
            kwargs["training"] = bool(training)
        steps = []
        for t in range(inputs.shape[1]):
            if mask is not None and self.layer._call_takes_mask:
                kwargs["mask"] = mask[:, t]
            steps.append(self.layer.call(inputs[:, t], **kwargs))
        return torch.stack(steps, dim=1)

    def compute_mask(self, inputs, mask=None):
        """The input mask, unchanged."""
        return mask
