"""`affine_transform`: the boxes' corners moved by the (inverse) affine matrix of the image
augmentation layers, each box replaced by the bounding box of its 4 moved corners."""

import math

import torch

from torchkeras.ops import convert
from torchkeras.ops.bounding_boxes import clipping


def _as_batch(value, device):
    """A per-image parameter as a 1D tensor (a scalar becomes a batch of one)."""
    value = convert.tensor(value, device=device)
    return value.reshape(1) if value.ndim == 0 else value


def _inverse_affine_matrix(center, angle, translate, scale, shear, height, width):
    """`(B, 3, 3)` inverse affine matrices, in Keras' (torchvision's) parametrisation."""
    (center_x, center_y), (translate_x, translate_y) = center, translate
    shear_x, shear_y = shear
    angle, shear_x, shear_y = -angle, -shear_x, -shear_y
    cx, cy = torch.multiply(center_x, width - 1), torch.multiply(center_y, height - 1)
    rot = torch.multiply(angle, 1.0 / 180.0 * math.pi)
    tx, ty = torch.multiply(-translate_x, width - 1), torch.multiply(-translate_y, height - 1)
    sx = torch.multiply(shear_x, 1.0 / 180.0 * math.pi)
    sy = torch.multiply(shear_y, 1.0 / 180.0 * math.pi)
    cos_sy, tan_sx = torch.cos(sy), torch.tan(sx)
    rot_minus_sy, cx_plus_tx, cy_plus_ty = rot - sy, cx + tx, cy + ty
    # rotation and shear without scaling; det([[a, b], [c, d]]) == 1
    a = torch.cos(rot_minus_sy) / cos_sy
    b = a * tan_sx + torch.sin(rot)
    c = -torch.sin(rot_minus_sy) / cos_sy
    d = torch.cos(rot) - c * tan_sx
    a0, a1 = torch.multiply(d, scale), torch.multiply(-b, scale)
    b0, b1 = torch.multiply(-c, scale), torch.multiply(a, scale)
    a2 = cx - a0 * cx_plus_tx - a1 * cy_plus_ty
    b2 = cy - b0 * cx_plus_tx - b1 * cy_plus_ty
    rows = torch.broadcast_tensors(a0, a1, a2, b0, b1, b2)
    zeros = torch.zeros_like(rows[0])
    return torch.stack([*rows, zeros, zeros, torch.ones_like(zeros)], dim=-1).reshape(-1, 3, 3)


def affine_transform(
    boxes,
    angle,
    translate_x,
    translate_y,
    scale,
    shear_x,
    shear_y,
    height,
    width,
    center_x=None,
    center_y=None,
    bounding_box_format="xyxy",
):
    """Applies an affine transformation (rotation, translation, scale, shear) to boxes.

    Keras accepts only batched `xyxy` boxes with 1D parameters; here unbatched boxes `(N, 4)`
    (with scalar or one-element parameters) and any format work too.

    Args:
        boxes: Boxes `(batch, N, 4)` or `(N, 4)`.
        angle: Rotation in degrees, one per image `(batch,)`.
        translate_x: Horizontal translation, a fraction of the width, `(batch,)`.
        translate_y: Vertical translation, a fraction of the height, `(batch,)`.
        scale: Scaling factor `(batch,)`.
        shear_x: Shear angle along x in degrees `(batch,)`.
        shear_y: Shear angle along y in degrees `(batch,)`.
        height: Image height.
        width: Image width.
        center_x: Centre of the transformation, a fraction of the width; default 0.5.
        center_y: Centre of the transformation, a fraction of the height; default 0.5.
        bounding_box_format: Format of the boxes. Defaults to `"xyxy"`.

    Returns:
        The transformed boxes, in `bounding_box_format`, dtype of `angle`.

    Shapes: `(B, N, 4)` -> `(B, N, 4)`; `(N, 4)` -> `(N, 4)`.
    """
    boxes = convert.tensor(boxes)
    corners, back = clipping.as_corners(boxes, bounding_box_format, "affine_transform")
    unbatched = corners.ndim == 2
    corners = corners.unsqueeze(0) if unbatched else corners
    device = corners.device
    angle, translate_x, translate_y, scale, shear_x, shear_y = (
        _as_batch(value, device)
        for value in (angle, translate_x, translate_y, scale, shear_x, shear_y)
    )
    center = tuple(
        convert.tensor(0.5 if c is None else c, device=device) for c in (center_x, center_y)
    )
    height, width = convert.tensor(height, device=device), convert.tensor(width, device=device)
    matrix = _inverse_affine_matrix(
        center, angle, (translate_x, translate_y), scale, (shear_x, shear_y), height, width
    ).to(angle.dtype)
    corners = corners.to(matrix.dtype)
    x1, y1, x2, y2 = corners.unbind(-1)
    points = torch.stack([x1, y1, x2, y1, x2, y2, x1, y2], dim=-1)
    points = points.reshape(*corners.shape[:2], 4, 2)
    points = torch.cat([points, torch.ones_like(points[..., :1])], dim=-1)
    moved = torch.einsum("bnxy,byz->bnxz", points, matrix[:, :2, :].transpose(1, 2))
    result = back(torch.cat([moved.amin(dim=2), moved.amax(dim=2)], dim=-1))
    return result.squeeze(0) if unbatched else result
