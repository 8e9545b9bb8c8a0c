"""`encode_box_to_deltas` / `decode_deltas_to_boxes`: boxes as offsets from anchor boxes.

A delta is `((centre - anchor centre) / anchor size, log(size / anchor size))` in a centre
format (`center_yxhw` or `center_xywh`), optionally divided by a 4-element `variance`.
"""

import torch

from torchkeras import config
from torchkeras.ops import convert
from torchkeras.ops.bounding_boxes import formats

_CENTER_FORMATS = ("center_xywh", "center_yxhw")


def _variance(variance, device):
    """`variance` as a float32 tensor of 4 values (None stays None); Keras' ValueError else."""
    if variance is None:
        return None
    tensor = convert.tensor(variance, "float32", device)
    if tensor.ndim == 0 or tensor.shape[-1] != 4:
        raise ValueError(f"`variance` must be length 4, got variance={variance!r}.")
    return tensor


def _check_center_format(value, argument, op):
    if value not in _CENTER_FORMATS:
        raise ValueError(
            f"`{op}`: `{argument}` should be one of {_CENTER_FORMATS}, got {argument}={value!r}."
        )


def _image_size(image_shape):
    if image_shape is None:
        return None, None
    height, width, _ = image_shape
    return height, width


def encode_box_to_deltas(
    anchors,
    boxes,
    anchor_format,
    box_format,
    encoding_format="center_yxhw",
    variance=None,
    image_shape=None,
):
    """Encodes boxes as deltas from anchors (the regression targets of a detector).

    Args:
        anchors: Anchor boxes `(N, 4)`, in `anchor_format`.
        boxes: Boxes to encode, `(N, 4)` or `(B, N, 4)`, in `box_format`.
        anchor_format: Format of `anchors`, e.g. `"xyxy"`.
        box_format: Format of `boxes`.
        encoding_format: `"center_yxhw"` (default) or `"center_xywh"`: layout of the deltas.
        variance: 4 factors dividing the deltas, or `None`.
        image_shape: `(height, width, channels)`, used by relative formats.

    Returns:
        float32 deltas.

    Shapes: `(N, 4)`, `(..., N, 4)` -> `(..., N, 4)`.
    """
    variance = _variance(variance, convert.device_of(anchors, boxes))
    _check_center_format(encoding_format, "encoding_format", "encode_box_to_deltas")
    height, width = _image_size(image_shape)
    anchors = formats.convert_format(anchors, anchor_format, encoding_format, height, width)
    boxes = formats.convert_format(boxes, box_format, encoding_format, height, width)
    eps = torch.tensor(config.epsilon(), dtype=anchors.dtype, device=anchors.device)
    anchor_dimensions = torch.maximum(anchors[..., 2:], eps)
    box_dimensions = torch.maximum(boxes[..., 2:], eps)
    deltas = torch.cat(
        [
            (boxes[..., :2] - anchors[..., :2]) / anchor_dimensions,
            torch.log(box_dimensions / anchor_dimensions),
        ],
        dim=-1,
    )
    return deltas if variance is None else deltas / variance


def decode_deltas_to_boxes(
    anchors,
    boxes_delta,
    anchor_format,
    box_format,
    encoded_format="center_yxhw",
    variance=None,
    image_shape=None,
):
    """Decodes deltas back into boxes in `box_format` (inverse of `encode_box_to_deltas`).

    Args:
        anchors: Anchor boxes `(N, 4)`, or a dict of them per feature level.
        boxes_delta: Deltas `(N, 4)` or `(B, N, 4)`, or a dict with the keys of `anchors`.
        anchor_format: Format of `anchors`, e.g. `"xyxy"`.
        box_format: Format of the decoded boxes.
        encoded_format: `"center_yxhw"` (default) or `"center_xywh"`: layout of the deltas.
        variance: 4 factors multiplying the deltas, or `None`.
        image_shape: `(height, width, channels)`, used by relative formats.

    Returns:
        float32 boxes (a dict of them per level when given dicts).

    Shapes: `(N, 4)`, `(..., N, 4)` -> `(..., N, 4)`.
    """
    variance = _variance(variance, convert.device_of(anchors, boxes_delta))
    _check_center_format(encoded_format, "encoded_format", "decode_deltas_to_boxes")
    height, width = _image_size(image_shape)

    def decode_level(anchor, delta):
        anchor = formats.convert_format(anchor, anchor_format, encoded_format, height, width)
        delta = convert.tensor(delta, device=anchor.device)
        if variance is not None:
            delta = delta * variance
        boxes = torch.cat(
            [
                delta[..., :2] * anchor[..., 2:] + anchor[..., :2],
                torch.exp(delta[..., 2:]) * anchor[..., 2:],
            ],
            dim=-1,
        )
        return formats.convert_format(boxes, encoded_format, box_format, height, width)

    if isinstance(anchors, dict) and isinstance(boxes_delta, dict):
        return {level: decode_level(anchors[level], boxes_delta[level]) for level in anchors}
    return decode_level(anchors, boxes_delta)
