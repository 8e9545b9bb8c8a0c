"""The keras.ops.image case table: every function with tiny seeded images and its main options.

`compat/make_ops_image_references.py` records real Keras' results of these cases and
`compat/test_ops_image.py` compares `torchkeras.ops.image` with them (`op_case.run_case` on the
`image` namespace). Images: `img(shape)` float32 in [0, 1); transforms and points are Python
lists (not differentiated: Keras' torch backend writes into a `transform` tensor in place).
"""

import numpy as np
import torch
from op_case import OpCase

CASES = []


def img(*shape, dtype="float32", high=1.0):
    if dtype == "uint8":
        return lambda r: r.integers(0, 256, shape).astype("uint8")
    return lambda r: (r.random(shape) * high).astype(dtype)


def const(value):
    return lambda r: value


def add(op, *makers, case_id=None, rtol=1e-6, grad=True, **kwargs):
    """Appends a case calling `image.<op>(*[m(rng) for m in makers], **kwargs)`."""
    case_id = case_id or f"{op}_{sum(c.op == op for c in CASES)}"
    makers = tuple(m if callable(m) else const(m) for m in makers)
    CASES.append(
        OpCase(op, lambda r, a=makers: tuple(m(r) for m in a), kwargs, case_id, rtol, grad)
    )


CL, CF = "channels_last", "channels_first"

# resize: every interpolation x antialias x up/down, crop/pad to aspect ratio, formats, dtypes.
for _interp in ("bilinear", "nearest", "bicubic"):
    for _antialias in (False, True):
        tag = f"{_interp}_{'aa' if _antialias else 'noaa'}"
        add(
            "resize",
            img(2, 6, 7, 2),
            (4, 3),
            interpolation=_interp,
            antialias=_antialias,
            data_format=CL,
            case_id=f"resize_{tag}_down",
        )
        add(
            "resize",
            img(5, 4, 2),
            (7, 9),
            interpolation=_interp,
            antialias=_antialias,
            data_format=CL,
            case_id=f"resize_{tag}_up_unbatched",
        )
        add(
            "resize",
            img(1, 2, 6, 5),
            (3, 8),
            interpolation=_interp,
            antialias=_antialias,
            data_format=CF,
            case_id=f"resize_{tag}_cf",
        )
    for _aspect in ("crop_to_aspect_ratio", "pad_to_aspect_ratio"):
        add(
            "resize",
            img(2, 6, 4, 3),
            (4, 5),
            interpolation=_interp,
            data_format=CL,
            case_id=f"resize_{_interp}_{_aspect}_wide",
            **{_aspect: True},
        )
        add(
            "resize",
            img(3, 5, 8),
            (6, 3),
            interpolation=_interp,
            data_format=CF,
            case_id=f"resize_{_interp}_{_aspect}_tall_cf",
            **{_aspect: True},
        )
    add(
        "resize",
        img(2, 5, 6, 3, dtype="uint8"),
        (4, 9),
        interpolation=_interp,
        grad=False,
        case_id=f"resize_{_interp}_uint8",
    )
add("resize", img(4, 6, 3), (2, 3), case_id="resize_default")
add(
    "resize",
    img(4, 6, 3),
    (8, 4),
    pad_to_aspect_ratio=True,
    fill_value=0.5,
    case_id="resize_pad_fill_value",
)
add("resize", img(2, 4, 6, 3, dtype="float64"), (3, 5), antialias=True, case_id="resize_float64")
add("resize", img(1, 4, 6, 1, dtype="float16"), (3, 5), grad=False, case_id="resize_float16")

# affine_transform: interpolations x fill modes, formats, one transform for a batch.
_ROTATE = [0.9, -0.3, 1.1, 0.35, 0.85, -0.6, 0.0, 0.0]
_SHIFT = [1.0, 0.0, -1.5, 0.0, 1.0, 2.25, 0.0, 0.0]
_ZOOM = [1.7, 0.2, -2.0, -0.1, 1.4, -1.2, 0.0, 0.0]
for _interp in ("nearest", "bilinear"):
    for _mode in ("constant", "nearest", "wrap", "mirror", "reflect"):
        add(
            "affine_transform",
            img(2, 5, 6, 2),
            [_ROTATE, _ZOOM],
            interpolation=_interp,
            fill_mode=_mode,
            data_format=CL,
            case_id=f"affine_{_interp}_{_mode}",
        )
        add(
            "affine_transform",
            img(2, 4, 5),
            _SHIFT,
            interpolation=_interp,
            fill_mode=_mode,
            data_format=CF,
            case_id=f"affine_{_interp}_{_mode}_cf_unbatched",
        )
add(
    "affine_transform",
    img(2, 4, 5, 3),
    [_SHIFT, _ROTATE],
    fill_value=0.5,
    case_id="affine_fill_value",
)
add(
    "affine_transform",
    img(1, 4, 5, 2, dtype="uint8"),
    [_ROTATE],
    grad=False,
    case_id="affine_uint8",
)
add(
    "affine_transform",
    img(1, 4, 5, 2, dtype="float64"),
    [_ZOOM],
    fill_mode="reflect",
    case_id="affine_float64",
)

# map_coordinates: orders x fill modes on 2-D and 3-D inputs, differentiated coordinates.
for _order in (0, 1):
    for _mode in ("constant", "nearest", "wrap", "mirror", "reflect"):
        add(
            "map_coordinates",
            img(5, 6),
            lambda r: r.uniform(-3, 8, (2, 3, 4)).astype("float32"),
            _order,
            fill_mode=_mode,
            case_id=f"map_coordinates_{_order}_{_mode}",
        )
add(
    "map_coordinates",
    img(3, 4, 2),
    lambda r: r.uniform(-1, 4, (3, 7)).astype("float32"),
    1,
    fill_value=0.25,
    case_id="map_coordinates_3d_fill",
)
add(
    "map_coordinates",
    img(4, 5),
    const([[0, 1, 3, 5], [4, -1, 2, 2]]),
    0,
    case_id="map_coordinates_int_coordinates",
)

# perspective_transform.
_START = [[0.0, 0.0], [5.0, 0.0], [0.0, 4.0], [5.0, 4.0]]
_END = [[0.5, 0.2], [4.5, 0.6], [0.3, 3.5], [4.8, 3.7]]
_END2 = [[1.0, -0.5], [5.5, 0.0], [-0.5, 4.5], [4.0, 3.0]]
for _interp in ("nearest", "bilinear"):
    add(
        "perspective_transform",
        img(2, 5, 6, 2),
        [_START, _START],
        [_END, _END2],
        interpolation=_interp,
        data_format=CL,
        case_id=f"perspective_{_interp}",
    )
    add(
        "perspective_transform",
        img(2, 5, 6),
        _START,
        _END2,
        interpolation=_interp,
        fill_value=0.5,
        data_format=CF,
        case_id=f"perspective_{_interp}_cf_unbatched",
    )

# crop_images / pad_images: each pair of the three arguments, formats, batched and unbatched.
add(
    "crop_images",
    img(2, 6, 7, 2),
    top_cropping=1,
    left_cropping=2,
    target_height=3,
    target_width=4,
    data_format=CL,
    case_id="crop_top_left_target",
)
add(
    "crop_images",
    img(6, 7, 2),
    bottom_cropping=2,
    right_cropping=1,
    target_height=3,
    target_width=5,
    data_format=CL,
    case_id="crop_bottom_right_target_unbatched",
)
add(
    "crop_images",
    img(2, 2, 6, 7),
    top_cropping=1,
    bottom_cropping=2,
    left_cropping=0,
    right_cropping=3,
    data_format=CF,
    case_id="crop_amounts_cf",
)
add(
    "pad_images",
    img(2, 3, 4, 2),
    top_padding=1,
    left_padding=2,
    target_height=6,
    target_width=7,
    data_format=CL,
    case_id="pad_top_left_target",
)
add(
    "pad_images",
    img(3, 4, 2),
    bottom_padding=2,
    right_padding=1,
    target_height=5,
    target_width=6,
    data_format=CL,
    case_id="pad_bottom_right_target_unbatched",
)
add(
    "pad_images",
    img(2, 2, 3, 4),
    top_padding=1,
    bottom_padding=0,
    left_padding=2,
    right_padding=3,
    data_format=CF,
    case_id="pad_amounts_cf",
)

# extract_patches (2-D and 3-D): strides, dilation, padding, formats.
add("extract_patches", img(2, 6, 6, 2), 2, data_format=CL, case_id="patches_int_size")
add(
    "extract_patches",
    img(2, 7, 6, 3),
    (3, 2),
    strides=(2, 1),
    padding="same",
    data_format=CL,
    case_id="patches_strides_same",
)
add(
    "extract_patches",
    img(7, 7, 2),
    (2, 2),
    strides=1,
    dilation_rate=2,
    data_format=CL,
    case_id="patches_dilation_unbatched",
)
add(
    "extract_patches",
    img(2, 3, 5, 6),
    (2, 3),
    padding="same",
    data_format=CF,
    case_id="patches_cf_same",
)
add("extract_patches", img(1, 4, 4, 5, 2), (2, 2, 3), data_format=CL, case_id="patches_3d_via_2d")
add("extract_patches_3d", img(1, 4, 5, 4, 2), 2, data_format=CL, case_id="patches_3d_int")
add(
    "extract_patches_3d",
    img(4, 5, 6, 1),
    (2, 3, 2),
    strides=(1, 2, 2),
    padding="same",
    data_format=CL,
    case_id="patches_3d_same_unbatched",
)
add(
    "extract_patches_3d",
    img(1, 2, 4, 4, 5),
    (2, 2, 2),
    strides=1,
    dilation_rate=(1, 2, 1),
    data_format=CF,
    case_id="patches_3d_dilation_cf",
)

# Colour conversions.
for _fmt, _shape in ((CL, (2, 3, 4, 3)), (CF, (2, 3, 3, 4))):
    add("rgb_to_grayscale", img(*_shape), data_format=_fmt, case_id=f"grayscale_{_fmt}")
    add("rgb_to_hsv", img(*_shape), data_format=_fmt, case_id=f"rgb_to_hsv_{_fmt}")
    add("hsv_to_rgb", img(*_shape), data_format=_fmt, case_id=f"hsv_to_rgb_{_fmt}")
add("rgb_to_grayscale", img(3, 4, 3, dtype="uint8"), grad=False, case_id="grayscale_uint8")
add("rgb_to_grayscale", img(3, 4, 1), case_id="grayscale_one_channel")
add(
    "rgb_to_hsv",
    const(
        np.array(
            [
                [
                    [0.0, 0.0, 0.0],
                    [0.5, 0.5, 0.5],
                    [1.0, 0.0, 0.0],
                    [0.2, 0.8, 0.2],
                    [0.1, 0.3, 0.9],
                    [1e-9, 0.5, 0.2],
                ]
            ],
            "float32",
        )
    ),
    case_id="rgb_to_hsv_edges",
)
add("hsv_to_rgb", img(4, 3, 3, high=2.0), case_id="hsv_to_rgb_wrapped_hue")

# Filters.
add("gaussian_blur", img(2, 6, 7, 2), data_format=CL, case_id="blur_default")
add(
    "gaussian_blur",
    img(2, 6, 7),
    kernel_size=(5, 5),
    sigma=(1.5, 1.5),
    data_format=CF,
    case_id="blur_5_cf_unbatched",
)
add(
    "gaussian_blur",
    img(1, 7, 7, 3),
    kernel_size=(3, 3),
    sigma=(0.7, 2.0),
    data_format=CL,
    case_id="blur_anisotropic_sigma",
)
# Keras pads both axes by kernel_size[0] // 2, so a non-square kernel changes the width.
add("gaussian_blur", img(1, 7, 8, 2), (3, 5), (0.8, 1.3), data_format=CL, case_id="blur_3x5")
add("sobel_edges", img(2, 5, 6, 2), data_format=CL, case_id="sobel_cl")
add("sobel_edges", img(1, 3, 4, 5), data_format=CF, case_id="sobel_cf")
add("ssim", img(2, 12, 13, 3), img(2, 12, 13, 3), case_id="ssim_default")
add(
    "ssim",
    img(3, 9, 8),
    img(3, 9, 8),
    max_val=2.0,
    filter_size=5,
    filter_sigma=1.0,
    data_format=CF,
    case_id="ssim_cf_unbatched",
)

# scale_and_translate: every method, antialias, up and down.
for _method in (
    "linear",
    "bilinear",
    "trilinear",
    "cubic",
    "bicubic",
    "tricubic",
    "lanczos3",
    "lanczos5",
):
    add(
        "scale_and_translate",
        img(2, 6, 5, 2),
        (2, 4, 8, 2),
        [0.7, 1.6],
        [0.3, -0.5],
        (1, 2),
        _method,
        case_id=f"scale_translate_{_method}",
    )
    add(
        "scale_and_translate",
        img(7, 3),
        (4, 3),
        [0.55],
        [0.25],
        (0,),
        _method,
        antialias=False,
        case_id=f"scale_translate_{_method}_noaa",
    )
add(
    "scale_and_translate",
    img(1, 5, 5, 1, dtype="uint8"),
    (1, 7, 3, 1),
    [1.4, 0.6],
    [0.0, 0.5],
    (1, 2),
    "linear",
    grad=False,
    case_id="scale_translate_uint8",
)


def seeded(maker, seed):
    """`maker`, then torch's global generator seeded: Keras' torch backend draws
    `elastic_transform`'s noise from it, whatever its `seed` argument."""

    def make(r):
        value = maker(r)
        torch.manual_seed(seed)
        return value

    return make


# elastic_transform: interpolations, fill modes, formats (noise from torch's global generator).
for _k, (_interp, _mode) in enumerate(
    [
        ("bilinear", "reflect"),
        ("nearest", "constant"),
        ("bilinear", "wrap"),
        ("bilinear", "mirror"),
        ("nearest", "nearest"),
    ]
):
    add(
        "elastic_transform",
        seeded(img(2, 6, 7, 2), _k),
        alpha=3.0,
        sigma=0.8,
        interpolation=_interp,
        fill_mode=_mode,
        fill_value=0.5,
        data_format=CL,
        case_id=f"elastic_{_interp}_{_mode}",
    )
add(
    "elastic_transform",
    seeded(img(2, 5, 6), 7),
    alpha=4.0,
    sigma=1.0,
    data_format=CF,
    case_id="elastic_cf_unbatched",
)
add("elastic_transform", seeded(img(1, 9, 9, 1), 8), data_format=CL, case_id="elastic_default")
