"""`image_dataset_from_directory`: labelled batches of images read from class sub-directories."""

import numpy as np
import torch
import torch.nn.functional as F

from torchkeras.utils import image_utils
from torchkeras.utils.dataset_from_directory import check_labels_args, make_datasets

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
CHANNELS = {"grayscale": 1, "rgb": 3, "rgba": 4}
KERAS_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5",
                        "gaussian", "mitchellcubic")
# Keras' torch backend resizes with F.interpolate in these modes (antialias off).
TORCH_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic"}


def _crop_box(height, width, target_height, target_width):
    """The largest centred `(top, left, height, width)` window with the target's aspect ratio."""
    crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
    top, left = int(float(height - crop_height) / 2), int(float(width - crop_width) / 2)
    return top, left, crop_height, crop_width


def _pad_sizes(height, width, target_height, target_width):
    """Zero rows and columns added on each side to reach the target's aspect ratio."""
    pad_height = max(height, int(float(width * target_height) / target_width))
    pad_width = max(width, int(float(height * target_width) / target_height))
    return int(float(pad_height - height) / 2), int(float(pad_width - width) / 2)


def resize_image(image, size, interpolation, crop_to_aspect_ratio, pad_to_aspect_ratio):
    """Resizes a float32 `(channels, height, width)` tensor as `keras.ops.image.resize` does on
    the torch backend: optional centred crop or zero padding to the target aspect ratio, then
    `F.interpolate` (half-pixel centres, no antialiasing)."""
    height, width = image.shape[-2:]
    if crop_to_aspect_ratio:
        top, left, crop_height, crop_width = _crop_box(height, width, *size)
        image = image[:, top:top + crop_height, left:left + crop_width]
    elif pad_to_aspect_ratio:
        rows, columns = _pad_sizes(height, width, *size)
        image = F.pad(image, (columns, columns, rows, rows))
    mode = TORCH_MODES[interpolation]
    align_corners = False if mode in ("bilinear", "bicubic") else None
    return F.interpolate(image[None], size=tuple(size), mode=mode, align_corners=align_corners)[0]


def load_image(path, image_size, color_mode, interpolation, data_format, crop_to_aspect_ratio,
               pad_to_aspect_ratio):
    """One image file as a float32 array of `image_size`, `color_mode` channels, `data_format`."""
    image_module = image_utils.pil_image()
    with image_module.open(path) as img:  # an animated GIF gives its first frame
        array = np.array(image_utils.convert_mode(img, color_mode), dtype="float32")
    image = torch.from_numpy(array.reshape(*array.shape[:2], -1)).permute(2, 0, 1)
    image = resize_image(image, image_size, interpolation, crop_to_aspect_ratio,
                         pad_to_aspect_ratio)
    return (image if data_format == "channels_first" else image.permute(1, 2, 0)).numpy()


def _check_image_args(color_mode, image_size, interpolation, crop_to_aspect_ratio,
                      pad_to_aspect_ratio):
    if color_mode not in CHANNELS:
        raise ValueError(
            '`color_mode` must be one of {"rgb", "rgba", "grayscale"}. '
            f"Received: color_mode={color_mode}"
        )
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    elif not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError(
            "Invalid `image_size` value. Expected a tuple of 2 integers. "
            f"Received: image_size={image_size}"
        )
    interpolation = interpolation.lower()
    if interpolation not in KERAS_INTERPOLATIONS:
        raise ValueError(
            f"Argument `interpolation` should be one of {KERAS_INTERPOLATIONS}. "
            f"Received: interpolation={interpolation}"
        )
    if interpolation not in TORCH_MODES:
        raise ValueError(
            f"Argument `interpolation`: {interpolation!r} is not supported by the torch backend "
            f"(as in Keras on torch); use one of {tuple(TORCH_MODES)}."
        )
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(
            "Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be set to `True`."
        )
    return tuple(image_size), interpolation


def image_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    color_mode="rgb",
    batch_size=32,
    image_size=(256, 256),
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    interpolation="bilinear",
    follow_links=False,
    crop_to_aspect_ratio=False,
    pad_to_aspect_ratio=False,
    data_format=None,
    format="tf",
    verbose=True,
):
    """Batches of images from the files under `directory`, labelled by sub-directory.

    Keras returns a `tf.data.Dataset`; this returns a `PyDataset` of numpy batches `(images,
    labels)` (images alone without labels) that `fit` takes directly, with `class_names` and
    `file_paths`. Files, labels, order and split are Keras'; pixels are those of Keras' Pillow
    path (`format="grain"`): Pillow decodes, `F.interpolate` resizes as Keras' torch backend.

    Args:
        directory: Root directory; with `labels="inferred"`, one sub-directory per class.
        labels: `"inferred"`, None, or a list of integer labels in the files' sorted order.
        label_mode: `"int"` (int32 `(batch,)`), `"categorical"` (float32 one-hot),
            `"binary"` (float32 `(batch, 1)`, two classes) or None (no labels).
        class_names: With `"inferred"`, the sub-directories to use, in label order.
        color_mode: `"grayscale"`, `"rgb"` or `"rgba"` (1, 3 or 4 channels).
        batch_size: Images per batch; None yields single images.
        image_size: `(height, width)` (or an int) every image is resized to.
        shuffle: Shuffle the files (else alphanumeric order).
        seed: Seed of the shuffle (required with `validation_split` and `shuffle`).
        validation_split: Fraction of the files kept for validation (the last ones).
        subset: `"training"`, `"validation"` or `"both"` (a list of the two datasets).
        interpolation: `"bilinear"`, `"nearest"` or `"bicubic"` (Keras' other names need
            TensorFlow).
        follow_links: Walk into symbolically linked sub-directories.
        crop_to_aspect_ratio: Resize the largest centred crop with the target aspect ratio.
        pad_to_aspect_ratio: Pad with zeros to the target aspect ratio before resizing.
        data_format: `"channels_last"` or `"channels_first"`; None for `image_data_format()`.
        format: `"tf"` or `"grain"` (Keras' choices; both give this `PyDataset`).
        verbose: Print how many files and classes were found.

    Returns:
        A `PyDataset`, or a list `[training, validation]` with `subset="both"`.

    Shapes: images `(batch, height, width, channels)` float32 (channels first with
    `data_format="channels_first"`).
    """
    check_labels_args(labels, label_mode, class_names, format, "image")
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    image_size, interpolation = _check_image_args(
        color_mode, image_size, interpolation, crop_to_aspect_ratio, pad_to_aspect_ratio
    )
    data_format = image_utils.standardize_data_format(data_format)

    def load(path):
        return load_image(path, image_size, color_mode, interpolation, data_format,
                          crop_to_aspect_ratio, pad_to_aspect_ratio)

    return make_datasets(
        directory, labels, label_mode, class_names, ALLOWLIST_FORMATS, load, batch_size,
        shuffle, seed, validation_split, subset, follow_links, verbose, "images",
    )
