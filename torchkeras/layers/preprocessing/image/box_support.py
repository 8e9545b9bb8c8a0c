"""Keras' detection dict through the geometric image layers: the plumbing shared by Resizing,
CenterCrop, RandomFlip, RandomCrop, RandomTranslation, RandomZoom and RandomRotation.

A detection sample is `{"images": ..., "bounding_boxes": {"boxes": (B, N, 4), "labels": (B, N)},
"labels": ..., "segmentation_masks": ...}` (unbatched: no `B`). Each layer draws its transform
once, then hands `call_dict` three closures over it: one for the images, one for a batch of boxes
(always batched here, in the layer's `bounding_box_format`) and one for the masks.
"""

import torch

from torchkeras.ops import bounding_boxes as bbox
from torchkeras.ops import convert


def detection_images(layer, data):
    """The `"images"` of a detection dict as a tensor, rank-checked (3D or 4D)."""
    if "images" not in data:
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': a dict input must have an 'images' key, "
            f"got keys {sorted(data)}."
        )
    images = convert.tensor(data["images"])
    layer.check_rank(images)
    return images


def call_dict(layer, data, images, transform_images, transform_boxes, transform_masks):
    """Transforms a detection dict as Keras does; returns a new dict (the caller's is kept).

    Args:
        layer: The calling layer (its `bounding_box_format` and name are read).
        data: The dict input.
        images: `data["images"]` as a tensor (from `detection_images`).
        transform_images: Function of the images (3D or 4D) -> images.
        transform_boxes: Function of batched `(boxes (B, N, 4) float32, labels (B, N))` in the
            layer's `bounding_box_format` -> `(boxes, labels)`.
        transform_masks: Function of the segmentation masks (3D or 4D) -> masks.
    """
    outputs = dict(data)
    outputs["images"] = transform_images(images)
    if "bounding_boxes" in data:
        batched = images.ndim == 4
        outputs["bounding_boxes"] = _boxes(layer, data["bounding_boxes"], batched, transform_boxes)
    if "labels" in data:
        outputs["labels"] = convert.tensor(data["labels"])
    if "segmentation_masks" in data:
        outputs["segmentation_masks"] = transform_masks(convert.tensor(data["segmentation_masks"]))
    return outputs


def _boxes(layer, bounding_boxes, batched, transform):
    """Checks and densifies `{"boxes", "labels"}`, runs `transform` on a batch of them."""
    name = f"{type(layer).__name__} '{layer.name}'"
    if not layer.bounding_box_format:
        raise ValueError(
            f"{name}: the input has a 'bounding_boxes' key but the layer has no "
            f"`bounding_box_format`; pass one, e.g. bounding_box_format='xyxy'."
        )
    boxes, labels = checked_boxes(name, bounding_boxes, batched)
    if not batched:
        boxes, labels = boxes.unsqueeze(0), labels.unsqueeze(0)
    boxes, labels = transform(boxes, labels)
    if not batched:
        boxes, labels = boxes.squeeze(0), labels.squeeze(0)
    return {**bounding_boxes, "boxes": boxes, "labels": labels}


def checked_boxes(name, bounding_boxes, batched):
    """`(boxes, labels)` of a `{"boxes", "labels"}` dict as tensors (float32 boxes), or a
    `ValueError` naming `name` when the dict or the boxes' shape is not Keras'."""
    if not isinstance(bounding_boxes, dict) or not {"boxes", "labels"} <= set(bounding_boxes):
        raise ValueError(
            f"{name}: `bounding_boxes` must be a dict with keys 'boxes' and 'labels', got "
            f"bounding_boxes={bounding_boxes!r}."
        )
    boxes = convert.tensor(bounding_boxes["boxes"], "float32")
    labels = convert.tensor(bounding_boxes["labels"], device=boxes.device)
    if boxes.ndim != (3 if batched else 2) or boxes.shape[-1] != 4:
        expected = "(batch, num_boxes, 4)" if batched else "(num_boxes, 4)"
        raise ValueError(
            f"{name}: `bounding_boxes['boxes']` must have shape {expected} for these images, "
            f"got shape {tuple(boxes.shape)}."
        )
    return boxes, labels


def unchanged(boxes, labels):
    """The box transform of a layer at inference (boxes only densified to float32)."""
    return boxes, labels


# ---- small box operations, in Keras' float32 arithmetic --------------------------------------
def to_format(layer, boxes, source, target, height, width):
    """`convert_format` with `None` meaning the layer's `bounding_box_format`."""
    source = source or layer.bounding_box_format
    target = target or layer.bounding_box_format
    return bbox.convert_format(boxes, source, target, height=height, width=width)


def clip(boxes, labels, height, width, bounding_box_format="xyxy"):
    """`clip_to_image_size` on a `(boxes, labels)` pair (labels of empty boxes become -1)."""
    clipped = bbox.clip_to_image_size(
        {"boxes": boxes, "labels": labels}, height, width, bounding_box_format
    )
    return clipped["boxes"], clipped["labels"]


def clip_window(boxes, top, left, bottom, right):
    """`xyxy` boxes clipped to a window and moved to its origin (bounds: numbers or `(B, 1)`)."""
    x1, y1, x2, y2 = boxes.unbind(-1)
    xs = [torch.clip(x, left, right) - left for x in (x1, x2)]
    ys = [torch.clip(y, top, bottom) - top for y in (y1, y2)]
    return torch.stack([xs[0], ys[0], xs[1], ys[1]], dim=-1)


def scale_shift(boxes, scale_x, scale_y, shift_x, shift_y):
    """`xyxy` boxes `x * scale_x + shift_x`, `y * scale_y + shift_y`."""
    x1, y1, x2, y2 = boxes.unbind(-1)
    return torch.stack(
        [x1 * scale_x + shift_x, y1 * scale_y + shift_y, x2 * scale_x + shift_x,
         y2 * scale_y + shift_y],
        dim=-1,
    )


def format_config(layer):
    """`{"bounding_box_format": ...}` when the layer has one (Keras' config), else `{}`."""
    if layer.bounding_box_format is None:
        return {}
    return {"bounding_box_format": layer.bounding_box_format}
