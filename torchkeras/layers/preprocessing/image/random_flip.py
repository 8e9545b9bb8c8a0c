"""RandomFlip: flips each image horizontally and/or vertically with probability 1/2."""

import torch

from torchkeras.layers.preprocessing.image.base import (
    ImageLayer,
    batch_call,
    check_choice,
)
from torchkeras.layers.regularization import _seeded
from torchkeras.registry import LAYERS

MODES = ("horizontal", "vertical", "horizontal_and_vertical")


@LAYERS.register()
class RandomFlip(ImageLayer):
    """Flips each image of a batch with probability 1/2, only while training.

    In `"horizontal_and_vertical"` mode one draw per image decides both flips, as in Keras.
    At inference the layer only casts to its dtype (Keras' layer, called outside `fit` with
    no `training` argument, flips; here a layer starts in inference mode).

    Args:
        mode: `"horizontal"`, `"vertical"` or `"horizontal_and_vertical"` (default).
        seed: Optional int seed of the layer's own random generator.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.mode = check_choice(self, mode, "mode", MODES)
        self.seed = _seeded.check_seed(self, seed)

    def call(self, inputs, training=False):
        self.check_rank(inputs)
        images = self.cast(inputs)
        if not training:
            return images
        return batch_call(self, images, lambda batch: self.flip(batch, self.sample(batch)))

    def sample(self, images):
        """Which images to flip: a bool tensor `(B,)` (uniform draw <= 0.5, as Keras)."""
        return self.uniform((images.shape[0],), 0.0, 1.0, images.device) <= 0.5

    def flip(self, images, flips):
        """Flips the images of a 4D batch where `flips` `(B,)` is True."""
        height_axis, width_axis = self.spatial_axes
        mask = flips.view(-1, 1, 1, 1)
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            images = torch.where(mask, images.flip(width_axis), images)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            images = torch.where(mask, images.flip(height_axis), images)
        return images

    def get_config(self):
        return {**super().get_config(), "seed": self.seed, "mode": self.mode}
