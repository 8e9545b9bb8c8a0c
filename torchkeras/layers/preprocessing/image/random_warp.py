"""RandomShear, RandomPerspective and RandomElasticTransform: random geometric warps.

The warps are `torchkeras.ops.image`'s (Keras' sampling arithmetic), so for the same drawn
parameters the outputs equal Keras'. As in Keras, images are cast to the compute dtype at
inference too.
"""

import torch

from torchkeras.layers.preprocessing.image import affine_ops
from torchkeras.layers.preprocessing.image.augment_base import (
    AugmentLayer,
    check_value_range,
)
from torchkeras.layers.preprocessing.image.base import check_choice, factor_range
from torchkeras.ops import image as image_ops
from torchkeras.ops.image_checks import FILL_MODES
from torchkeras.registry import LAYERS


def _shear_range(layer, factor, name):
    """Keras' shear factor: a float `f` in [0, 1] means `(-f, f)`; a pair is sorted.

    Keras 3.15 refuses negative values in a pair, so it cannot reload its own config
    (`(-f, f)`); pairs in [-1, 1] are accepted here, so configs round-trip.
    """
    if isinstance(factor, (tuple, list)):
        return factor_range(layer, factor, name)
    high = factor_range(layer, factor, name, bounds=(0, 1))[1]
    return -high, high


@LAYERS.register()
class RandomShear(AugmentLayer):
    """Shears each image: output `(x, y)` reads the input at `(x + sx * y, sy * x + y)`.

    Per image Keras draws a sign (negative when a uniform draw exceeds 0.5), then `sy` in
    `y_factor` and `sx` in `x_factor`; both shears take that sign. The shear is about the
    top-left corner (not the centre), as Keras.

    Args:
        x_factor, y_factor: A float `f` in [0, 1] (shears in `[-f, f]`) or a pair in [-1, 1].
        interpolation: `"bilinear"` (default) or `"nearest"`.
        fill_mode: `"reflect"` (default), `"wrap"`, `"constant"` or `"nearest"`.
        fill_value: The value outside the image when `fill_mode="constant"`.
        data_format: `"channels_last"` (default) or `"channels_first"`.
        seed: Optional int seed of the layer's random generator.

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    CAST_AT_INFERENCE = True

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear", fill_mode="reflect",
                 fill_value=0.0, data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.x_factor = _shear_range(self, x_factor, "x_factor")
        self.y_factor = _shear_range(self, y_factor, "y_factor")
        self.fill_mode = check_choice(self, fill_mode, "fill_mode", affine_ops.FILL_MODES)
        self.interpolation = check_choice(
            self, interpolation, "interpolation", affine_ops.INTERPOLATIONS
        )
        self.fill_value = fill_value

    def sample(self, images):
        """Keras transform vectors `(B, 8)`."""
        shape, device, dtype = (images.shape[0], 1), images.device, self.compute_dtype
        sign = torch.where(self.random_uniform(shape, 0, 1, device, dtype) > 0.5, -1.0, 1.0)
        shear_y = self.random_uniform(shape, *self.y_factor, device, dtype)
        shear_x = self.random_uniform(shape, *self.x_factor, device, dtype)
        shear_x, shear_y = (torch.cat([shear_x, shear_y], dim=1) * sign).unbind(1)
        ones, zeros = torch.ones_like(shear_x), torch.zeros_like(shear_x)
        return torch.stack([ones, shear_x, zeros, shear_y, ones, zeros, zeros, zeros], dim=1)

    def augment(self, images, transform):
        return image_ops.affine_transform(
            self.cast(images), transform, interpolation=self.interpolation,
            fill_mode=self.fill_mode, fill_value=self.fill_value, data_format=self.data_format,
        )

    def get_config(self):
        return {
            **super().get_config(),
            "x_factor": self.x_factor,
            "y_factor": self.y_factor,
            "fill_mode": self.fill_mode,
            "interpolation": self.interpolation,
            "fill_value": self.fill_value,
        }


@LAYERS.register()
class RandomPerspective(AugmentLayer):
    """Moves each image's corners by random offsets and warps it accordingly (constant fill).

    Per image Keras draws a probability `p` in `factor` and a threshold `t` in [0, 1) (warp
    when `t < p`), then offsets in `[-scale / 2, scale / 2)` times each corner's coordinates:
    corner `c` moves to `c * (1 + offset)`, so the top-left corner stays.

    Args:
        factor: A float `f` (probabilities in `[0, f]`) or a pair in [0, 1]; default 1.0.
        scale: Size of the corner offsets, in [0, 1].
        interpolation: `"bilinear"` (default) or `"nearest"`.
        fill_value: The value outside the warped image.
        seed: Optional int seed of the layer's random generator.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    CAST_AT_INFERENCE = True

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_value=0.0,
                 seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(self, factor, "factor", bounds=(0, 1))
        self.scale = factor_range(self, (scale, scale), "scale", bounds=(0, 1))[0]
        self.interpolation = check_choice(
            self, interpolation, "interpolation", affine_ops.INTERPOLATIONS
        )
        self.fill_value = fill_value

    def sample(self, images):
        """Which images to warp `(B,)`, start and end corners `(B, 4, 2)`."""
        batch, device, dtype = images.shape[0], images.device, self.compute_dtype
        probability = self.random_uniform((batch,), *self.factor, device)
        threshold = self.random_uniform((batch,), 0.0, 1.0, device)
        offsets = self.random_uniform((batch, 4, 2), -0.5 * self.scale, 0.5 * self.scale,
                                      device, dtype)
        height, width = self.image_size(images.shape)
        corners = [[0.0, 0.0], [width - 1, 0.0], [0.0, height - 1], [width - 1, height - 1]]
        start = torch.tensor([corners], dtype=dtype, device=device).repeat(batch, 1, 1)
        return threshold < probability, start, start + start * offsets

    def augment(self, images, transformation):
        apply, start, end = transformation
        images = self.cast(images)
        warped = image_ops.perspective_transform(
            images, start, end, interpolation=self.interpolation, fill_value=self.fill_value,
            data_format=self.data_format,
        )
        return torch.where(apply.view(-1, 1, 1, 1), warped, images)

    def get_config(self):
        return {
            **super().get_config(),
            "factor": self.factor,
            "scale": self.scale,
            "interpolation": self.interpolation,
            "fill_value": self.fill_value,
        }


@LAYERS.register()
class RandomElasticTransform(AugmentLayer):
    """Deforms each image by a smooth random displacement field, with a probability per image.

    Keras draws, from the layer's generator, a probability `p` per image in `factor`, a
    threshold `t` per image (deform when `t < p`) and one distortion `d` in `scale` for the
    batch; `ops.image.elastic_transform` then uses `alpha = 0.1 * d * max(H, W)` and
    `sigma = 0.05 * d * min(H, W)`. Keras' torch backend draws the displacement noise from
    torch's global generator whatever the seed, and so does this layer (call
    `torch.manual_seed` for reproducible fields). Outputs are clipped to `value_range`.

    Args:
        factor: A float `f` (probabilities in `[0, f]`) or a pair in [0, 1]; default 1.0.
        scale: A float `s` (distortions in `[0, s]`) or a pair in [0, 1]; default 1.0.
        interpolation: `"bilinear"` (default) or `"nearest"`.
        fill_mode: `"reflect"` (default), `"mirror"`, `"wrap"`, `"constant"` or `"nearest"`.
        fill_value: The value outside the image when `fill_mode="constant"`.
        value_range: `(min, max)` of the pixel values.
        seed: Optional int seed of the layer's random generator.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    CAST_AT_INFERENCE = True

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_mode="reflect",
                 fill_value=0.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = factor_range(self, factor, "factor", bounds=(0, 1))
        self.scale = factor_range(self, scale, "scale", bounds=(0, 1))
        self.interpolation = check_choice(
            self, interpolation, "interpolation", affine_ops.INTERPOLATIONS
        )
        self.fill_mode = check_choice(self, fill_mode, "fill_mode", FILL_MODES)
        self.fill_value = fill_value
        self.value_range = check_value_range(self, value_range)

    def sample(self, images):
        """Which images to deform `(B,)` and the batch's distortion (a 0-d tensor)."""
        if self.scale[1] == 0 or self.factor[1] == 0:
            return None
        batch, device = images.shape[0], images.device
        probability = self.random_uniform((batch,), *self.factor, device)
        threshold = self.random_uniform((batch,), 0.0, 1.0, device)
        distortion = self.random_uniform((1,), *self.scale, device, self.compute_dtype)[0]
        return threshold < probability, distortion

    def augment(self, images, transformation):
        images = self.cast(images)
        if transformation is None:
            return images
        apply, distortion = transformation
        height, width = self.image_size(images.shape)
        deformed = image_ops.elastic_transform(
            images, alpha=max(height, width) * (0.1 * distortion),
            sigma=min(height, width) * (0.05 * distortion), interpolation=self.interpolation,
            fill_mode=self.fill_mode, fill_value=self.fill_value, data_format=self.data_format,
        )
        images = torch.where(apply.view(-1, 1, 1, 1), deformed, images)
        return images.clamp(self.value_range[0], self.value_range[1])

    def get_config(self):
        return {
            **super().get_config(),
            "factor": self.factor,
            "scale": self.scale,
            "interpolation": self.interpolation,
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "value_range": self.value_range,
        }
