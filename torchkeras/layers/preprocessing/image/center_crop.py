"""CenterCrop: the central `(height, width)` window of images (resized when they are smaller)."""

from torchkeras.layers.preprocessing.image import resize_ops
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

    Shapes: `(..., H, W, C)` -> `(..., height, width, C)` (channels_last), 3D or 4D.
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = check_size(self, height, width)

    def call(self, inputs):
        return batch_call(self, self.cast(inputs), self._crop)

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

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        shape[self.spatial_axes[0]], shape[self.spatial_axes[1]] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}
