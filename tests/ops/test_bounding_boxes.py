"""`keras.utils.bounding_boxes` (torchkeras.ops.bounding_boxes) against real Keras, in-process."""

import os

import numpy as np
import pytest
import torch

from torchkeras.ops import bounding_boxes as tb
from torchkeras.ops.bounding_boxes.formats import SUPPORTED_FORMATS

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
kb = keras.utils.bounding_boxes

RTOL = 1e-6
ABSOLUTE = [f for f in SUPPORTED_FORMATS if not f.startswith("rel_")]


def _boxes(shape, seed=0, low=-10.0, high=70.0):
    """Random valid-ish xyxy boxes (x1 <= x2, y1 <= y2) of `shape[:-1]`."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(low, high, (*shape[:-1], 2, 2)).astype("float32")
    lo, hi = a.min(axis=-2), a.max(axis=-2)
    return np.concatenate([lo, hi], axis=-1)


def _close(ours, theirs, rtol=RTOL, atol=1e-6):
    theirs = theirs.detach().cpu().numpy() if torch.is_tensor(theirs) else np.asarray(theirs)
    assert isinstance(ours, torch.Tensor)
    assert ours.dtype == torch.as_tensor(theirs).dtype
    np.testing.assert_allclose(ours.detach().cpu().numpy(), theirs, rtol=rtol, atol=atol)


def _grads(fn_ours, fn_keras, *arrays):
    """Gradients of sum(output * weights) w.r.t. the float inputs, ours and Keras'."""
    grads = []
    for fn in (fn_ours, fn_keras):
        inputs = [torch.tensor(a, requires_grad=True) for a in arrays]
        out = fn(*inputs)
        weights = torch.linspace(0.5, 1.5, out.numel()).reshape(out.shape)
        (out * weights).sum().backward()
        grads.append([i.grad for i in inputs])
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=RTOL, atol=1e-6)


# ---- convert_format --------------------------------------------------------------------------
@pytest.mark.parametrize("source", SUPPORTED_FORMATS)
def test_convert_format_all_pairs_match_keras(source):
    boxes = torch.tensor(_boxes((2, 5, 4)))
    for target in SUPPORTED_FORMATS:
        ours = tb.convert_format(boxes, source, target, height=40, width=60)
        theirs = kb.convert_format(boxes, source, target, height=40, width=60)
        assert torch.equal(ours, theirs), (source, target)


def test_convert_format_unbatched_numpy_dtype_and_case():
    boxes = np.array([[10, 20, 30, 40], [50, 60, 70, 80]])
    ours = tb.convert_format(boxes, "XYXY", "Rel_Xywh", height=200, width=300, dtype="float64")
    theirs = kb.convert_format(boxes, "XYXY", "Rel_Xywh", height=200, width=300, dtype="float64")
    _close(ours, theirs, rtol=0)
    same = tb.convert_format(boxes.tolist(), "xyxy", "xyxy")
    assert same.dtype == torch.float32


def test_convert_format_dict_keeps_labels_and_caller_dict():
    data = {"boxes": _boxes((3, 4)), "labels": np.array([1, 2, 3])}
    ours = tb.convert_format(data, "xyxy", "center_yxhw")
    theirs = kb.convert_format(dict(data), "xyxy", "center_yxhw")
    _close(ours["boxes"], theirs["boxes"])
    assert ours["labels"] is data["labels"] and isinstance(data["boxes"], np.ndarray)


def test_convert_format_gradients_match_keras():
    boxes = _boxes((2, 3, 4))
    _grads(
        lambda b: tb.convert_format(b, "rel_center_xywh", "center_yxhw", height=40, width=60),
        lambda b: kb.convert_format(b, "rel_center_xywh", "center_yxhw", height=40, width=60),
        boxes,
    )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"boxes": np.zeros((2, 3)), "source": "xyxy", "target": "xywh"}, "last dimension"),
        ({"boxes": np.zeros((2, 4)), "source": "xyz", "target": "xywh"}, "source"),
        ({"boxes": np.zeros((2, 4)), "source": "xyxy", "target": "abc"}, "target"),
        ({"boxes": np.zeros((2, 4)), "source": "xyxy", "target": "rel_xyxy"}, "height"),
    ],
)
def test_convert_format_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tb.convert_format(**kwargs)
    with pytest.raises(ValueError):
        kb.convert_format(**kwargs)


# ---- clip_to_image_size ----------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["xyxy", "rel_xyxy"])
@pytest.mark.parametrize("shape", [(6, 4), (2, 6, 4)])
def test_clip_to_image_size_matches_keras(fmt, shape):
    boxes = _boxes(shape, seed=1) / (60.0 if fmt == "rel_xyxy" else 1.0)
    boxes[..., 0, :] = [70.0, 70.0, 80.0, 80.0]  # fully outside: its label becomes -1
    labels = np.arange(np.prod(shape[:-1])).reshape(shape[:-1]).astype("int32")
    size = {"height": 40, "width": 60} if fmt == "xyxy" else {}
    ours = tb.clip_to_image_size(
        {"boxes": boxes, "labels": labels}, bounding_box_format=fmt, **size
    )
    theirs = kb.clip_to_image_size(
        {"boxes": torch.tensor(boxes), "labels": torch.tensor(labels)},
        bounding_box_format=fmt,
        **size,
    )
    _close(ours["boxes"], theirs["boxes"], rtol=0, atol=0)
    assert torch.equal(ours["labels"], theirs["labels"])
    assert ours["labels"].flatten()[0] == -1 if fmt == "xyxy" else True
    _grads(
        lambda b: tb.clip_to_image_size({"boxes": b}, bounding_box_format=fmt, **size)["boxes"],
        lambda b: kb.clip_to_image_size({"boxes": b}, bounding_box_format=fmt, **size)["boxes"],
        boxes,
    )


@pytest.mark.parametrize("fmt", ["yxyx", "xywh", "center_xywh", "rel_center_xywh"])
def test_clip_to_image_size_other_formats_equal_clipping_in_corners(fmt):
    corners = _boxes((2, 5, 4), seed=2) / (60.0 if fmt.startswith("rel_") else 1.0)
    size = {"height": 40, "width": 60}
    rel = "rel_xyxy" if fmt.startswith("rel_") else "xyxy"
    expected = kb.clip_to_image_size(
        {"boxes": torch.tensor(corners)}, bounding_box_format=rel, **size
    )["boxes"]
    boxes = tb.convert_format(corners, rel, fmt, **size)
    ours = tb.clip_to_image_size({"boxes": boxes}, bounding_box_format=fmt, **size)["boxes"]
    _close(tb.convert_format(ours, fmt, rel, **size), expected, atol=1e-4)


def test_clip_to_image_size_errors():
    with pytest.raises(ValueError, match="height"):
        tb.clip_to_image_size({"boxes": np.zeros((2, 4))})
    with pytest.raises(ValueError, match="bounding_boxes"):
        tb.clip_to_image_size(np.zeros((2, 4)), height=3, width=3)
    with pytest.raises(ValueError, match="bounding_box_format"):
        tb.clip_to_image_size({"boxes": np.zeros((2, 4))}, 3, 3, bounding_box_format="xy")


# ---- compute_iou / compute_ciou ---------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["xyxy", "yxyx", "xywh", "center_xywh", "rel_xyxy"])
@pytest.mark.parametrize("shapes", [((5, 4), (3, 4)), ((2, 5, 4), (2, 3, 4)), ((2, 5, 4), (3, 4))])
def test_compute_iou_matches_keras(fmt, shapes):
    image_shape = (40, 60, 3) if fmt.startswith("rel_") else None
    b1 = tb.convert_format(_boxes(shapes[0], 3), "xyxy", fmt, 40, 60).numpy()
    b2 = tb.convert_format(_boxes(shapes[1], 4), "xyxy", fmt, 40, 60).numpy()
    b1[..., 0, :] = -1.0  # a background box for the masked variant
    variants = [{}, {"use_masking": True, "mask_val": -7}]
    if len(shapes[0]) != len(shapes[1]):  # Keras' masking fails on mixed ranks (a Keras bug)
        variants = variants[:1]
    for kwargs in variants:
        ours = tb.compute_iou(b1, b2, fmt, image_shape=image_shape, **kwargs)
        t1, t2 = torch.tensor(b1), torch.tensor(b2)
        _close(ours, kb.compute_iou(t1, t2, fmt, image_shape=image_shape, **kwargs))
    _grads(
        lambda x, y: tb.compute_iou(x, y, fmt, image_shape=image_shape),
        lambda x, y: kb.compute_iou(x, y, fmt, image_shape=image_shape),
        b1,
        b2,
    )


def test_compute_iou_masking_mixed_ranks_works_and_errors():
    b1, b2 = _boxes((5, 4)), _boxes((2, 3, 4), 1)
    b1[0] = -1.0
    out = tb.compute_iou(b1, b2, "xyxy", use_masking=True)
    assert out.shape == (2, 5, 3) and bool((out[:, 0] == -1).all())
    with pytest.raises(ValueError, match="boxes1"):
        tb.compute_iou(np.zeros((1, 1, 2, 4)), b2, "xyxy")
    with pytest.raises(ValueError, match="boxes2"):
        tb.compute_iou(b1, np.zeros((4,)), "xyxy")
    with pytest.raises(ValueError, match="image_shape"):
        tb.compute_iou(b1, b2, "rel_xyxy")


@pytest.mark.parametrize("fmt", ["xyxy", "center_xywh", "yxyx"])
def test_compute_ciou_matches_keras(fmt):
    b1 = tb.convert_format(_boxes((2, 6, 4), 5), "xyxy", fmt).numpy()
    b2 = tb.convert_format(_boxes((2, 6, 4), 6), "xyxy", fmt).numpy()
    _close(tb.compute_ciou(b1, b2, fmt), kb.compute_ciou(torch.tensor(b1), torch.tensor(b2), fmt))
    _grads(lambda x, y: tb.compute_ciou(x, y, fmt), lambda x, y: kb.compute_ciou(x, y, fmt), b1, b2)


def test_compute_ciou_relative_formats_need_image_shape():
    b1, b2 = _boxes((4, 4), 1) / 80.0, _boxes((4, 4), 2) / 80.0
    ours = tb.compute_ciou(b1, b2, "rel_xyxy", image_shape=(40, 60, 3))
    scaled = (
        tb.convert_format(b1, "rel_xyxy", "xyxy", 40, 60),
        tb.convert_format(b2, "rel_xyxy", "xyxy", 40, 60),
    )
    _close(ours, kb.compute_ciou(*scaled, "xyxy"))
    with pytest.raises(ValueError, match="image_shape"):
        tb.compute_ciou(b1, b2, "rel_xyxy")


# ---- crop / pad ------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(5, 4), (2, 5, 4)])
def test_crop_and_pad_match_keras(shape):
    boxes = _boxes(shape, 7)
    _close(tb.crop(boxes, 10, 20, 40, 30), kb.crop(torch.tensor(boxes), 10, 20, 40, 30), rtol=0)
    _close(tb.pad(boxes, 3, 5), kb.pad(torch.tensor(boxes), 3, 5), rtol=0)
    ints = np.array([[10, 20, 50, 60], [70, 80, 100, 120]])
    _close(tb.crop(ints, 10, 20, 40, 30), kb.crop(torch.tensor(ints), 10, 20, 40, 30), rtol=0)
    _close(tb.pad(ints, 3, 5, 100, 100), kb.pad(torch.tensor(ints), 3, 5, 100, 100), rtol=0)
    _grads(lambda b: tb.crop(b, 10, 20, 40, 30), lambda b: kb.crop(b, 10, 20, 40, 30), boxes)


@pytest.mark.parametrize("fmt", ["yxyx", "xywh", "center_yxhw"])
def test_crop_and_pad_other_formats_equal_corner_results(fmt):
    corners = _boxes((2, 5, 4), 8)
    boxes = tb.convert_format(corners, "xyxy", fmt)
    expected = kb.crop(torch.tensor(corners), 4, 6, 30, 20)
    cropped = tb.crop(boxes, 4, 6, 30, 20, bounding_box_format=fmt)
    _close(tb.convert_format(cropped, fmt, "xyxy"), expected, atol=1e-4)
    padded = tb.pad(boxes, 4, 6, bounding_box_format=fmt)
    _close(tb.convert_format(padded, fmt, "xyxy"), kb.pad(torch.tensor(corners), 4, 6), atol=1e-4)
    with pytest.raises(ValueError, match="bounding_box_format"):
        tb.crop(boxes, 1, 1, 2, 2, bounding_box_format="nope")


# ---- encode / decode deltas -------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["center_yxhw", "center_xywh"])
@pytest.mark.parametrize("variance", [None, [0.1, 0.1, 0.2, 0.2]])
def test_encode_decode_deltas_match_keras(encoding, variance):
    anchors = _boxes((6, 4), 9, 0.0, 60.0)
    boxes = tb.convert_format(_boxes((2, 6, 4), 10, 0.0, 60.0), "xyxy", "xywh").numpy()
    args = {"anchor_format": "xyxy", "box_format": "xywh", "variance": variance}
    ours = tb.encode_box_to_deltas(anchors, boxes, encoding_format=encoding, **args)
    theirs = kb.encode_box_to_deltas(
        torch.tensor(anchors), torch.tensor(boxes), encoding_format=encoding, **args
    )
    _close(ours, theirs)
    _grads(
        lambda a, b: tb.encode_box_to_deltas(a, b, encoding_format=encoding, **args),
        lambda a, b: kb.encode_box_to_deltas(a, b, encoding_format=encoding, **args),
        anchors,
        boxes,
    )
    decoded = tb.decode_deltas_to_boxes(anchors, ours, encoded_format=encoding, **args)
    _close(
        decoded,
        kb.decode_deltas_to_boxes(torch.tensor(anchors), theirs, encoded_format=encoding, **args),
    )
    np.testing.assert_allclose(decoded.numpy(), boxes, rtol=1e-4, atol=1e-3)


def test_deltas_relative_formats_dict_levels_and_errors():
    anchors = {"P3": _boxes((4, 4), 11, 0, 60), "P4": _boxes((2, 4), 12, 0, 60)}
    deltas = {
        k: np.random.default_rng(1).normal(size=(2, len(v), 4)).astype("float32")
        for k, v in anchors.items()
    }
    args = {"anchor_format": "xyxy", "box_format": "rel_yxyx", "image_shape": (40, 60, 3)}
    ours = tb.decode_deltas_to_boxes(anchors, deltas, **args)
    theirs = kb.decode_deltas_to_boxes(
        {k: torch.tensor(v) for k, v in anchors.items()},
        {k: torch.tensor(v) for k, v in deltas.items()},
        **args,
    )
    assert set(ours) == {"P3", "P4"}
    for level in ours:
        _close(ours[level], theirs[level])
    with pytest.raises(ValueError, match="variance"):
        tb.encode_box_to_deltas(anchors["P3"], anchors["P3"], "xyxy", "xyxy", variance=[1, 2])
    with pytest.raises(ValueError, match="encoding_format"):
        tb.encode_box_to_deltas(anchors["P3"], anchors["P3"], "xyxy", "xyxy", "xyxy")
    with pytest.raises(ValueError, match="encoded_format"):
        tb.decode_deltas_to_boxes(anchors["P3"], anchors["P3"], "xyxy", "xyxy", "yxyx")


# ---- affine_transform -------------------------------------------------------------------------
def _affine_params(batch, seed):
    rng = np.random.default_rng(seed)
    return [
        torch.tensor(rng.uniform(low, high, batch).astype("float32"))
        for low, high in ((-30, 30), (-0.2, 0.2), (-0.2, 0.2), (0.8, 1.2), (-10, 10), (-10, 10))
    ]


@pytest.mark.parametrize("center", [(None, None), (0.3, 0.7)])
def test_affine_transform_matches_keras(center):
    boxes = _boxes((2, 5, 4), 13, 0, 60)
    params = _affine_params(2, 14)
    kwargs = {"height": 40, "width": 60, "center_x": center[0], "center_y": center[1]}
    ours = tb.affine_transform(boxes, *params, **kwargs)
    _close(ours, kb.affine_transform(torch.tensor(boxes), *params, **kwargs), atol=1e-5)
    _grads(
        lambda b: tb.affine_transform(b, *params, **kwargs),
        lambda b: kb.affine_transform(b, *params, **kwargs),
        boxes,
    )


def test_affine_transform_unbatched_and_other_formats():
    boxes = _boxes((5, 4), 15, 0, 60)
    params = _affine_params(1, 16)
    expected = kb.affine_transform(torch.tensor(boxes[None]), *params, height=40, width=60)[0]
    _close(tb.affine_transform(boxes, *params, height=40, width=60), expected, atol=1e-5)
    scalars = [float(p[0]) for p in params]
    _close(tb.affine_transform(boxes, *scalars, height=40, width=60), expected, atol=1e-4)
    xywh = tb.convert_format(boxes, "xyxy", "xywh")
    moved = tb.affine_transform(xywh, *params, 40, 60, bounding_box_format="xywh")
    _close(tb.convert_format(moved, "xywh", "xyxy"), expected, atol=1e-4)


@pytest.mark.cuda
def test_cuda_inputs_stay_on_device_and_match_cpu():
    cpu = torch.tensor(_boxes((2, 5, 4), 17, 0, 60))
    gpu = cpu.cuda()
    params = _affine_params(2, 18)
    calls = [
        lambda b, p: tb.convert_format(b, "xyxy", "rel_center_xywh", 40, 60),
        lambda b, p: tb.clip_to_image_size({"boxes": b, "labels": b[..., 0]}, 40, 60)["labels"],
        lambda b, p: tb.compute_iou(b, b, "xyxy", use_masking=True),
        lambda b, p: tb.compute_ciou(b, b.flip(1), "xyxy"),
        lambda b, p: tb.crop(b, 1, 2, 30, 30),
        lambda b, p: tb.encode_box_to_deltas(b[0], b, "xyxy", "xyxy", variance=[1, 1, 2, 2]),
        lambda b, p: tb.affine_transform(b, *p, height=40, width=60),
    ]
    for call in calls:
        out = call(gpu, [p.cuda() for p in params])
        assert out.is_cuda
        np.testing.assert_allclose(
            out.cpu().numpy(), call(cpu, params).numpy(), rtol=1e-5, atol=1e-4
        )


def test_integer_boxes_and_float_labels_keep_keras_dtypes():
    data = {
        "boxes": np.array([[-10, -20, 150, 160], [50, 40, 70, 80], [130, 10, 150, 20]]),
        "labels": np.array([0.0, 1.0, 2.0], "float32"),
    }
    ours = tb.clip_to_image_size(dict(data), height=100, width=120)
    theirs = kb.clip_to_image_size(dict(data), height=100, width=120)
    for key in ("boxes", "labels"):
        assert ours[key].dtype == theirs[key].dtype and torch.equal(ours[key], theirs[key])
    ints = np.array([[10, 20, 50, 60], [70, 80, 100, 120]])
    _close(tb.crop(ints, 10, 20, 40, 30.5), kb.crop(ints, 10, 20, 40, 30.5), rtol=0)
