"""RandomFlip: flips each image horizontally and/or vertically with probability 1/2."""

import torch

from torchkeras.layers.preprocessing.image import box_support
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
        bounding_box_format: Format of the boxes of a detection dict input; boxes are flipped
            with their image (in relative coordinates) and clipped, as Keras. Masks are
            flipped like the images.

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None,
                 bounding_box_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.mode = check_choice(self, mode, "mode", MODES)
        self.seed = _seeded.check_seed(self, seed)
        self.bounding_box_format = bounding_box_format

    def call(self, inputs, training=False):
        if isinstance(inputs, dict):
            return self._call_dict(inputs, training)
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

    def _call_dict(self, data, training):
        """A detection dict: images, boxes and masks flipped by the same draws."""
        images = box_support.detection_images(self, data)
        if not training:
            return box_support.call_dict(
                self, data, images, self.cast, box_support.unchanged, self.cast
            )
        flips = self.sample(images if images.ndim == 4 else images[None])
        size = self.image_size(images.shape)

        def flip_images(x):
            return batch_call(self, self.cast(x), lambda batch: self.flip(batch, flips))

        return box_support.call_dict(
            self,
            data,
            images,
            flip_images,
            lambda boxes, labels: self._flip_boxes(boxes, labels, flips, *size),
            flip_images,
        )

    def _flip_boxes(self, boxes, labels, flips, height, width):
        """Boxes `(B, N, 4)` flipped where `flips` `(B,)` is True (Keras' relative arithmetic)."""
        boxes = box_support.to_format(self, boxes, None, "rel_xyxy", height, width)
        mask = flips.view(-1, 1, 1)
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            x1, y1, x2, y2 = boxes.unbind(-1)
            boxes = torch.where(mask, torch.stack([1 - x2, y1, 1 - x1, y2], dim=-1), boxes)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            x1, y1, x2, y2 = boxes.unbind(-1)
            boxes = torch.where(mask, torch.stack([x1, 1 - y2, x2, 1 - y1], dim=-1), boxes)
        # Keras clips these relative boxes to the image size in pixels, as absolute ones.
        boxes, labels = box_support.clip(boxes, labels, height, width)
        return box_support.to_format(self, boxes, "rel_xyxy", None, height, width), labels

    def get_config(self):
        return {
            **super().get_config(),
            "seed": self.seed,
            "mode": self.mode,
            **box_support.format_config(self),
        }
