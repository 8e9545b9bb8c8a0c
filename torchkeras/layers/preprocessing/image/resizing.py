"""Resizing: resizes images to `(height, width)`, optionally keeping the aspect ratio."""

from torchkeras.layers.preprocessing.image import resize_ops
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

    def call(self, inputs):
        return batch_call(self, inputs, self._resize)

    def _resize(self, images):
        resized = resize_ops.resize(
            self.to_nchw(images),
            (self.height, self.width),
            interpolation=self.interpolation,
            antialias=self.antialias,
            crop=self.crop_to_aspect_ratio,
            pad=self.pad_to_aspect_ratio,
            fill_value=self.fill_value,
        )
        return self.from_nchw(resized)

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
        }
