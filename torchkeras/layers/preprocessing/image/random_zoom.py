"""RandomZoom: zooms each image in or out about its centre by a random factor while training."""

from torchkeras.layers.preprocessing.image import affine_ops, box_support
from torchkeras.layers.preprocessing.image.affine_layer import AffineLayer
from torchkeras.layers.preprocessing.image.base import factor_range
from torchkeras.registry import LAYERS


@LAYERS.register()
class RandomZoom(AffineLayer):
    """Zooms each image by `1 + f`, `f` drawn uniformly per image from the factor's range.

    As in Keras, a positive `f` zooms out (the image shrinks) and a negative one zooms in;
    without `width_factor` both axes use the height's draw (the aspect ratio is kept).

    Args:
        height_factor: A float `f` (range `[-f, f]`) or a pair `(lower, upper)`, in (-1, 1].
        width_factor: Same for the width, or `None` to zoom both axes alike.
        fill_mode, interpolation, seed, fill_value, data_format, bounding_box_format: See
            `AffineLayer`. Boxes are clipped to the zoomed image's window and rescaled to the
            image, as Keras.

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 bounding_box_format=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                         fill_value=fill_value, data_format=data_format,
                         bounding_box_format=bounding_box_format, **kwargs)
        self.height_factor = height_factor
        self.width_factor = width_factor
        self._height_range = factor_range(self, height_factor, "height_factor", lower_open=True)
        self._width_range = None
        if width_factor is not None:
            self._width_range = factor_range(self, width_factor, "width_factor", lower_open=True)

    def sample(self, images):
        batch, device = images.shape[0], images.device
        lower, upper = self._height_range
        height_zoom = self.uniform((batch,), 1.0 + lower, 1.0 + upper, device)
        width_zoom = height_zoom
        if self._width_range is not None:
            lower, upper = self._width_range
            width_zoom = self.uniform((batch,), 1.0 + lower, 1.0 + upper, device)
        return affine_ops.zoom_matrix(width_zoom, height_zoom, *self.image_size(images.shape))

    def transform_boxes(self, boxes, labels, transform, height, width):
        """Boxes `(B, N, 4)` under the zooms `transform` `(B, 8)`: clipped to the window the
        output reads (`[a2, a0 * width + a2] x [b2, b1 * height + b2]`) and mapped onto the
        image, in Keras' float32 arithmetic."""
        boxes = box_support.to_format(self, boxes, None, "xyxy", height, width)
        left, top = transform[:, 2:3], transform[:, 5:6]
        right = transform[:, 0:1] * width + left
        bottom = transform[:, 4:5] * height + top
        boxes = box_support.clip_window(boxes, top, left, bottom, right)
        window_height, window_width = bottom - top, right - left
        boxes = box_support.to_format(self, boxes, "xyxy", "rel_xyxy", window_height, window_width)
        boxes, labels = box_support.clip(boxes, labels, None, None, "rel_xyxy")
        return box_support.to_format(self, boxes, "rel_xyxy", None, height, width), labels

    def get_config(self):
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
        }
