"""`clip_to_image_size`, `crop` and `pad` of `keras.utils.bounding_boxes`.

Keras implements these for `xyxy` (and `rel_xyxy` for clipping) only and raises
`NotImplementedError` for other formats; here any supported format works: its boxes are
rewritten as corners, processed with Keras' arithmetic, and written back in their format
(bit-identical to Keras for `xyxy`/`rel_xyxy`).
"""

import torch

from torchkeras.ops import convert
from torchkeras.ops.bounding_boxes import formats


def as_corners(boxes, bounding_box_format, op):
    """`(corner boxes, function writing corner boxes back in bounding_box_format)`.

    Relative formats keep relative corners (`rel_xyxy`), absolute ones absolute (`xyxy`).
    """
    fmt = formats.check_format(bounding_box_format, "bounding_box_format", op)
    layout = fmt.removeprefix("rel_")
    if layout == "xyxy":
        return boxes, lambda corners: corners
    corners = formats.to_xyxy(boxes, layout, None, None)
    return corners, lambda result: formats.from_xyxy(result, layout, None, None)


def _clip(x, upper):
    """`clip(x, 0, upper)` as Keras' torch backend does it (tensor bounds, torch.clip)."""
    zero = convert.tensor(0, device=x.device)
    if upper is None:
        return torch.clip(x, min=zero)
    return torch.clip(x, min=zero, max=convert.tensor(upper, device=x.device))


def clip_to_image_size(bounding_boxes, height=None, width=None, bounding_box_format="xyxy"):
    """Clips boxes to the image and sets the label of each box left with no area to -1.

    Absolute formats clip to `[0, width] x [0, height]`, relative ones to `[0, 1]`.

    Args:
        bounding_boxes: Dict with `"boxes"` `(N, 4)` or `(batch, N, 4)` and, optionally,
            `"labels"` `(N,)` or `(batch, N)`.
        height: Image height; required for absolute formats.
        width: Image width; required for absolute formats.
        bounding_box_format: Format of the boxes. Defaults to `"xyxy"`.

    Returns:
        A new dict with the clipped `"boxes"` (and updated `"labels"`); other keys are kept.

    Shapes: `(..., N, 4)` boxes, `(..., N)` labels -> the same shapes.
    """
    op = "clip_to_image_size"
    if not isinstance(bounding_boxes, dict) or "boxes" not in bounding_boxes:
        raise ValueError(
            f"`{op}`: `bounding_boxes` must be a dict with a 'boxes' key (and optionally "
            f"'labels'), got bounding_boxes={bounding_boxes!r}."
        )
    fmt = formats.check_format(bounding_box_format, "bounding_box_format", op)
    relative = fmt.startswith("rel_")
    if not relative and (height is None or width is None):
        raise ValueError(
            f"`{op}`: `height` and `width` must be set for the absolute format "
            f"bounding_box_format={bounding_box_format!r}, got height={height}, width={width}."
        )
    boxes = convert.tensor(bounding_boxes["boxes"])
    labels = bounding_boxes.get("labels", None)
    corners, back = as_corners(boxes, fmt, op)
    x1, y1, x2, y2 = corners.unbind(-1)
    if relative:
        zero = convert.tensor(0.0, device=boxes.device)
        one = convert.tensor(1.0, device=boxes.device)
        x1, y1, x2, y2 = (torch.clip(c, min=zero, max=one) for c in (x1, y1, x2, y2))
    else:
        width = convert.tensor(width, corners.dtype, boxes.device)
        height = convert.tensor(height, corners.dtype, boxes.device)
        x1, x2 = _clip(x1, width), _clip(x2, width)
        y1, y2 = _clip(y1, height), _clip(y2, height)
    result = dict(bounding_boxes)
    result["boxes"] = back(torch.stack([x1, y1, x2, y2], dim=-1))
    if labels is not None:
        labels = convert.tensor(labels, device=boxes.device)
        result["labels"] = torch.where((x2 - x1) * (y2 - y1) > 0, labels, -1)
    return result


def crop(boxes, top, left, height, width, bounding_box_format="xyxy"):
    """Moves boxes into a crop window `(top, left, height, width)` and clips them to it.

    Args:
        boxes: Boxes `(N, 4)` or `(batch, N, 4)`.
        top: Vertical offset of the window's top-left corner (the boxes' units).
        left: Horizontal offset of the window's top-left corner.
        height: Height of the window; `None` leaves the bottom unclipped.
        width: Width of the window; `None` leaves the right side unclipped.
        bounding_box_format: Format of the boxes. Defaults to `"xyxy"`.

    Returns:
        The cropped boxes, in `bounding_box_format`.

    Shapes: `(..., 4)` -> `(..., 4)`.
    """
    corners, back = as_corners(convert.tensor(boxes), bounding_box_format, "crop")
    x1, y1, x2, y2 = corners.unbind(-1)
    x1, x2 = _clip(x1 - left, width), _clip(x2 - left, width)
    y1, y2 = _clip(y1 - top, height), _clip(y2 - top, height)
    return back(torch.stack([x1, y1, x2, y2], dim=-1))


def pad(boxes, top, left, height=None, width=None, bounding_box_format="xyxy"):
    """Shifts boxes by the `top` and `left` padding added to their image.

    Args:
        boxes: Boxes `(N, 4)` or `(batch, N, 4)`.
        top: Padding added above the image (the boxes' units).
        left: Padding added left of the image.
        height: Unused, as in Keras (the padded image's height).
        width: Unused, as in Keras (the padded image's width).
        bounding_box_format: Format of the boxes. Defaults to `"xyxy"`.

    Returns:
        The shifted boxes, in `bounding_box_format`.

    Shapes: `(..., 4)` -> `(..., 4)`.
    """
    corners, back = as_corners(convert.tensor(boxes), bounding_box_format, "pad")
    x1, y1, x2, y2 = corners.unbind(-1)
    return back(torch.stack([x1 + left, y1 + top, x2 + left, y2 + top], dim=-1))
