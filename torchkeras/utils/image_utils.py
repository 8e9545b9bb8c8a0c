"""Image files <-> numpy arrays through Pillow: `load_img`, `img_to_array`, `array_to_img`,
`save_img`, as in `keras.utils`.

Pillow is an optional dependency (`pip install pillow`, or the `image` extra); it is imported
when one of these functions runs, so the rest of the package works without it.
"""

import io
import os
import pathlib
import warnings

import numpy as np

from torchkeras import config
from torchkeras.utils.atomic_io import atomic_write

INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")
COLOR_MODES = ("grayscale", "rgb", "rgba")
# color_mode -> (the Pillow mode images are converted to, the modes kept as they are)
_PIL_MODES = {"grayscale": ("L", ("L", "I;16", "I")), "rgb": ("RGB", ("RGB",)),
              "rgba": ("RGBA", ("RGBA",))}


def pil_image():
    """The `PIL.Image` module, or an ImportError saying how to install Pillow."""
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError(
            "Image loading and saving in torchkeras.utils need Pillow, which is not installed: "
            "`pip install pillow` (or `pip install torchkeras-native[image]`)."
        ) from error
    return Image


def standardize_data_format(data_format):
    """`data_format`, or the global `image_data_format()` when None; a ValueError otherwise."""
    if data_format is None:
        return config.image_data_format()
    data_format = str(data_format).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(
            'The `data_format` argument must be one of {"channels_first", "channels_last"}. '
            f"Received: data_format={data_format}"
        )
    return data_format


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """Converts a 3D array (one image) to a Pillow image.

    Same rule as Keras: with `scale`, values are shifted and stretched to span [0, 255];
    then the array is cast to uint8 (int32, mode "I", for one channel above 255).

    Args:
        x: Array-like of rank 3, `(height, width, channels)` or `(channels, height, width)`.
        data_format: `"channels_last"` or `"channels_first"`; None for `image_data_format()`.
        scale: Whether to rescale the values to [0, 255].
        dtype: Dtype `x` is read as; None for `floatx()`.

    Returns:
        A `PIL.Image.Image` in mode "RGBA", "RGB", "L" or "I" (4, 3 or 1 channels).
    """
    data_format = standardize_data_format(data_format)
    dtype = config.floatx() if dtype is None else dtype
    image_module = pil_image()
    x = np.asarray(x, dtype=dtype)
    if x.ndim != 3:
        raise ValueError(
            f"array_to_img expects an image array of rank 3 (one image). Got shape: {x.shape}"
        )
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    channels = x.shape[2]
    if channels in (3, 4):
        return image_module.fromarray(x.astype("uint8"), "RGBA" if channels == 4 else "RGB")
    if channels == 1:
        if np.max(x) > 255:
            return image_module.fromarray(x[:, :, 0].astype("int32"), "I")
        return image_module.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(
        f"array_to_img supports 1, 3 or 4 channels. Received an array of shape {x.shape} "
        f"({channels} channels with data_format={data_format!r})."
    )


def img_to_array(img, data_format=None, dtype=None):
    """Converts a Pillow image (or any array-like of rank 2 or 3) to a 3D numpy array.

    Args:
        img: A `PIL.Image.Image`.
        data_format: `"channels_last"` or `"channels_first"`; None for `image_data_format()`.
        dtype: Dtype of the result; None for `floatx()`.

    Returns:
        An array `(height, width, channels)` (or `(channels, height, width)`); a one-band
        image gets a channel axis of size 1.
    """
    data_format = standardize_data_format(data_format)
    dtype = config.floatx() if dtype is None else dtype
    x = np.asarray(img, dtype=dtype)
    if x.ndim == 3:
        return x.transpose(2, 0, 1) if data_format == "channels_first" else x
    if x.ndim == 2:
        shape = (1, *x.shape) if data_format == "channels_first" else (*x.shape, 1)
        return x.reshape(shape)
    raise ValueError(f"img_to_array supports images of rank 2 or 3. Got shape: {x.shape}")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Saves an image array to a file path (written atomically) or a writable file object.

    Args:
        path: File path (str, bytes or `os.PathLike`) or a binary file object.
        x: Image array, as `array_to_img` takes it.
        data_format: `"channels_last"` or `"channels_first"`; None for `image_data_format()`.
        file_format: Format name (`"png"`, `"jpeg"` ...); None to use the path's extension
            (required for a file object).
        scale: Whether to rescale the values to [0, 255].
        **kwargs: Passed on to `PIL.Image.Image.save` (e.g. `quality=90`).
    """
    data_format = standardize_data_format(data_format)
    is_path = isinstance(path, (str, bytes, os.PathLike))
    if is_path:
        path = os.fsdecode(path)
    if file_format is None and is_path:
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.")
        img = img.convert("RGB")
    if not is_path:
        img.save(path, format=file_format, **kwargs)
        return
    if not file_format:
        raise ValueError(
            f"save_img cannot tell the image format of path={path!r}: give the path "
            "an extension such as .png, or pass `file_format`."
        )
    with atomic_write(path) as file:
        img.save(file, format=file_format, **kwargs)


def _open(path, image_module):
    if isinstance(path, io.BytesIO):
        return image_module.open(path)
    if isinstance(path, (str, bytes, pathlib.Path)):
        if isinstance(path, pathlib.Path):
            path = str(path.resolve())
        with open(path, "rb") as file:
            return image_module.open(io.BytesIO(file.read()))
    raise TypeError(f"load_img: path should be path-like or io.BytesIO, not {type(path)}")


def convert_mode(img, color_mode):
    """`img` in the Pillow mode of `color_mode` (8/16/32-bit one-band images stay as they are)."""
    if color_mode not in _PIL_MODES:
        raise ValueError(
            f'color_mode must be "grayscale", "rgb", or "rgba". Received: color_mode={color_mode}'
        )
    mode, kept = _PIL_MODES[color_mode]
    return img if img.mode in kept else img.convert(mode)


def resampling(interpolation, image_module):
    """Pillow's resampling filter for a Keras interpolation name."""
    if interpolation not in INTERPOLATIONS:
        raise ValueError(
            f"Invalid interpolation method {interpolation} specified. Supported methods are "
            f"{', '.join(INTERPOLATIONS)}"
        )
    filters = getattr(image_module, "Resampling", image_module)  # Pillow >= 9.1 has Resampling
    return getattr(filters, interpolation.upper())


def _center_crop_box(size, target):
    """The largest centred `(left, upper, right, lower)` box of `size` with `target`'s aspect."""
    width, height = size
    target_width, target_height = target
    crop_height = min(height, (width * target_height) // target_width)
    crop_width = min(width, (height * target_width) // target_height)
    top, left = (height - crop_height) // 2, (width - crop_width) // 2
    return [left, top, left + crop_width, top + crop_height]


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """Loads an image file into a Pillow image, converted to `color_mode` and resized.

    Args:
        path: File path (str, bytes or `pathlib.Path`) or an `io.BytesIO`.
        color_mode: `"grayscale"`, `"rgb"` or `"rgba"`.
        target_size: None (keep the size) or `(height, width)`.
        interpolation: Pillow filter when resizing: `"nearest"`, `"bilinear"`, `"bicubic"`,
            `"hamming"`, `"box"` or `"lanczos"`.
        keep_aspect_ratio: Resize the largest centred crop with the target's aspect ratio,
            rather than the whole (distorted) image.

    Returns:
        A `PIL.Image.Image`.
    """
    image_module = pil_image()
    img = convert_mode(_open(path, image_module), color_mode)
    if target_size is None:
        return img
    width_height = (target_size[1], target_size[0])
    if img.size == width_height:
        return img
    resample = resampling(interpolation, image_module)
    if keep_aspect_ratio:
        return img.resize(width_height, resample, box=_center_crop_box(img.size, width_height))
    return img.resize(width_height, resample)
