"""RandomCrop: a random `(height, width)` window of a batch of images while training."""

import torch

from torchkeras.layers.preprocessing.image import resize_ops
from torchkeras.layers.preprocessing.image.base import (
    ImageLayer,
    batch_call,
    check_size,
)
from torchkeras.layers.regularization import _seeded
from torchkeras.layers.symbolic import KerasTensor
from torchkeras.registry import LAYERS


@LAYERS.register()
class RandomCrop(ImageLayer):
    """Crops one random `(height, width)` window, the same for every image of the batch.

    While training, an input larger than the target on both sides is cropped at a uniformly
    drawn offset; otherwise the `(height, width)` window (clipped to the image) at the offset of
    the largest centred crop with the target's aspect ratio is resized bilinearly to the
    target, as Keras does. Outputs are in the layer's dtype.

    At inference the layer returns its input unchanged (neither cropped nor cast), as Keras
    3.15 does, although its output shape (for symbolic inputs) is the cropped one.

    Args:
        height, width: Output size, positive ints.
        seed: Optional int seed of the layer's own random generator (Keras draws a seed
            when none is given; here torch's global generator is used).
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Shapes: `(..., H, W, C)` -> `(..., height, width, C)` (channels_last), 3D or 4D.
    """

    def __init__(self, height, width, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = check_size(self, height, width)
        self.seed = _seeded.check_seed(self, seed)

    def call(self, inputs, training=False):
        self.check_rank(inputs)
        if not training:
            return inputs
        images = self.cast(inputs)
        return batch_call(self, images, lambda batch: self.crop(batch, self.sample(batch)))

    def sample(self, images):
        """`(top, left)` of the window for a 4D batch: random when the images are larger than
        the target on both sides, else the centred aspect-ratio crop's."""
        height, width = self.image_size(images.shape)
        if height > self.height and width > self.width:
            offsets = self.uniform((2,), 0.0, 1.0, images.device)
            offsets = offsets * torch.tensor(
                [height - self.height + 1.0, width - self.width + 1.0], device=images.device
            )
            top, left = offsets.to(torch.int32).tolist()
            return top, left
        return resize_ops.aspect_crop_box(height, width, self.height, self.width)[:2]

    def crop(self, images, offsets):
        """The `(height, width)` window at `offsets = (top, left)` of a 4D batch, resized to
        the target when the images are too small for it."""
        top, left = offsets
        images = self.to_nchw(images)
        images = images[:, :, top : top + self.height, left : left + self.width]
        if tuple(images.shape[-2:]) != (self.height, self.width):
            images = resize_ops.resize(images, (self.height, self.width))
        return self.from_nchw(images)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        shape[self.spatial_axes[0]], shape[self.spatial_axes[1]] = self.height, self.width
        return tuple(shape)

    def compute_output_spec(self, inputs, training=None):
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=self.dtype)

    def get_config(self):
        return {
            **super().get_config(),
            "height": self.height,
            "width": self.width,
            "seed": self.seed,
        }
