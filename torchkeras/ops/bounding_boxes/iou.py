"""`compute_iou` (pairwise IoU tables) and `compute_ciou` (Complete IoU) of bounding boxes."""

import math

import torch

from torchkeras import config
from torchkeras.ops import convert
from torchkeras.ops.bounding_boxes import formats


def _image_size(image_shape, bounding_box_format, op):
    """`(height, width)` from `image_shape`; a ValueError when a relative format lacks it."""
    if "rel" in bounding_box_format and image_shape is None:
        raise ValueError(
            f"`{op}`: relative bounding box formats (got bounding_box_format="
            f"{bounding_box_format!r}) need the `image_shape` argument (height, width, "
            f"channels), got image_shape={image_shape}."
        )
    if image_shape is None:
        return None, None
    height, width, _ = image_shape
    return height, width


def _check_rank(boxes, argument):
    if boxes.ndim not in (2, 3):
        raise ValueError(
            f"`compute_iou`: `{argument}` must be batched `(batch, N, 4)` or unbatched "
            f"`(N, 4)`, got {argument}.shape={tuple(boxes.shape)}."
        )


def _rows_by_columns(a1, a2):
    """`a1` `(..., M)` as rows and `a2` `(..., N)` as columns: `(..., M, 1)`, `(..., 1, N)`."""
    return a1.unsqueeze(-1), a2.unsqueeze(-2)


def compute_iou(
    boxes1, boxes2, bounding_box_format, use_masking=False, mask_val=-1, image_shape=None
):
    """Pairwise intersection over union of two sets of boxes.

    Ranks may differ: `(B, M, 4)` or `(M, 4)` against `(B, N, 4)` or `(N, 4)` gives
    `(B, M, N)` (or `(M, N)` when both are unbatched). Keras fails when masking boxes of different
    ranks; here the mask broadcasts like the table.

    Args:
        boxes1: First boxes, in `bounding_box_format`.
        boxes2: Second boxes, in `bounding_box_format`.
        bounding_box_format: Format of both (case-insensitive), e.g. `"xyxy"`.
        use_masking: Whether pairs involving a box whose coordinates are all negative get
            `mask_val` instead of their IoU. Defaults to `False`.
        mask_val: Value of masked pairs. Defaults to -1.
        image_shape: `(height, width, channels)`; required for relative formats.

    Returns:
        The float32 IoU table.

    Shapes: `(..., M, 4)`, `(..., N, 4)` -> `(..., M, N)`.
    """
    boxes1, boxes2 = convert.tensors(boxes1, boxes2)
    _check_rank(boxes1, "boxes1")
    _check_rank(boxes2, "boxes2")
    height, width = _image_size(image_shape, bounding_box_format, "compute_iou")
    boxes1 = formats.convert_format(boxes1, bounding_box_format, "yxyx", height, width)
    boxes2 = formats.convert_format(boxes2, bounding_box_format, "yxyx", height, width)
    y_min1, x_min1, y_max1, x_max1 = boxes1.unbind(-1)
    y_min2, x_min2, y_max2, x_max2 = boxes2.unbind(-1)
    intersect_height = torch.minimum(*_rows_by_columns(y_max1, y_max2)) - torch.maximum(
        *_rows_by_columns(y_min1, y_min2)
    )
    intersect_width = torch.minimum(*_rows_by_columns(x_max1, x_max2)) - torch.maximum(
        *_rows_by_columns(x_min1, x_min2)
    )
    zero = torch.zeros((), dtype=intersect_height.dtype, device=intersect_height.device)
    intersect_area = torch.maximum(zero, intersect_height) * torch.maximum(zero, intersect_width)
    area1, area2 = _rows_by_columns(
        (y_max1 - y_min1) * (x_max1 - x_min1), (y_max2 - y_min2) * (x_max2 - x_min2)
    )
    union_area = area1 + area2 - intersect_area
    iou = torch.divide(intersect_area, union_area + config.epsilon())
    if not use_masking:
        return iou
    background = torch.logical_or(
        *_rows_by_columns(boxes1.amax(dim=-1) < 0.0, boxes2.amax(dim=-1) < 0.0)
    )
    mask_values = convert.tensor(mask_val, iou.dtype, iou.device) * torch.ones_like(iou)
    return torch.where(background, mask_values, iou)


def compute_ciou(boxes1, boxes2, bounding_box_format, image_shape=None):
    """Complete IoU of matching boxes: IoU minus centre-distance and aspect-ratio penalties.

    Elementwise (broadcasting), not pairwise. Keras refuses every relative format, even with
    `image_shape`; here relative formats work when `image_shape` is given.

    Args:
        boxes1: First boxes, in `bounding_box_format`.
        boxes2: Second boxes, in `bounding_box_format`.
        bounding_box_format: Format of both (case-insensitive), e.g. `"xyxy"`.
        image_shape: `(height, width, channels)`; required for relative formats.

    Returns:
        The float32 CIoU of each pair of boxes.

    Shapes: `(..., 4)`, `(..., 4)` -> `(...)` (broadcast).
    """
    eps = config.epsilon()
    height, width = _image_size(image_shape, bounding_box_format, "compute_ciou")
    boxes1 = formats.convert_format(boxes1, bounding_box_format, "xyxy", height, width)
    boxes2 = formats.convert_format(boxes2, bounding_box_format, "xyxy", height, width)
    x_min1, y_min1, x_max1, y_max1 = boxes1.unbind(-1)
    x_min2, y_min2, x_max2, y_max2 = boxes2.unbind(-1)
    width_1, height_1 = x_max1 - x_min1, y_max1 - y_min1 + eps
    width_2, height_2 = x_max2 - x_min2, y_max2 - y_min2 + eps
    zero = torch.zeros((), dtype=boxes1.dtype, device=boxes1.device)
    intersection_area = torch.maximum(
        torch.minimum(x_max1, x_max2) - torch.maximum(x_min1, x_min2), zero
    ) * torch.maximum(torch.minimum(y_max1, y_max2) - torch.maximum(y_min1, y_min2), zero)
    union_area = width_1 * height_1 + width_2 * height_2 - intersection_area + eps
    iou = torch.divide(intersection_area, union_area + eps)
    convex_width = torch.maximum(x_max1, x_max2) - torch.minimum(x_min1, x_min2)
    convex_height = torch.maximum(y_max1, y_max2) - torch.minimum(y_min1, y_min2)
    convex_diagonal_squared = convex_width**2 + convex_height**2 + eps
    centers_distance_squared = ((x_min1 + x_max1) / 2 - (x_min2 + x_max2) / 2) ** 2 + (
        (y_min1 + y_max1) / 2 - (y_min2 + y_max2) / 2
    ) ** 2
    two = convert.tensor(2, device=boxes1.device)
    v = (4 / math.pi**2) * torch.pow(
        torch.arctan(width_2 / height_2) - torch.arctan(width_1 / height_1), two
    )
    alpha = v / (v - iou + (1 + eps))
    return iou - (centers_distance_squared / convex_diagonal_squared + v * alpha)
