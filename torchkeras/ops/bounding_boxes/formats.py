"""Bounding-box formats and `convert_format` (`keras.utils.bounding_boxes.convert_format`).

Every conversion goes through `xyxy`, with Keras' arithmetic in Keras' order (so results match
bit for bit). Boxes are `(..., 4)` tensors; relative (`rel_*`) formats are fractions of the
image's `height` and `width`.
"""

import torch

from torchkeras.ops import convert

SUPPORTED_FORMATS = (
    "xyxy",
    "yxyx",
    "xywh",
    "center_xywh",
    "center_yxhw",
    "rel_xyxy",
    "rel_yxyx",
    "rel_xywh",
    "rel_center_xywh",
)


def _split(boxes):
    return boxes.unbind(-1)


def _join(*coordinates):
    return torch.stack(coordinates, dim=-1)


def _half_extents(a, b, size_a, size_b):
    """Corners `(a1, b1, a2, b2)` of a box with centre `(a, b)` and sizes `(size_a, size_b)`."""
    half_a, half_b = size_a / 2.0, size_b / 2.0
    return a - half_a, b - half_b, a + half_a, b + half_b


def to_xyxy(boxes, fmt, height, width):
    """Absolute (or, for rel_* -> rel_* conversions, relative) `xyxy` boxes from `fmt`."""
    c0, c1, c2, c3 = _split(boxes)
    if fmt == "xyxy":
        return boxes
    if fmt == "yxyx":
        return _join(c1, c0, c3, c2)
    if fmt == "xywh":
        return _join(c0, c1, c0 + c2, c1 + c3)
    if fmt == "center_xywh":
        return _join(*_half_extents(c0, c1, c2, c3))
    if fmt == "center_yxhw":
        return _join(*_half_extents(c1, c0, c3, c2))
    if fmt == "rel_xyxy":
        return _join(c0 * width, c1 * height, c2 * width, c3 * height)
    if fmt == "rel_yxyx":
        return _join(c1 * width, c0 * height, c3 * width, c2 * height)
    if fmt == "rel_xywh":
        return _join(c0 * width, c1 * height, (c0 + c2) * width, (c1 + c3) * height)
    x1, y1, x2, y2 = _half_extents(c0, c1, c2, c3)  # rel_center_xywh
    return _join(x1 * width, y1 * height, x2 * width, y2 * height)


def from_xyxy(boxes, fmt, height, width):
    """`xyxy` boxes written in `fmt`."""
    x1, y1, x2, y2 = _split(boxes)
    if fmt == "xyxy":
        return boxes
    if fmt == "yxyx":
        return _join(y1, x1, y2, x2)
    if fmt == "xywh":
        return _join(x1, y1, x2 - x1, y2 - y1)
    if fmt in ("center_xywh", "center_yxhw"):
        cx, cy = x1 + ((x2 - x1) / 2.0), y1 + ((y2 - y1) / 2.0)
        w, h = x2 - x1, y2 - y1
        return _join(cx, cy, w, h) if fmt == "center_xywh" else _join(cy, cx, h, w)
    if fmt == "rel_xyxy":
        return _join(x1 / width, y1 / height, x2 / width, y2 / height)
    if fmt == "rel_yxyx":
        return _join(y1 / height, x1 / width, y2 / height, x2 / width)
    if fmt == "rel_xywh":
        return _join(x1 / width, y1 / height, (x2 - x1) / width, (y2 - y1) / height)
    rel_cx = (x1 + ((x2 - x1) / 2.0)) / width  # rel_center_xywh
    rel_cy = (y1 + ((y2 - y1) / 2.0)) / height
    return _join(rel_cx, rel_cy, (x2 - x1) / width, (y2 - y1) / height)


def check_format(fmt, argument, op):
    """`fmt` lower-cased; Keras' ValueError naming `argument` when it is not a known format."""
    name = fmt.lower() if isinstance(fmt, str) else fmt
    if name not in SUPPORTED_FORMATS:
        raise ValueError(
            f"`{op}`: `{argument}` must be one of {SUPPORTED_FORMATS}, got {argument}={fmt!r}."
        )
    return name


def convert_format(boxes, source, target, height=None, width=None, dtype="float32"):
    """Converts bounding boxes from format `source` to format `target` (case-insensitive).

    Formats: `xyxy` (left, top, right, bottom), `yxyx`, `xywh` (left, top, width, height),
    `center_xywh`, `center_yxhw`, and the relative `rel_xyxy`, `rel_yxyx`, `rel_xywh`,
    `rel_center_xywh` (fractions of the image size). As Keras, a `{"boxes", "labels"}` dict gets
    its `boxes` converted; unlike Keras, the caller's dict is not modified (a copy is returned).

    Args:
        boxes: Tensor, array or nested list of shape `(..., 4)`, or a dict with a `"boxes"` key.
        source: Format of `boxes`.
        target: Format to convert to.
        height: Image height; required when either format is relative.
        width: Image width; required when either format is relative.
        dtype: Dtype of the result (boxes are cast first). Defaults to `"float32"`.

    Returns:
        The converted boxes (or a dict holding them), on the input's device.

    Shapes: `(..., 4)` -> `(..., 4)`.
    """
    if isinstance(boxes, dict):
        converted = convert_format(boxes["boxes"], source, target, height, width, dtype)
        return {**boxes, "boxes": converted}
    boxes = convert.tensor(boxes)
    if boxes.ndim == 0 or boxes.shape[-1] != 4:
        raise ValueError(
            "`convert_format`: `boxes` must be a tensor with the last dimension of 4, got "
            f"boxes.shape={tuple(boxes.shape)}."
        )
    source = check_format(source, "source", "convert_format")
    target = check_format(target, "target", "convert_format")
    relative = source.startswith("rel_") or target.startswith("rel_")
    if relative and (height is None or width is None):
        raise ValueError(
            "`convert_format`: `height` and `width` are required to convert between relative "
            f"and absolute formats, got source={source!r}, target={target!r}, height={height}, "
            f"width={width}."
        )
    boxes = convert.tensor(boxes, dtype)
    if source == target:
        return boxes
    if width is not None:
        width = convert.tensor(width, dtype, boxes.device)
    if height is not None:
        height = convert.tensor(height, dtype, boxes.device)
    if source.startswith("rel_") and target.startswith("rel_"):
        source, target = source[4:], target[4:]
    return from_xyxy(to_xyxy(boxes, source, height, width), target, height, width)
