"""RandomTranslation: shifts each image by a random fraction of its size while training."""

from torchkeras.layers.preprocessing.image import affine_ops, box_support
from torchkeras.layers.preprocessing.image.affine_layer import AffineLayer
from torchkeras.layers.preprocessing.image.base import factor_range
from torchkeras.registry import LAYERS


@LAYERS.register()
class RandomTranslation(AffineLayer):
    """Shifts each image by `(f_h * height, f_w * width)` pixels, fractions drawn per image.

    A positive fraction moves the content down (height) or right (width), as in Keras.

    Args:
        height_factor: A float `f` (range `[-f, f]`) or a pair `(lower, upper)`, in [-1, 1].
        width_factor: Same for the width.
        fill_mode, interpolation, seed, fill_value, data_format, bounding_box_format: See
            `AffineLayer`. Boxes are shifted with their image and clipped to it, as Keras.

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 bounding_box_format=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format,
                         bounding_box_format=bounding_box_format, **kwargs)
        self.height_factor = height_factor
        self.width_factor = width_factor
        self._height_range = factor_range(self, height_factor, "height_factor")
        self._width_range = factor_range(self, width_factor, "width_factor")

    def sample(self, images):
        batch, device = images.shape[0], images.device
        height, width = self.image_size(images.shape)
        dy = self.uniform((batch,), *self._height_range, device) * height
        dx = self.uniform((batch,), *self._width_range, device) * width
        return affine_ops.translation_matrix(dx, dy)

    def transform_boxes(self, boxes, labels, transform, height, width):
        """Boxes `(B, N, 4)` moved by the translations of `transform` `(B, 8)`, then clipped."""
        boxes = box_support.to_format(self, boxes, None, "xyxy", height, width)
        shift_x, shift_y = -transform[:, 2:3], -transform[:, 5:6]
        boxes = box_support.scale_shift(boxes, 1.0, 1.0, shift_x, shift_y)
        boxes, labels = box_support.clip(boxes, labels, height, width)
        return box_support.to_format(self, boxes, "xyxy", None, height, width), labels

    def get_config(self):
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
        }
