"""AffineLayer: the base of RandomRotation, RandomZoom and RandomTranslation."""

from torchkeras.layers.preprocessing.image import affine_ops, box_support
from torchkeras.layers.preprocessing.image.base import (
    ImageLayer,
    batch_call,
    check_choice,
)
from torchkeras.layers.regularization import _seeded


class AffineLayer(ImageLayer):
    """Warps each image of a batch by its own random affine transform, only while training.

    Subclasses draw the transforms (`sample`: a 4D batch -> `(B, 8)` Keras transform vectors);
    the whole batch is then warped by one `F.grid_sample` call. At inference the layer only
    casts to its dtype (uint8 images become float32), as Keras.

    A detection dict input (`{"images", "bounding_boxes", "segmentation_masks", ...}`) needs
    `bounding_box_format`; subclasses move the boxes (`transform_boxes`) as Keras does, from the
    parameters `box_sample` drew with the transforms. Masks are warped with `"nearest"` while
    training (keeping their dtype) and returned unchanged at inference, as Keras.

    Args:
        fill_mode: Values read outside the image: `"reflect"` (default), `"wrap"`,
            `"constant"` or `"nearest"`.
        interpolation: `"bilinear"` (default) or `"nearest"`.
        seed: Optional int seed of the layer's own random generator.
        fill_value: The value outside the image when `fill_mode="constant"`.
        data_format: `"channels_last"` (default) or `"channels_first"`.
        bounding_box_format: Format of the boxes of a detection dict input.

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, bounding_box_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.fill_mode = check_choice(self, fill_mode, "fill_mode", affine_ops.FILL_MODES)
        self.interpolation = check_choice(
            self, interpolation, "interpolation", affine_ops.INTERPOLATIONS
        )
        self.seed = _seeded.check_seed(self, seed)
        self.fill_value = fill_value
        self.bounding_box_format = bounding_box_format

    def call(self, inputs, training=False):
        if isinstance(inputs, dict):
            return self._call_dict(inputs, training)
        self.check_rank(inputs)
        images = self.cast(inputs)
        if not training:
            return images
        return batch_call(self, images, lambda batch: self.warp(batch, self.sample(batch)))

    def box_sample(self, images):
        """`(transforms (B, 8), parameters for transform_boxes)` of a 4D batch."""
        transform = self.sample(images)
        return transform, transform

    def _call_dict(self, data, training):
        """A detection dict: images, boxes and masks moved by the same draws."""
        images = box_support.detection_images(self, data)
        if not training:
            return box_support.call_dict(
                self, data, images, self.cast, box_support.unchanged, lambda masks: masks
            )
        transform, parameters = self.box_sample(images if images.ndim == 4 else images[None])
        size = self.image_size(images.shape)

        def warp_images(x, interpolation=None):
            return batch_call(self, self.cast(x), lambda b: self.warp(b, transform, interpolation))

        return box_support.call_dict(
            self,
            data,
            images,
            warp_images,
            lambda boxes, labels: self.transform_boxes(boxes, labels, parameters, *size),
            lambda masks: warp_images(masks, "nearest").to(masks.dtype),
        )

    def warp(self, images, transform, interpolation=None):
        """Applies the transforms `(B, 8)` to a 4D batch (in the layer's data format)."""
        warped = affine_ops.affine_transform(
            self.to_nchw(images),
            transform,
            interpolation=interpolation or self.interpolation,
            fill_mode=self.fill_mode,
            fill_value=self.fill_value,
        )
        return self.from_nchw(warped)

    def get_config(self):
        return {
            **super().get_config(),
            "fill_mode": self.fill_mode,
            "interpolation": self.interpolation,
            "seed": self.seed,
            "fill_value": self.fill_value,
            **box_support.format_config(self),
        }
