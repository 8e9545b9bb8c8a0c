"""`keras.utils.bounding_boxes`: converting, clipping, cropping, padding, comparing (IoU) and
encoding bounding boxes, on torch tensors with Keras 3's numerics."""

from torchkeras.ops.bounding_boxes.affine import affine_transform
from torchkeras.ops.bounding_boxes.clipping import clip_to_image_size, crop, pad
from torchkeras.ops.bounding_boxes.deltas import (
    decode_deltas_to_boxes,
    encode_box_to_deltas,
)
from torchkeras.ops.bounding_boxes.formats import convert_format
from torchkeras.ops.bounding_boxes.iou import compute_ciou, compute_iou

__all__ = [
    "affine_transform",
    "clip_to_image_size",
    "compute_ciou",
    "compute_iou",
    "convert_format",
    "crop",
    "decode_deltas_to_boxes",
    "encode_box_to_deltas",
    "pad",
]
