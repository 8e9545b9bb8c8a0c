"""Image resizing on `(B, C, H, W)` batches for the preprocessing layers: `ops.image.resize`.

The arithmetic (half-pixel centres, Keras' aspect-ratio crop and pad boxes, integer rounding,
bicubic uint8 clamping) lives in `torchkeras.ops.image_resize`; this module only fixes the
layers' channels_first calling convention.
"""

from torchkeras.ops import image_resize

INTERPOLATIONS = image_resize.RESIZE_MODES
aspect_crop_box = image_resize.aspect_crop_box


def resize(
    images, size, interpolation="bilinear", antialias=False, crop=False, pad=False, fill_value=0.0
):
    """Resizes a `(B, C, H, W)` batch to `size = (height, width)`, as `ops.image.resize`
    (centre-cropped or padded to the target aspect ratio first when `crop` or `pad`).

    Shapes: `(B, C, H, W)` -> `(B, C, height, width)`.
    """
    return image_resize.resize(
        images,
        size,
        interpolation=interpolation,
        antialias=antialias,
        crop_to_aspect_ratio=crop,
        pad_to_aspect_ratio=pad,
        fill_value=fill_value,
        data_format="channels_first",
    )
