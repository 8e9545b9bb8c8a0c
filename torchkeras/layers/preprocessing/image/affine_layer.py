"""AffineLayer: the base of RandomRotation, RandomZoom and RandomTranslation."""

from torchkeras.layers.preprocessing.image import affine_ops
from torchkeras.layers.preprocessing.image.base import (
    ImageLayer,
    batch_call,
    check_choice,
)
from torchkeras.layers.regularization import _seeded


class AffineLayer(ImageLayer):
    """Warps each image of a batch by its own random affine transform, only while training.

    Subclasses draw the transforms (`sample`: a 4D batch -> `(B, 8)` Keras transform vectors);
    the whole batch is then warped by one `F.grid_sample` call. At inference the layer only
    casts to its dtype (uint8 images become float32), as Keras.

    Args:
        fill_mode: Values read outside the image: `"reflect"` (default), `"wrap"`,
            `"constant"` or `"nearest"`.
        interpolation: `"bilinear"` (default) or `"nearest"`.
        seed: Optional int seed of the layer's own random generator.
        fill_value: The value outside the image when `fill_mode="constant"`.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.fill_mode = check_choice(self, fill_mode, "fill_mode", affine_ops.FILL_MODES)
        self.interpolation = check_choice(
            self, interpolation, "interpolation", affine_ops.INTERPOLATIONS
        )
        self.seed = _seeded.check_seed(self, seed)
        self.fill_value = fill_value

    def call(self, inputs, training=False):
        self.check_rank(inputs)
        images = self.cast(inputs)
        if not training:
            return images
        return batch_call(self, images, lambda batch: self.warp(batch, self.sample(batch)))

    def warp(self, images, transform):
        """Applies the transforms `(B, 8)` to a 4D batch (in the layer's data format)."""
        warped = affine_ops.affine_transform(
            self.to_nchw(images),
            transform,
            interpolation=self.interpolation,
            fill_mode=self.fill_mode,
            fill_value=self.fill_value,
        )
        return self.from_nchw(warped)

    def get_config(self):
        return {
            **super().get_config(),
            "fill_mode": self.fill_mode,
            "interpolation": self.interpolation,
            "seed": self.seed,
            "fill_value": self.fill_value,
        }
