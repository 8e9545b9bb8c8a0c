"""Dropout: zeroes random input units while training, `inputs * mask / (1 - rate)`."""

import torch
import torch.nn.functional as F

from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS


@LAYERS.register()
class Dropout(Layer):
    """Inverted dropout: while training, each unit is zeroed with probability `rate` and the
    kept units are scaled by `1 / (1 - rate)`; at inference the layer is the identity.

    Without `noise_shape` or `seed` the mask comes from torch's global generator (seeded by
    `keras.utils.set_random_seed`): on CUDA through `torch.nn.functional.dropout` (one fused
    kernel, the draws of Keras' torch backend), on CPU as `uniform < 1 - rate`, about 2x faster
    there than torch's `bernoulli_` for forward + backward. A `seed` gives the layer its own
    generator, so its masks repeat from run to run.

    Args:
        rate: Fraction of units to drop, a float in [0, 1].
        noise_shape: Shape of the binary mask, broadcast over the input; `None` entries take
            the input's size (e.g. `(None, 1, features)` drops the same features at each step).
        seed: Optional int seed of the layer's own random generator.

    Shapes: any shape -> the same shape.
    """

    supports_masking = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(
                f"Dropout '{self.name}': `rate` must be a float in [0, 1], got rate={rate!r}."
            )
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise ValueError(f"Dropout '{self.name}': `seed` must be an int, got seed={seed!r}.")
        self.rate = rate
        self.noise_shape = self._checked_noise_shape(noise_shape)
        self.seed = seed
        self._generators = {}  # device -> torch.Generator, only when `seed` is given

    def _checked_noise_shape(self, noise_shape):
        if noise_shape is None:
            return None
        if isinstance(noise_shape, str) or not hasattr(noise_shape, "__iter__"):
            raise ValueError(
                f"Dropout '{self.name}': `noise_shape` must be a tuple of ints or None, "
                f"got noise_shape={noise_shape!r}."
            )
        noise_shape = tuple(noise_shape)
        for dim in noise_shape:
            if dim is not None and (not isinstance(dim, int) or isinstance(dim, bool) or dim <= 0):
                raise ValueError(
                    f"Dropout '{self.name}': `noise_shape` entries must be positive ints or "
                    f"None, got noise_shape={noise_shape!r}."
                )
        return noise_shape

    def build(self, input_shape):
        if self.noise_shape is not None and len(self.noise_shape) != len(input_shape):
            raise ValueError(
                f"Dropout '{self.name}': `noise_shape` {self.noise_shape} must have one entry "
                f"per input axis, but the input has shape {input_shape}."
            )

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.rate == 1:
            return inputs * 0
        if self.noise_shape is None and self.seed is None and inputs.device.type != "cpu":
            return F.dropout(inputs, p=self.rate, training=True)  # one fused kernel on GPUs
        keep = 1.0 - self.rate
        shape = [
            size if dim is None else dim
            for size, dim in zip(inputs.shape, self.noise_shape or inputs.shape)
        ]
        # `generator=None` is left out: torch.compile cannot trace it with a dynamic batch size
        seeded = {} if self.seed is None else {"generator": self._generator(inputs.device)}
        noise = torch.rand(shape, device=inputs.device, **seeded)
        mask = (noise < keep).to(inputs.dtype)  # broadcast over the input
        return inputs * mask / keep

    def _generator(self, device):
        if self.seed is None:
            return None
        if device not in self._generators:
            self._generators[device] = torch.Generator(device=device).manual_seed(self.seed)
        return self._generators[device]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "rate": self.rate,
            "seed": self.seed,
            "noise_shape": self.noise_shape,
        }
