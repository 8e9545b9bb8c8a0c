"""PolicyLayer: the base of RandAugment and AugMix, a set of named Keras augmentations.

Each operation draws its parameters from the policy layer's generator (`sample`) and is then
applied to the current images (`apply`), exactly as Keras' policy layers call their
sub-layers' `get_random_transformation` and `transform_images`.
"""

import torch

from torchkeras.layers.preprocessing.image import affine_ops
from torchkeras.layers.preprocessing.image.augment_base import AugmentLayer
from torchkeras.layers.preprocessing.image.base import check_choice, factor_range
from torchkeras.layers.preprocessing.image.histogram_ops import (
    AutoContrast,
    Equalization,
)
from torchkeras.layers.preprocessing.image.random_color import RandomColorDegeneration
from torchkeras.layers.preprocessing.image.random_contrast import RandomContrast
from torchkeras.layers.preprocessing.image.random_filters import RandomSharpness
from torchkeras.layers.preprocessing.image.random_warp import RandomShear
from torchkeras.layers.preprocessing.image.solarization import (
    RandomPosterization,
    Solarization,
)
from torchkeras.ops import image as image_ops

GEOMETRIC = ("random_shear", "random_translation", "random_rotation")


class PolicyLayer(AugmentLayer):
    """Holds the operations of a policy, all built from one `factor` as Keras builds them.

    Args:
        value_range: `(min, max)` of the pixel values.
        factor: A float `f` (magnitudes in `[0, f]`) or a pair in [0, 1].
        interpolation: `"bilinear"` (default) or `"nearest"`, for the geometric operations.
        seed: Optional int seed of the layer's random generator.
        data_format: `"channels_last"` (default) or `"channels_first"`.
    """

    CAST_AT_INFERENCE = True

    def __init__(self, value_range, factor, interpolation, seed, data_format, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = value_range
        self.factor = factor_range(self, factor, "factor", bounds=(0, 1))
        self.interpolation = check_choice(
            self, interpolation, "interpolation", affine_ops.INTERPOLATIONS
        )
        common = {"value_range": value_range, "data_format": self.data_format}
        ops = {
            "random_shear": RandomShear(self.factor, self.factor, interpolation=interpolation,
                                        data_format=self.data_format),
            "solarization": Solarization(self.factor, self.factor, **common),
            "random_posterization": RandomPosterization(max(1, int(8 * self.factor[1])),
                                                        **common),
            "auto_contrast": AutoContrast(**common),
            "equalization": Equalization(**common),
            "random_color_degeneration": RandomColorDegeneration(self.factor, **common),
            "random_contrast": RandomContrast(self.factor, **common),
            "random_sharpness": RandomSharpness(self.factor, **common),
        }
        for op in ops.values():
            op.generator = self.generator  # Keras draws every parameter from the policy's
        self.operations = torch.nn.ModuleDict(ops)  # no weights: no state_dict entries

    def sample_op(self, name, images):
        """The parameters of operation `name` for a 4D batch, drawn as Keras draws them."""
        batch, device = images.shape[0], images.device
        height, width = self.image_size(images.shape)
        low, high = self.factor
        if name == "random_translation":
            dy = self.random_uniform((batch, 1), low, high, device) * height
            dx = self.random_uniform((batch, 1), low, high, device) * width
            return affine_ops.translation_matrix(dx[:, 0], dy[:, 0])
        if name == "random_rotation":
            angle = self.random_uniform((batch,), low * 360.0, high * 360.0, device)
            return affine_ops.rotation_matrix(angle, height, width)
        if name == "random_brightness":
            span = max(self.value_range) - min(self.value_range)
            return self.random_uniform((batch, 1, 1, 1), low, high, device) * span
        if name == "random_contrast":
            return self.random_uniform((batch, 1, 1, 1), 1.0 - low, 1.0 + high, device,
                                       self.compute_dtype)
        if name in ("auto_contrast", "equalization"):
            return None
        return self.operations[name].sample(images)

    def apply_op(self, name, images, transformation):
        """Operation `name` applied to a float 4D batch with drawn `transformation`."""
        if name in ("random_translation", "random_rotation"):
            return image_ops.affine_transform(
                images, transformation, interpolation=self.interpolation, fill_mode="reflect",
                fill_value=0.0, data_format=self.data_format,
            )
        if name == "random_brightness":
            low, high = min(self.value_range), max(self.value_range)
            return (images + transformation.to(images.dtype)).clamp(low, high)
        if name == "random_contrast":
            return self.operations[name].adjust(images, transformation)
        if name == "auto_contrast":
            return self.operations[name].stretch(images)
        if name == "equalization":
            return self.operations[name].equalize(images)
        return self.operations[name].augment(images, transformation)

    def get_config(self):
        return {
            **super().get_config(),
            "value_range": self.value_range,
            "factor": self.factor,
            "interpolation": self.interpolation,
        }
