"""RandomRotation: rotates each image about its centre by a random angle while training."""

import torch

from torchkeras.layers.preprocessing.image import affine_ops, box_support
from torchkeras.layers.preprocessing.image.affine_layer import AffineLayer
from torchkeras.layers.preprocessing.image.base import factor_range
from torchkeras.ops import bounding_boxes as bbox
from torchkeras.registry import LAYERS


@LAYERS.register()
class RandomRotation(AffineLayer):
    """Rotates each image by an angle drawn uniformly from `factor * 360` degrees.

    A positive angle turns the image counter-clockwise as displayed (Keras' convention);
    `factor=(0.25, 0.25)` is always a 90 degree turn.

    Args:
        factor: A float `f` (angles in `[-f, f] * 360` degrees) or a pair `(lower, upper)`,
            fractions of a full turn in [-1, 1].
        fill_mode, interpolation, seed, fill_value, data_format, bounding_box_format: See
            `AffineLayer`. Boxes are rotated (the box around the rotated corners) and clipped,
            as Keras; like Keras 3.15, the input boxes are read as `"xyxy"` whatever the
            format (only the output is written in `bounding_box_format`).

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, bounding_box_format=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format,
                         bounding_box_format=bounding_box_format, **kwargs)
        self.factor = factor_range(self, factor, "factor")

    def sample(self, images):
        return self.box_sample(images)[0]

    def box_sample(self, images):
        """`(transforms (B, 8), angles in degrees (B,))` of a 4D batch."""
        lower, upper = self.factor
        angle = self.uniform((images.shape[0],), lower * 360.0, upper * 360.0, images.device)
        return affine_ops.rotation_matrix(angle, *self.image_size(images.shape)), angle

    def transform_boxes(self, boxes, labels, angle, height, width):
        """Boxes `(B, N, 4)` rotated by `angle` `(B,)` about the image centre, then clipped."""
        zeros, ones = torch.zeros_like(angle), torch.ones_like(angle)
        boxes = bbox.affine_transform(
            boxes, angle, zeros, zeros, ones, zeros, zeros, height=height, width=width
        )
        boxes, labels = box_support.clip(boxes, labels, height, width)
        return box_support.to_format(self, boxes, "xyxy", None, height, width), labels

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}
