"""Resizing: resizes images to `(height, width)`, optionally keeping the aspect ratio."""

import torch

from torchkeras.layers.preprocessing.image import box_support, resize_ops
from torchkeras.layers.preprocessing.image.base import (
    ImageLayer,
    batch_call,
    check_choice,
    check_size,
)
from torchkeras.registry import LAYERS


@LAYERS.register()
class Resizing(ImageLayer):
    """Resizes images to `(height, width)` with `F.interpolate`, in training and inference.

    Half-pixel centres as Keras' torch backend (`align_corners=False`, `nearest-exact`).
    Integer images come back rounded in their own dtype, as in Keras. Lanczos and area
    interpolation are refused, as Keras' torch backend refuses them.

    Args:
        height, width: Output size, positive ints.
        interpolation: `"bilinear"` (default), `"nearest"` or `"bicubic"`.
        crop_to_aspect_ratio: Take the largest centred crop with the output's aspect ratio
            before resizing (no distortion).
        pad_to_aspect_ratio: Pad evenly with `fill_value` to the output's aspect ratio before
            resizing.
        fill_mode: Padding mode; only `"constant"`.
        fill_value: Padding value when `pad_to_aspect_ratio=True`.
        antialias: Antialias when downsampling (bilinear and bicubic only).
        bounding_box_format: Format of the boxes of a detection dict input (`"xyxy"`, ...);
            boxes are scaled (and cropped or padded) with the images, then clipped; all-zero
            and all-`-1` (padding) boxes become zeros, as in Keras. Masks are resized with
            `"nearest"`.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Shapes: `(..., H, W, C)` -> `(..., height, width, C)` (channels_last), 3D or 4D.
    """

    def __init__(
        self,
        height,
        width,
        interpolation="bilinear",
        crop_to_aspect_ratio=False,
        pad_to_aspect_ratio=False,
        fill_mode="constant",
        fill_value=0.0,
        antialias=False,
        data_format=None,
        bounding_box_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = check_size(self, height, width)
        self.interpolation = check_choice(
            self, interpolation, "interpolation", tuple(resize_ops.INTERPOLATIONS)
        )
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError(
                f"Resizing '{self.name}': only one of `crop_to_aspect_ratio` and "
                f"`pad_to_aspect_ratio` can be True, got both."
            )
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = check_choice(self, fill_mode, "fill_mode", ("constant",))
        self.fill_value = fill_value
        self.antialias = bool(antialias)
        self.bounding_box_format = bounding_box_format

    def call(self, inputs):
        if isinstance(inputs, dict):
            images = box_support.detection_images(self, inputs)
            size = self.image_size(images.shape)
            return box_support.call_dict(
                self,
                inputs,
                images,
                lambda x: batch_call(self, x, self._resize),
                lambda boxes, labels: self._resize_boxes(boxes, labels, *size),
                lambda masks: batch_call(self, masks, lambda m: self._resize(m, "nearest")),
            )
        return batch_call(self, inputs, self._resize)

    def _resize(self, images, interpolation=None):
        resized = resize_ops.resize(
            self.to_nchw(images),
            (self.height, self.width),
            interpolation=interpolation or self.interpolation,
            antialias=self.antialias,
            crop=self.crop_to_aspect_ratio,
            pad=self.pad_to_aspect_ratio,
            fill_value=self.fill_value,
        )
        return self.from_nchw(resized)

    def _resize_boxes(self, boxes, labels, height, width):
        """Boxes `(B, N, 4)` of `(height, width)` images moved onto the resized images."""
        padding = ((boxes == -1).all(-1) | (boxes == 0).all(-1)).unsqueeze(-1)
        boxes = box_support.to_format(self, boxes, None, "xyxy", height, width)
        boxes = box_support.scale_shift(boxes, *self._box_geometry(height, width, boxes.device))
        boxes, labels = box_support.clip(boxes, labels, self.height, self.width)
        boxes = torch.where(padding, torch.zeros_like(boxes), boxes)
        return box_support.to_format(self, boxes, "xyxy", None, self.height, self.width), labels

    def _box_geometry(self, height, width, device):
        """`(scale_x, scale_y, shift_x, shift_y)` of the resize in float32, as Keras."""
        height = torch.tensor(float(height), device=device)
        width = torch.tensor(float(width), device=device)
        if self.pad_to_aspect_ratio:
            ratio = torch.minimum(self.height / height, self.width / width)
            shift_y = (self.height - height * ratio) // 2
            shift_x = (self.width - width * ratio) // 2
            return ratio, ratio, shift_x, shift_y
        if self.crop_to_aspect_ratio:
            source = width / height
            wider = source > self.width / self.height
            new_width = torch.where(wider, self.height * source, float(self.width))
            new_height = torch.where(wider, float(self.height), self.width / source)
            shift_x = -((new_width - self.width) // 2)
            shift_y = -((new_height - self.height) // 2)
            return new_width / width, new_height / height, shift_x, shift_y
        return self.width / width, self.height / height, 0.0, 0.0

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        shape[self.spatial_axes[0]], shape[self.spatial_axes[1]] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        return {
            **super().get_config(),
            "height": self.height,
            "width": self.width,
            "interpolation": self.interpolation,
            "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
            "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "antialias": self.antialias,
            **box_support.format_config(self),
        }
