"""Detection dicts (images + bounding boxes) through the geometric image preprocessing layers,
against real Keras (KERAS_BACKEND=torch) in-process."""

import os

import numpy as np
import pytest
import torch

from torchkeras.layers.preprocessing.image import (
    CenterCrop,
    RandomCrop,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Resizing,
)

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

RTOL = 1e-5
FORMATS = ["xyxy", "rel_xyxy", "xywh", "center_yxhw"]


def detection(shape=(2, 12, 16, 3), boxes=4, seed=0, fmt="xyxy"):
    """A detection sample: random images, `xyxy` boxes partly outside the image (converted to
    `fmt`), one all-zero and one all-minus-one padding box, labels; plus float masks."""
    rng = np.random.default_rng(seed)
    batched = len(shape) == 4
    height, width = shape[-3:-1]
    lead = (shape[0],) if batched else ()
    corners = rng.uniform(-3, 20, (*lead, boxes, 2, 2)).astype("float32")
    xyxy = np.concatenate([corners.min(-2), corners.max(-2)], axis=-1)
    xyxy[..., 0] = 0.0
    xyxy[..., 1, :] = -1.0
    xyxy = keras.ops.convert_to_numpy(
        keras.utils.bounding_boxes.convert_format(xyxy, "xyxy", fmt, height=height, width=width)
    )
    return {
        "images": rng.uniform(0, 255, shape).astype("float32"),
        "bounding_boxes": {
            "boxes": xyxy,
            "labels": rng.integers(0, 5, (*lead, boxes)).astype("int32"),
        },
        "labels": rng.uniform(0, 1, (*lead, 3)).astype("float32"),
        "segmentation_masks": rng.integers(0, 3, (*shape[:-1], 1)).astype("float32"),
    }


def copy(data):
    """A deep copy (Keras writes into the dict it is given)."""
    return {k: copy(v) if isinstance(v, dict) else np.array(v) for k, v in data.items()}


def assert_matches_keras(ours, theirs, data, training=None, masks=True, atol=1e-4):
    kwargs = {} if training is None else {"training": training}
    expected = theirs(copy(data), **kwargs)
    got = ours(copy(data), **kwargs)
    keys = ["images", "labels"] + (["segmentation_masks"] if masks else [])
    for key in keys:
        np.testing.assert_allclose(got[key].numpy(), keras.ops.convert_to_numpy(expected[key]),
                                   rtol=RTOL, atol=atol, err_msg=key)
    for key in ("boxes", "labels"):
        want = keras.ops.convert_to_numpy(expected["bounding_boxes"][key])
        have = got["bounding_boxes"][key]
        assert have.shape == want.shape and have.dtype == torch.as_tensor(want).dtype, key
        np.testing.assert_allclose(have.numpy(), want, rtol=RTOL, atol=1e-5, err_msg=key)
    return got


# ---- Resizing, CenterCrop ---------------------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kwargs", [
    {"height": 8, "width": 10},
    {"height": 9, "width": 6, "crop_to_aspect_ratio": True},
    {"height": 6, "width": 14, "crop_to_aspect_ratio": True},
    {"height": 10, "width": 7, "pad_to_aspect_ratio": True, "fill_value": 2.0},
    {"height": 5, "width": 15, "pad_to_aspect_ratio": True},
])
def test_resizing_boxes_match_keras(kwargs, fmt):
    kwargs = {**kwargs, "bounding_box_format": fmt}
    data = detection(fmt=fmt)
    assert_matches_keras(Resizing(**kwargs), keras.layers.Resizing(**kwargs), data)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("size", [(8, 10), (12, 16), (7, 20), (14, 9), (20, 30)])
def test_center_crop_boxes_match_keras(size, fmt):
    kwargs = {"height": size[0], "width": size[1], "bounding_box_format": fmt}
    data = detection(fmt=fmt, seed=1)
    assert_matches_keras(CenterCrop(**kwargs), keras.layers.CenterCrop(**kwargs), data)


def pair(cls, **kwargs):
    """Our layer and Keras' one, built from the same arguments."""
    return cls(**kwargs), getattr(keras.layers, cls.__name__)(**kwargs)


@pytest.mark.parametrize("cls, kwargs", [
    (Resizing, {"height": 8, "width": 10, "crop_to_aspect_ratio": True}),
    (Resizing, {"height": 8, "width": 10, "pad_to_aspect_ratio": True}),
    (CenterCrop, {"height": 6, "width": 9}),
    (CenterCrop, {"height": 16, "width": 9}),
])
def test_unbatched_and_channels_first_boxes_match_keras(cls, kwargs):
    kwargs = {**kwargs, "bounding_box_format": "xywh"}
    data = detection(shape=(12, 16, 3), fmt="xywh")
    assert_matches_keras(*pair(cls, **kwargs), data)
    data = detection(shape=(2, 3, 12, 16), fmt="xywh")
    data["segmentation_masks"] = data["images"][:, :1]
    assert_matches_keras(*pair(cls, **kwargs, data_format="channels_first"), data)


# ---- random layers: Keras' first seeded draw equals the layer's own ---------------------------
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("mode", ["horizontal", "vertical", "horizontal_and_vertical"])
def test_random_flip_boxes_match_keras(mode, fmt):
    kwargs = {"mode": mode, "seed": 4, "bounding_box_format": fmt}
    data = detection(shape=(6, 12, 16, 3), fmt=fmt, seed=2)
    assert_matches_keras(*pair(RandomFlip, **kwargs), data, training=True)
    assert_matches_keras(*pair(RandomFlip, **kwargs), data, training=False)
    single = detection(shape=(12, 16, 3), fmt=fmt, seed=2)
    assert_matches_keras(*pair(RandomFlip, **kwargs), single, training=True)


def use_our_draws(theirs, transformation):
    """Keras' layer with its random transformation replaced by ours: Keras reseeds a fresh
    generator for every draw (`seed + counter`), so only a layer's first draw equals ours."""
    theirs.get_random_transformation = lambda data, training=True, seed=None: transformation
    return theirs


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("shape, size", [((3, 12, 16, 3), (7, 9)), ((3, 12, 16, 3), (14, 9)),
                                         ((12, 16, 3), (5, 12))])
def test_random_crop_boxes_match_keras(shape, size, fmt):
    kwargs = {"height": size[0], "width": size[1], "seed": 5, "bounding_box_format": fmt}
    data = detection(shape=shape, fmt=fmt, seed=3)
    ours, theirs = pair(RandomCrop, **kwargs)
    batch = torch.as_tensor(data["images"]).reshape(-1, *shape[-3:])
    offsets = RandomCrop(**kwargs).sample(batch)
    assert_matches_keras(ours, use_our_draws(theirs, offsets), data, training=True)
    assert_matches_keras(*pair(RandomCrop, **kwargs), data, training=False, masks=False)


def keras_translations(ours, batch):
    """Keras' RandomTranslation transformation for our layer's draws on `batch` (4D)."""
    transform = ours.sample(batch)
    return {"translations": -transform[:, [2, 5]], "input_shape": tuple(batch.shape)}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kwargs, shape", [
    ({"height_factor": 0.3, "width_factor": 0.4}, (4, 12, 16, 3)),
    ({"height_factor": (-0.5, 0.2), "width_factor": 0.0, "fill_mode": "constant"}, (12, 16, 3)),
    ({"height_factor": (0.2, 0.2), "width_factor": (-0.3, -0.3), "data_format": "channels_first",
      "interpolation": "nearest"}, (2, 3, 12, 16)),
])
def test_random_translation_boxes_match_keras(kwargs, shape, fmt):
    kwargs = {**kwargs, "seed": 6, "bounding_box_format": fmt}
    data = detection(shape=shape, fmt=fmt, seed=4)
    if kwargs.get("data_format") == "channels_first":
        data["segmentation_masks"] = data["images"][:, :1]
    ours, theirs = pair(RandomTranslation, **kwargs)
    batch = torch.as_tensor(data["images"]).reshape(-1, *shape[-3:])
    draws = keras_translations(RandomTranslation(**kwargs), batch)
    if len(shape) == 3:
        draws["input_shape"] = shape
    assert_matches_keras(ours, use_our_draws(theirs, draws), data, training=True)
    assert_matches_keras(*pair(RandomTranslation, **kwargs), data, training=False)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kwargs, shape", [
    ({"height_factor": 0.4}, (4, 12, 16, 3)),
    ({"height_factor": (-0.5, -0.2), "fill_mode": "constant"}, (12, 16, 3)),
    ({"height_factor": (0.2, 0.6), "width_factor": (-0.4, 0.3),
      "data_format": "channels_first"}, (3, 3, 12, 16)),
])
def test_random_zoom_boxes_match_keras(kwargs, shape, fmt):
    kwargs = {**kwargs, "seed": 7, "bounding_box_format": fmt}
    data = detection(shape=shape, fmt=fmt, seed=5)
    if kwargs.get("data_format") == "channels_first":
        data["segmentation_masks"] = data["images"][:, :1]
    ours, theirs = pair(RandomZoom, **kwargs)
    if "width_factor" in kwargs:  # two draws: Keras' second one is not ours
        transform = RandomZoom(**kwargs).sample(torch.as_tensor(data["images"]))
        theirs = use_our_draws(theirs, {"width_zoom": transform[:, 0:1],
                                        "height_zoom": transform[:, 4:5], "input_shape": shape})
    assert_matches_keras(ours, theirs, data, training=True)
    assert_matches_keras(*pair(RandomZoom, **kwargs), data, training=False)


@pytest.mark.parametrize("fmt", ["xyxy", "xywh"])  # Keras reads the input boxes as xyxy
@pytest.mark.parametrize("kwargs, shape", [
    ({"factor": 0.3}, (5, 12, 16, 3)),
    ({"factor": (0.25, 0.25), "fill_mode": "constant"}, (12, 12, 3)),
    ({"factor": (-0.1, 0.4), "data_format": "channels_first", "interpolation": "nearest"},
     (3, 3, 12, 16)),
])
def test_random_rotation_boxes_match_keras(kwargs, shape, fmt):
    kwargs = {**kwargs, "seed": 8, "bounding_box_format": fmt}
    data = detection(shape=shape, fmt=fmt, seed=6)
    if kwargs.get("data_format") == "channels_first":
        data["segmentation_masks"] = data["images"][:, :1]
    # Keras' torch `affine_transform` swaps the transform's offsets in place, so Keras warps
    # the masks (after the images) by a corrupted matrix: ours are checked against a fresh one.
    got = assert_matches_keras(*pair(RandomRotation, **kwargs), data, training=True, masks=False,
                               atol=2e-4)  # bilinear pixels (0-255): float32 rounding
    theirs = keras.layers.RandomRotation(**kwargs)
    masks = torch.as_tensor(data["segmentation_masks"])
    transformation = theirs.get_random_transformation(data, training=True)
    expected = theirs._transform_images(masks, transformation, "nearest")
    np.testing.assert_array_equal(got["segmentation_masks"].numpy(), expected.numpy())
    assert_matches_keras(*pair(RandomRotation, **kwargs), data, training=False)


# ---- configs, plain images, errors --------------------------------------------------------------
LAYERS = [
    (Resizing, {"height": 8, "width": 10}),
    (CenterCrop, {"height": 8, "width": 10}),
    (RandomFlip, {"seed": 1}),
    (RandomCrop, {"height": 8, "width": 10, "seed": 1}),
    (RandomTranslation, {"height_factor": 0.2, "width_factor": 0.1, "seed": 1}),
    (RandomZoom, {"height_factor": 0.2, "seed": 1}),
    (RandomRotation, {"factor": 0.2, "seed": 1}),
]


@pytest.mark.parametrize("cls, kwargs", LAYERS)
def test_config_with_a_box_format_equals_keras(cls, kwargs):
    ours, theirs = pair(cls, **kwargs, bounding_box_format="center_xywh")
    config = {k: v for k, v in ours.get_config().items() if k != "name"}
    expected = {k: v for k, v in theirs.get_config().items() if k != "name"}
    assert config == expected
    assert cls.from_config(ours.get_config()).bounding_box_format == "center_xywh"
    assert "bounding_box_format" not in cls(**kwargs).get_config()


@pytest.mark.parametrize("cls, kwargs", LAYERS)
def test_dict_images_equal_plain_images_and_caller_dict_is_kept(cls, kwargs):
    data = detection()
    before = copy(data)
    out = cls(**kwargs, bounding_box_format="xyxy")(data, training=True)
    plain = cls(**kwargs)(torch.as_tensor(data["images"]), training=True)
    torch.testing.assert_close(out["images"], plain)
    for key in ("images", "labels"):
        np.testing.assert_array_equal(data[key], before[key])
    np.testing.assert_array_equal(data["bounding_boxes"]["boxes"],
                                  before["bounding_boxes"]["boxes"])


@pytest.mark.parametrize("cls, kwargs", LAYERS)
def test_dict_errors_name_the_layer(cls, kwargs):
    data = detection()
    with pytest.raises(ValueError, match=f"{cls.__name__} .*bounding_box_format"):
        cls(**kwargs)(data, training=True)
    bad = {**data, "bounding_boxes": {"boxes": data["bounding_boxes"]["boxes"][0],
                                      "labels": data["bounding_boxes"]["labels"][0]}}
    with pytest.raises(ValueError, match=r"\(batch, num_boxes, 4\).*got shape \(4, 4\)"):
        cls(**kwargs, bounding_box_format="xyxy")(bad, training=True)
    with pytest.raises(ValueError, match="'boxes' and 'labels'"):
        cls(**kwargs, bounding_box_format="xyxy")({**data, "bounding_boxes": {"boxes": 1}})
    with pytest.raises(ValueError, match="'images' key"):
        cls(**kwargs, bounding_box_format="xyxy")({"bounding_boxes": data["bounding_boxes"]})


@pytest.mark.parametrize("cls, kwargs", [layer for layer in LAYERS if layer[0] in (
    Resizing, CenterCrop, RandomFlip, RandomZoom)])
def test_integer_masks_match_keras_values_and_dtype(cls, kwargs):
    data = detection(seed=3)
    data["segmentation_masks"] = data["segmentation_masks"].astype("uint8")
    got = assert_matches_keras(*pair(cls, **kwargs, bounding_box_format="xyxy"), data,
                               training=True)
    assert got["segmentation_masks"].dtype == (
        torch.uint8 if cls in (Resizing, RandomZoom) else torch.float32)
