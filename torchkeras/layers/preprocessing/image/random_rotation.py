"""RandomRotation: rotates each image about its centre by a random angle while training."""

from torchkeras.layers.preprocessing.image import affine_ops
from torchkeras.layers.preprocessing.image.affine_layer import AffineLayer
from torchkeras.layers.preprocessing.image.base import factor_range
from torchkeras.registry import LAYERS


@LAYERS.register()
class RandomRotation(AffineLayer):
    """Rotates each image by an angle drawn uniformly from `factor * 360` degrees.

    A positive angle turns the image counter-clockwise as displayed (Keras' convention);
    `factor=(0.25, 0.25)` is always a 90 degree turn.

    Args:
        factor: A float `f` (angles in `[-f, f] * 360` degrees) or a pair `(lower, upper)`,
            fractions of a full turn in [-1, 1].
        fill_mode, interpolation, seed, fill_value, data_format: See `AffineLayer`.

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format, **kwargs)
        self.factor = factor_range(self, factor, "factor")

    def sample(self, images):
        lower, upper = self.factor
        angle = self.uniform((images.shape[0],), lower * 360.0, upper * 360.0, images.device)
        return affine_ops.rotation_matrix(angle, *self.image_size(images.shape))

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}
