"""RandomContrast: scales each image's deviation from its per-channel mean while training."""

from torchkeras.layers.preprocessing.image.base import (
    ImageLayer,
    batch_call,
    factor_range,
)
from torchkeras.layers.regularization import _seeded
from torchkeras.registry import LAYERS


@LAYERS.register()
class RandomContrast(ImageLayer):
    """`(x - mean) * c + mean`, clipped to `value_range`, with `c` drawn per image.

    `mean` is each image's per-channel mean over height and width. `c` is uniform in
    `[1 - lower, 1 + upper]` where a float `factor=f` gives `(lower, upper) = (0, f)`: Keras
    3.15 bounds the lower end at 0, so a single float only raises the contrast. At inference
    the input is returned unchanged (integer images keep their dtype), as in Keras.

    Args:
        factor: A float in [0, 1] or a pair `(lower, upper)` in [0, 1].
        value_range: `(min, max)` of the pixel values; outputs are clipped to it.
        seed: Optional int seed of the layer's own random generator.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_range(self, factor, "factor", bounds=(0.0, 1.0))
        self.value_range = value_range
        self.seed = _seeded.check_seed(self, seed)

    def call(self, inputs, training=False):
        self.check_rank(inputs)
        if not training:
            return inputs
        return batch_call(self, inputs, lambda batch: self.adjust(batch, self.sample(batch)))

    def sample(self, images):
        """Contrast factors `(B, 1, 1, 1)` for a 4D batch."""
        lower, upper = self.factor
        shape = (images.shape[0], 1, 1, 1)
        return self.uniform(shape, 1.0 - lower, 1.0 + upper, images.device, self.compute_dtype)

    def adjust(self, images, contrast):
        """`(x - mean) * contrast + mean` clipped to `value_range`, for a 4D batch."""
        images = self.cast(images)
        mean = images.mean(dim=self.spatial_axes[0], keepdim=True)
        mean = mean.mean(dim=self.spatial_axes[1], keepdim=True)
        outputs = (images - mean) * contrast + mean
        return outputs.clamp(self.value_range[0], self.value_range[1])

    def get_config(self):
        return {
            **super().get_config(),
            "factor": self.factor,
            "value_range": self.value_range,
            "seed": self.seed,
        }
