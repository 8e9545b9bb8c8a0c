"""MaxNumBoundingBoxes: pads or truncates the boxes of a detection sample to a fixed count."""

import torch

from torchkeras.layers.preprocessing.image import box_support
from torchkeras.layers.preprocessing.image.base import ImageLayer
from torchkeras.ops import convert
from torchkeras.registry import LAYERS


def _fit(values, axis, max_number, fill_value):
    """`values` truncated to `max_number` entries along `axis`, then padded with `fill_value`."""
    values = values.narrow(axis, 0, min(values.shape[axis], max_number))
    missing = max_number - values.shape[axis]
    if missing == 0:
        return values
    shape = (*values.shape[:axis], missing, *values.shape[axis + 1 :])
    padding = torch.full(shape, fill_value, dtype=values.dtype, device=values.device)
    return torch.cat([values, padding], dim=axis)


@LAYERS.register()
class MaxNumBoundingBoxes(ImageLayer):
    """Makes every sample hold exactly `max_number` bounding boxes (for batching/static shapes).

    Takes Keras' detection dict `{"images", "bounding_boxes": {"boxes", "labels"}, ...}` and
    truncates or pads `boxes` (cast to float32) and `labels` with `fill_value`; images and
    other keys pass through unchanged; a bare image tensor is returned as is. Unlike Keras, a
    `bounding_box_format` is optional (the count does not depend on it), the caller's dict is
    not modified (a new dict is returned), and `get_config()` keeps `fill_value` (Keras drops
    it, so a reloaded Keras layer pads with -1).

    Args:
        max_number: Number of boxes per sample in the output.
        fill_value: Value of the padded boxes' coordinates and labels. Defaults to -1.
        bounding_box_format: Optional format of the boxes (stored in the config, as Keras).
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Shapes: images `(B, H, W, C)` or `(H, W, C)` unchanged; boxes `(B, N, 4)` ->
        `(B, max_number, 4)` and labels `(B, N)` -> `(B, max_number)` (unbatched: no `B`).
    """

    def __init__(
        self, max_number, fill_value=-1, bounding_box_format=None, data_format=None, **kwargs
    ):
        super().__init__(data_format=data_format, **kwargs)
        self.max_number = int(max_number)
        self.fill_value = int(fill_value)
        self.bounding_box_format = bounding_box_format
        if self.max_number < 0:
            raise ValueError(
                f"MaxNumBoundingBoxes '{self.name}': `max_number` must be a non-negative int, "
                f"got max_number={max_number!r}."
            )

    def call(self, data):
        if not isinstance(data, dict):
            images = convert.tensor(data)
            self.check_rank(images)
            return images
        outputs = dict(data)
        images = convert.tensor(data["images"])
        self.check_rank(images)
        outputs["images"] = images
        if "bounding_boxes" in data:
            batched = images.ndim == 4
            outputs["bounding_boxes"] = self._fit_boxes(data["bounding_boxes"], batched)
        return outputs

    def _fit_boxes(self, bounding_boxes, batched):
        name = f"MaxNumBoundingBoxes '{self.name}'"
        boxes, labels = box_support.checked_boxes(name, bounding_boxes, batched)
        axis = 1 if batched else 0
        return {
            **bounding_boxes,
            "boxes": _fit(boxes, axis, self.max_number, self.fill_value),
            "labels": _fit(labels, axis, self.max_number, self.fill_value),
        }

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, dict) or "bounding_boxes" not in input_shape:
            return input_shape
        shapes = input_shape["bounding_boxes"]
        extra = set(shapes) - {"boxes", "labels"}
        if extra:
            raise KeyError(
                f"MaxNumBoundingBoxes '{self.name}': unsupported keys in `bounding_boxes`: "
                f"{sorted(extra)}; only 'boxes' and 'labels' are supported."
            )
        axis = 1 if len(shapes["boxes"]) == 3 else 0
        fitted = {}
        for key, shape in shapes.items():
            shape = list(shape)
            shape[axis] = self.max_number
            fitted[key] = shape
        return {**input_shape, "bounding_boxes": fitted}

    def get_config(self):
        config = {**super().get_config()}
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        config.update({"max_number": self.max_number, "fill_value": self.fill_value})
        return config
