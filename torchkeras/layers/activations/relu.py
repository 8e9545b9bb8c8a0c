"""ReLU: `max(x, 0)` with Keras' optional cap, threshold and negative slope."""

from torchkeras import activations
from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS


def _check_non_negative(layer, name, value, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': `{name}` must be a non-negative number, "
            f"got {name}={value!r}."
        )
    return value


@LAYERS.register()
class ReLU(Layer):
    """Rectified linear unit: `x` above `threshold` (capped at `max_value`), else
    `negative_slope * (x - threshold)`.

    Args:
        max_value: Largest output value; `None` means no cap.
        negative_slope: Slope below the threshold.
        threshold: Value below which the input is damped.

    Shapes: any shape -> the same shape.
    """

    supports_masking = True

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = _check_non_negative(self, "max_value", max_value, allow_none=True)
        self.negative_slope = _check_non_negative(self, "negative_slope", negative_slope)
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
            raise ValueError(
                f"ReLU '{self.name}': `threshold` must be a number, got threshold={threshold!r}."
            )
        self.threshold = threshold

    def call(self, inputs):
        return activations.relu(
            inputs,
            negative_slope=self.negative_slope,
            max_value=self.max_value,
            threshold=self.threshold,
        )

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "max_value": self.max_value,
            "negative_slope": self.negative_slope,
            "threshold": self.threshold,
        }
