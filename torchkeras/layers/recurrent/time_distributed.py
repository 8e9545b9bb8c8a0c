"""TimeDistributed: applies a layer to every time step of a sequence, with shared weights."""

import torch

from torchkeras.layers.core.lambda_layer import Lambda
from torchkeras.layers.core.torch_module_wrapper import TorchModuleWrapper
from torchkeras.layers.core.wrapper import Wrapper
from torchkeras.layers.layer import Layer
from torchkeras.layers.normalization.batch_normalization import BatchNormalization
from torchkeras.registry import LAYERS

# Layers whose output for one sample can depend on the others in the batch (or on user code)
_BATCH_DEPENDENT = (BatchNormalization, Lambda, TorchModuleWrapper)


@LAYERS.register()
class TimeDistributed(Wrapper):
    """Applies `layer` to each slice `inputs[:, t]` and stacks the results on axis 1.

    The weights are shared across steps. Built-in layers that compute each sample on its own
    (Dense, convolutions, pooling, ... and models made of them) run once on the time steps
    folded into the batch axis, `(batch * time, ...)`: the same values as Keras' one call per
    step, at one call's cost. Layers with batch statistics (BatchNormalization), stateful
    layers, Lambda, TorchModuleWrapper and custom layers run once per time step, as in Keras.
    A `mask` of shape `(batch, time, ...)` is folded or sliced alike for layers whose `call`
    takes one, and passed through unchanged as the output mask.

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

    @property
    def _folds_time(self):
        """Whether the wrapped layer may see all time steps as one batch (decided once)."""
        if "_fold" not in self.__dict__:
            self.__dict__["_fold"] = _per_sample(self.layer)
        return self.__dict__["_fold"]

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
        if self._folds_time:
            return self._folded_call(inputs, mask, kwargs)
        steps = []
        for t in range(inputs.shape[1]):
            if mask is not None and self.layer._call_takes_mask:
                kwargs["mask"] = mask[:, t]
            steps.append(self.layer.call(inputs[:, t], **kwargs))
        return torch.stack(steps, dim=1)

    def _folded_call(self, inputs, mask, kwargs):
        batch, time = inputs.shape[:2]
        if mask is not None and self.layer._call_takes_mask:
            kwargs["mask"] = mask.reshape(batch * time, *mask.shape[2:])
        outputs = self.layer.call(inputs.reshape(batch * time, *inputs.shape[2:]), **kwargs)
        return outputs.reshape(batch, time, *outputs.shape[1:])

    def compute_mask(self, inputs, mask=None):
        """The input mask, unchanged."""
        return mask


def _per_sample(layer):
    """Whether every layer inside `layer` is a built-in one that computes each sample alone."""
    return all(
        type(module).__module__.startswith("torchkeras.")
        and not isinstance(module, _BATCH_DEPENDENT)
        and not getattr(module, "stateful", False)
        for module in layer.modules()
        if isinstance(module, Layer)
    )
