"""MaxNumBoundingBoxes against real Keras (in-process): padding, truncation, config, errors."""

import os

import numpy as np
import pytest
import torch

from torchkeras.layers.core.input_layer import Input
from torchkeras.layers.preprocessing.image import MaxNumBoundingBoxes

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")


def _sample(batch, num_boxes, seed=0):
    rng = np.random.default_rng(seed)
    prefix = (batch,) if batch else ()
    return {
        "images": rng.integers(0, 255, (*prefix, 8, 8, 3)).astype("uint8"),
        "bounding_boxes": {
            "boxes": rng.uniform(0, 8, (*prefix, num_boxes, 4)),
            "labels": rng.integers(0, 5, (*prefix, num_boxes)),
        },
        "labels": rng.integers(0, 2, prefix),
    }


def _copy(data):
    return {k: _copy(v) if isinstance(v, dict) else v.copy() for k, v in data.items()}


@pytest.mark.parametrize("batch", [0, 2])
@pytest.mark.parametrize("num_boxes, max_number, fill_value", [(3, 5, -1), (6, 4, -3), (4, 4, 0)])
def test_matches_keras(batch, num_boxes, max_number, fill_value):
    data = _sample(batch, num_boxes)
    ours = MaxNumBoundingBoxes(max_number, fill_value=fill_value)(_copy(data))
    theirs = keras.layers.MaxNumBoundingBoxes(
        max_number, fill_value=fill_value, bounding_box_format="xyxy"
    )(_copy(data))
    assert set(ours) == set(theirs)
    for key in ("boxes", "labels"):
        o, t = ours["bounding_boxes"][key], theirs["bounding_boxes"][key]
        assert o.dtype == t.dtype and torch.equal(o, t), key
    assert ours["images"].dtype == theirs["images"].dtype == torch.uint8
    assert torch.equal(ours["images"], theirs["images"])
    assert torch.equal(ours["labels"], theirs["labels"])


def test_images_only_tensor_inputs_and_caller_dict_untouched():
    layer = MaxNumBoundingBoxes(2)
    images = torch.rand(2, 4, 4, 3)
    assert layer(images) is images
    boxes = torch.rand(2, 3, 4, requires_grad=True)
    data = {"images": images, "bounding_boxes": {"boxes": boxes, "labels": torch.ones(2, 3)}}
    out = layer(data)
    assert data["bounding_boxes"]["boxes"] is boxes  # the caller's dict is not modified
    assert out["bounding_boxes"]["boxes"].shape == (2, 2, 4)
    out["bounding_boxes"]["boxes"].sum().backward()
    assert torch.equal(boxes.grad[:, :2], torch.ones(2, 2, 4)) and bool(
        (boxes.grad[:, 2] == 0).all()
    )


def test_config_matches_keras_plus_fill_value():
    ours = MaxNumBoundingBoxes(7, fill_value=-2, bounding_box_format="yxyx").get_config()
    theirs = keras.layers.MaxNumBoundingBoxes(
        7, fill_value=-2, bounding_box_format="yxyx"
    ).get_config()
    assert ours.pop("fill_value") == -2  # Keras drops fill_value from its config (a Keras bug)
    ours.pop("name"), theirs.pop("name")
    assert ours == theirs
    restored = MaxNumBoundingBoxes.from_config(MaxNumBoundingBoxes(3, fill_value=5).get_config())
    assert restored.max_number == 3 and restored.fill_value == 5
    assert "bounding_box_format" not in MaxNumBoundingBoxes(3).get_config()


def test_compute_output_shape_matches_keras():
    shapes = {
        "images": (None, 8, 8, 3),
        "bounding_boxes": {"boxes": (None, 3, 4), "labels": (None, 3)},
    }
    ours = MaxNumBoundingBoxes(5).compute_output_shape(shapes)
    theirs = keras.layers.MaxNumBoundingBoxes(5).compute_output_shape(
        {"images": (None, 8, 8, 3), "bounding_boxes": {"boxes": (None, 3, 4), "labels": (None, 3)}}
    )
    assert ours == theirs
    unbatched = {"images": (8, 8, 3), "bounding_boxes": {"boxes": (3, 4), "labels": (3,)}}
    assert MaxNumBoundingBoxes(5).compute_output_shape(unbatched)["bounding_boxes"] == {
        "boxes": [5, 4],
        "labels": [5],
    }
    with pytest.raises(KeyError, match="unsupported keys"):
        MaxNumBoundingBoxes(5).compute_output_shape(
            {"bounding_boxes": {"boxes": (None, 3, 4), "labels": (None, 3), "scores": (None, 3)}}
        )


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="max_number"):
        MaxNumBoundingBoxes(-1)
    layer = MaxNumBoundingBoxes(2)
    with pytest.raises(ValueError, match="bounding_boxes"):
        layer(
            {"images": torch.zeros(1, 4, 4, 3), "bounding_boxes": {"boxes": torch.zeros(1, 2, 4)}}
        )
    with pytest.raises(ValueError, match=r"bounding_boxes\['boxes'\]"):
        layer(
            {
                "images": torch.zeros(4, 4, 3),
                "bounding_boxes": {"boxes": torch.zeros(1, 2, 4), "labels": torch.zeros(1, 2)},
            }
        )
    with pytest.raises(ValueError, match="3D image"):
        layer(torch.zeros(4, 4))


def test_symbolic_call_gives_fitted_shapes():
    images, boxes, labels = Input((8, 8, 3)), Input((5, 4)), Input((5,))
    out = MaxNumBoundingBoxes(3)(
        {"images": images, "bounding_boxes": {"boxes": boxes, "labels": labels}}
    )
    assert tuple(out["bounding_boxes"]["boxes"].shape) == (None, 3, 4)
    assert tuple(out["bounding_boxes"]["labels"].shape) == (None, 3)
