"""SpatialDropout1D/2D/3D: drop whole feature maps (channels) instead of single units."""

import torch

from torchkeras import config
from torchkeras.layers.layer import Layer
from torchkeras.layers.regularization import _seeded
from torchkeras.registry import LAYERS


class _SpatialDropout(Layer):
    """Dropout with one keep/drop draw per (sample, channel), shared over the spatial axes;
    kept channels are scaled by `1 / (1 - rate)`, and inference is the identity."""

    supports_masking = True

    _rank = None  # input rank including the batch axis

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _seeded.check_rate(self, rate)
        self.seed = _seeded.check_seed(self, seed)
        self.data_format = "channels_last"

    def build(self, input_shape):
        if len(input_shape) != self._rank:
            raise ValueError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: expected "
                f"ndim={self._rank}, found ndim={len(input_shape)}. Full shape received: "
                f"{tuple(input_shape)}"
            )

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.rate == 1:
            return inputs * 0
        shape = [1] * inputs.ndim
        shape[0] = inputs.shape[0]
        channel = 1 if self.data_format == "channels_first" else -1
        shape[channel] = inputs.shape[channel]
        keep = 1.0 - self.rate
        noise = torch.rand(
            shape, device=inputs.device, **_seeded.generator_argument(self, inputs.device)
        )
        return inputs * (noise < keep).to(inputs.dtype) / keep

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.pop("trainable")  # Keras' spatial dropouts leave it out of their config,
        config["dtype"] = self.dtype  # and write the dtype as a plain name
        return {**config, "rate": self.rate, "seed": self.seed}


class _SpatialDropoutND(_SpatialDropout):
    """A spatial dropout of images or volumes, which also takes a `data_format`."""

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        data_format = data_format or config.image_data_format()
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(
                f"{type(self).__name__} '{self.name}': `data_format` must be 'channels_last' or "
                f"'channels_first', got data_format={data_format!r}."
            )
        self.data_format = data_format

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


@LAYERS.register()
class SpatialDropout1D(_SpatialDropout):
    """Spatial dropout of sequences: drops whole channels of `(batch, steps, channels)`.

    Args:
        rate: Fraction of channels to drop, a float in [0, 1].
        seed: Optional int seed of the layer's own random generator.

    Shapes: `(batch, steps, channels)` -> the same shape.
    """

    _rank = 3


@LAYERS.register()
class SpatialDropout2D(_SpatialDropoutND):
    """Spatial dropout of images: drops whole channels of 4D inputs.

    Args:
        rate: Fraction of channels to drop, a float in [0, 1].
        data_format: `"channels_last"` (default, from `image_data_format()`) or
            `"channels_first"`.
        seed: Optional int seed of the layer's own random generator.

    Shapes: 4D -> the same shape.
    """

    _rank = 4


@LAYERS.register()
class SpatialDropout3D(_SpatialDropoutND):
    """Spatial dropout of volumes: drops whole channels of 5D inputs.

    Args:
        rate: Fraction of channels to drop, a float in [0, 1].
        data_format: `"channels_last"` (default, from `image_data_format()`) or
            `"channels_first"`.
        seed: Optional int seed of the layer's own random generator.

    Shapes: 5D -> the same shape.
    """

    _rank = 5
