"""CenterCrop: the central `(height, width)` window of images (resized when they are smaller)."""

from torchkeras.layers.preprocessing.image import box_support, resize_ops
from torchkeras.layers.preprocessing.image.base import (
    ImageLayer,
    batch_call,
    check_size,
)
from torchkeras.registry import LAYERS


@LAYERS.register()
class CenterCrop(ImageLayer):
    """Crops the centre `(height, width)` window of images, in training and inference.

    An image smaller than the target on either side is instead cropped to the target's aspect
    ratio and resized bilinearly (Keras' `smart_resize`). Outputs are in the layer's dtype
    (uint8 images become float32), as in Keras.

    Args:
        height, width: Output size, positive ints.
        data_format: `"channels_last"` (default) or `"channels_first"`.
        bounding_box_format: Format of the boxes of a detection dict input; boxes are clipped
            to the crop window (and rescaled with a too small image), as Keras. Masks are
            cropped like the images.

    Shapes: `(..., H, W, C)` -> `(..., height, width, C)` (channels_last), 3D or 4D.
    """

    def __init__(self, height, width, data_format=None, bounding_box_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = check_size(self, height, width)
        self.bounding_box_format = bounding_box_format

    def call(self, inputs):
        if isinstance(inputs, dict):
            images = box_support.detection_images(self, inputs)
            size = self.image_size(images.shape)
            return box_support.call_dict(
                self,
                inputs,
                images,
                self._crop_images,
                lambda boxes, labels: self._crop_boxes(boxes, labels, *size),
                self._crop_images,
            )
        return self._crop_images(inputs)

    def _crop_images(self, images):
        return batch_call(self, self.cast(images), self._crop)

    def _crop(self, images):
        images = self.to_nchw(images)
        height, width = images.shape[-2:]
        top, left = (height - self.height) // 2, (width - self.width) // 2
        if top >= 0 and left >= 0:
            cropped = images[:, :, top : top + self.height, left : left + self.width]
        else:
            size = (self.height, self.width)
            cropped = resize_ops.resize(images, size, crop=True)
        return self.from_nchw(cropped)

    def _crop_boxes(self, boxes, labels, height, width):
        """Boxes `(B, N, 4)` of `(height, width)` images moved into the crop window."""
        boxes = box_support.to_format(self, boxes, None, "xyxy", height, width)
        if height >= self.height and width >= self.width:
            top, left = int((height - self.height) / 2), int((width - self.width) / 2)
            crop_height, crop_width = self.height, self.width
        else:
            top, left, crop_height, crop_width = resize_ops.aspect_crop_box(
                height, width, self.height, self.width
            )
        boxes = box_support.clip_window(boxes, top, left, top + crop_height, left + crop_width)
        if (crop_height, crop_width) != (self.height, self.width):
            boxes = box_support.to_format(self, boxes, "xyxy", "rel_xyxy", crop_height, crop_width)
            boxes = box_support.to_format(self, boxes, "rel_xyxy", "xyxy", self.height, self.width)
        boxes, labels = box_support.clip(boxes, labels, self.height, self.width)
        return box_support.to_format(self, boxes, "xyxy", None, self.height, self.width), labels

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        shape[self.spatial_axes[0]], shape[self.spatial_axes[1]] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        return {
            **super().get_config(),
            "height": self.height,
            "width": self.width,
            **box_support.format_config(self),
        }
