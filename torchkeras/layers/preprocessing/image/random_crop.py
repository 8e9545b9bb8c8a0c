"""RandomCrop: a random `(height, width)` window of a batch of images while training."""

import torch

from torchkeras.layers.preprocessing.image import box_support, resize_ops
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
        bounding_box_format: Format of the boxes of a detection dict input. While training,
            boxes are shifted as Keras 3.15 shifts them: `x` by the crop's top offset and `y`
            by its left one (Keras swaps them), floored at 0, not clipped to the crop and with
            their labels kept. Masks are cropped like the images while training and returned
            unchanged at inference (Keras crops them at the centred offset even then).

    Shapes: `(..., H, W, C)` -> `(..., height, width, C)` (channels_last), 3D or 4D.
    """

    def __init__(self, height, width, seed=None, data_format=None, bounding_box_format=None,
                 **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = check_size(self, height, width)
        self.seed = _seeded.check_seed(self, seed)
        self.bounding_box_format = bounding_box_format

    def call(self, inputs, training=False):
        if isinstance(inputs, dict):
            return self._call_dict(inputs, training)
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

    def _call_dict(self, data, training):
        """A detection dict: images, boxes and masks cropped at the same offsets."""
        images = box_support.detection_images(self, data)
        if not training:
            return box_support.call_dict(
                self, data, images, lambda x: x, box_support.unchanged, lambda x: x
            )
        offsets = self.sample(images if images.ndim == 4 else images[None])

        def crop_images(x):
            return batch_call(self, self.cast(x), lambda batch: self.crop(batch, offsets))

        return box_support.call_dict(
            self,
            data,
            images,
            crop_images,
            lambda boxes, labels: (self._shift_boxes(boxes, offsets), labels),
            crop_images,
        )

    def _shift_boxes(self, boxes, offsets):
        """Keras 3.15's crop of boxes `(B, N, 4)`: `x - top`, `y - left`, floored at 0."""
        top, left = (float(offset) for offset in offsets)
        boxes = box_support.to_format(self, boxes, None, "xyxy", self.height, self.width)
        boxes = box_support.scale_shift(boxes, 1.0, 1.0, -top, -left).clamp(min=0.0)
        return box_support.to_format(self, boxes, "xyxy", None, self.height, self.width)

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
            **box_support.format_config(self),
        }
