"""RandomBrightness: adds a random per-image offset to the pixel values while training."""

from torchkeras.layers.preprocessing.image.base import (
    ImageLayer,
    batch_call,
    factor_range,
)
from torchkeras.layers.regularization import _seeded
from torchkeras.registry import LAYERS


@LAYERS.register()
class RandomBrightness(ImageLayer):
    """Adds `d * (max - min)` to every pixel, `d` drawn per image, then clips to `value_range`.

    As in Keras, the offset is cast to the images' dtype before the addition (uint8 images stay
    uint8, where a pixel pushed below 0 wraps around, as in Keras 3.15), and at inference the
    input is returned unchanged. Unlike Keras' torch backend, the caller's tensor is never
    modified in place.

    Args:
        factor: A float `f` (offsets in `[-f, f]` of the range) or a pair `(lower, upper)`, in
            [-1, 1].
        value_range: `(min, max)` of the pixel values, e.g. `(0, 255)` or `(0, 1)`.
        seed: Optional int seed of the layer's own random generator.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_range(self, factor, "factor")
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(
                f"RandomBrightness '{self.name}': `value_range` must be a pair of numbers "
                f"(min, max), got value_range={value_range!r}."
            )
        self.value_range = sorted(value_range)
        self.seed = _seeded.check_seed(self, seed)

    def call(self, inputs, training=False):
        self.check_rank(inputs)
        if not training:
            return inputs
        return batch_call(self, inputs, lambda batch: self.adjust(batch, self.sample(batch)))

    def sample(self, images):
        """Offsets `(B, 1, 1, 1)` (float32, in pixel units) for a 4D batch."""
        delta = self.uniform((images.shape[0], 1, 1, 1), *self.factor, images.device)
        return delta * (self.value_range[1] - self.value_range[0])

    def adjust(self, images, delta):
        """`images + delta` clipped to `value_range`, for a 4D batch."""
        outputs = images + delta.to(images.dtype)
        return outputs.clamp(self.value_range[0], self.value_range[1])

    def get_config(self):
        return {
            **super().get_config(),
            "factor": self.factor,
            "value_range": self.value_range,
            "seed": self.seed,
        }
