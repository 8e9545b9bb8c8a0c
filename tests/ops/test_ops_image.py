"""keras.ops.image behaviours the Keras reference table cannot show: argument errors, dtypes,
views, data_format defaults, seeding, no in-place writes, and the CUDA path."""

import inspect
import os

import numpy as np
import pytest
import torch
from image_cases import CASES
from op_case import run_case

import torchkeras
from torchkeras import config
from torchkeras.ops import image

KERAS_NAMES = [
    "affine_transform", "crop_images", "elastic_transform", "extract_patches",
    "extract_patches_3d", "gaussian_blur", "hsv_to_rgb", "map_coordinates", "pad_images",
    "perspective_transform", "resize", "rgb_to_grayscale", "rgb_to_hsv", "scale_and_translate",
    "sobel_edges", "ssim",
]  # fmt: skip
SHIFT = [1.0, 0.0, -1.0, 0.0, 1.0, 0.5, 0.0, 0.0]


def images(*shape, dtype=torch.float32):
    return torch.rand(*shape, generator=torch.Generator().manual_seed(0)).to(dtype)


def test_namespace_holds_every_keras_function():
    assert torchkeras.ops.image is image
    assert all(callable(getattr(image, name)) for name in KERAS_NAMES)


@pytest.mark.parametrize("name", KERAS_NAMES)
def test_signature_matches_keras(name):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")

    def parameters(function):
        return [
            (p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()
        ]

    assert parameters(getattr(image, name)) == parameters(getattr(keras.ops.image, name))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: image.resize(images(4, 4), (2, 2)), "`images` must have rank 3 or 4"),
        (lambda: image.resize(images(4, 4, 1), (2, 2), interpolation="area"), "interpolation"),
        (lambda: image.resize(images(4, 4, 1), (2, 2), interpolation="lanczos3"), "Lanczos"),
        (lambda: image.resize(images(4, 4, 1), (2, 0)), "`size` must be two positive"),
        (lambda: image.resize(images(4, 4, 1), (2,)), "`size` must be two positive"),
        (lambda: image.resize(images(4, 4, 1), (2, 2), fill_mode="reflect"), "fill_mode"),
        (
            lambda: image.resize(
                images(4, 4, 1), (2, 2), crop_to_aspect_ratio=True, pad_to_aspect_ratio=True
            ),
            "only one of",
        ),
        (lambda: image.affine_transform(images(4, 4, 1), SHIFT, fill_mode="edge"), "fill_mode"),
        (lambda: image.affine_transform(images(4, 4, 1), SHIFT[:6]), "transform"),
        (
            lambda: image.affine_transform(images(4, 4, 1), SHIFT, interpolation="bicubic"),
            "nearest",
        ),
        (lambda: image.map_coordinates(images(4, 4), [[1.0]], 1), "one array per axis"),
        (lambda: image.map_coordinates(images(4, 4), [[1.0], [1.0]], 3), "`order` must be 0"),
        (lambda: image.crop_images(images(5, 5, 1), top_cropping=1, target_width=2), "exactly two"),
        (
            lambda: image.crop_images(
                images(5, 5, 1), top_cropping=1, target_height=6, left_cropping=0, target_width=2
            ),
            "exceeds the 5x5 images",
        ),
        (
            lambda: image.crop_images(
                images(5, 5, 1), top_cropping=1, bottom_cropping=5, left_cropping=0, target_width=2
            ),
            "`target_height` must be >= 0",
        ),
        (
            lambda: image.pad_images(
                images(5, 5, 1), top_padding=1, target_height=3, left_padding=0, target_width=6
            ),
            "`bottom_padding` must be >= 0",
        ),
        (
            lambda: image.pad_images(
                images(5, 5, 1), top_padding=-1, bottom_padding=1, left_padding=0, right_padding=0
            ),
            "`top_padding` must be >= 0",
        ),
        (
            lambda: image.perspective_transform(images(4, 4, 1), [[0, 0]] * 3, [[0, 0]] * 3),
            "(4, 2)",
        ),
        (lambda: image.affine_transform(images(3, 4, 4, 1), [SHIFT] * 2), "one per image (3)"),
        (lambda: image.sobel_edges(images(4, 4, 1)), "rank 4"),
        (lambda: image.rgb_to_hsv(images(4, 4, 3, dtype=torch.uint8)), "float dtype"),
        (lambda: image.rgb_to_grayscale(images(4, 4, 2)), "3 (RGB) or 1"),
        (
            lambda: image.scale_and_translate(images(4, 4), (2, 2), [1.0], [0.0], (0,), "area"),
            "method",
        ),
        (lambda: image.gaussian_blur(images(4, 4, 1), data_format="NHWC"), "data_format"),
        (lambda: image.elastic_transform(images(4, 4, 1), seed="x"), "seed"),
        (lambda: image.extract_patches(images(4, 4, 1), (2, 2, 2, 2)), "`size` must have"),
    ],
)
def test_bad_arguments_raise_value_errors_naming_the_function(call, message):
    with pytest.raises(ValueError, match="`image\\.") as error:
        call()
    assert message in str(error.value)


def test_extract_patches_size_of_wrong_type_is_a_type_error():
    with pytest.raises(TypeError, match="`size` must be an int or a tuple"):
        image.extract_patches(images(4, 4, 1), "2")


@pytest.mark.parametrize("dtype", [torch.uint8, torch.int32, torch.float16, torch.float64])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest", "bicubic"])
def test_resize_keeps_the_input_dtype(dtype, interpolation):
    x = (images(1, 5, 6, 2) * 200).to(dtype)
    assert image.resize(x, (3, 4), interpolation=interpolation).dtype == dtype


def test_bicubic_uint8_saturates_instead_of_wrapping():
    x = torch.zeros(1, 6, 6, 1, dtype=torch.uint8)
    x[:, ::2, ::2] = 255  # overshooting bicubic lobes
    y = image.resize(x, (11, 11), interpolation="bicubic")
    big = image.resize(x.float(), (11, 11), interpolation="bicubic")
    assert big.max() > 255 and y.max() == 255 and y.min() == 0


def test_crop_is_a_view_and_pad_adds_zeros():
    x = images(2, 5, 6, 3)
    crop = image.crop_images(x, top_cropping=1, left_cropping=2, target_height=3, target_width=2)
    assert crop.data_ptr() != x.data_ptr() and crop.untyped_storage().data_ptr() == (
        x.untyped_storage().data_ptr()
    )
    padded = image.pad_images(x, top_padding=1, bottom_padding=2, left_padding=0, right_padding=1)
    assert padded.shape == (2, 8, 7, 3) and padded[:, 0].abs().sum() == 0
    torch.testing.assert_close(padded[:, 1:6, :6], x)


def test_affine_transform_never_writes_into_its_transform_and_differentiates_it():
    transform = torch.tensor([SHIFT], requires_grad=True)  # Keras writes into it (in place)
    before = transform.detach().clone()
    out = image.affine_transform(images(1, 4, 5, 2), transform)
    out.sum().backward()
    torch.testing.assert_close(transform.detach(), before)
    assert transform.grad is not None and transform.grad[0, 2] != 0


def test_one_transform_applies_to_every_image_of_a_batch():
    x = images(3, 4, 5, 2)
    batched = image.affine_transform(x, [SHIFT] * 3)
    torch.testing.assert_close(image.affine_transform(x, SHIFT), batched)


def test_data_format_none_follows_the_global_setting():
    x = images(1, 2, 5, 6)  # channels_first
    expected = image.gaussian_blur(x, data_format="channels_first")
    previous = config.image_data_format()
    config.set_image_data_format("channels_first")
    try:
        torch.testing.assert_close(image.gaussian_blur(x), expected)
        assert image.resize(x, (3, 3)).shape == (1, 2, 3, 3)
    finally:
        config.set_image_data_format(previous)


def test_elastic_transform_seed_reproduces_and_none_uses_the_global_generator():
    x = images(2, 6, 7, 2)
    first = image.elastic_transform(x, alpha=3.0, sigma=0.8, seed=3)
    torch.testing.assert_close(image.elastic_transform(x, alpha=3.0, sigma=0.8, seed=3), first)
    assert not torch.equal(image.elastic_transform(x, alpha=3.0, sigma=0.8, seed=4), first)
    torch.manual_seed(1)
    again = image.elastic_transform(x, alpha=3.0, sigma=0.8)
    torch.manual_seed(1)
    torch.testing.assert_close(image.elastic_transform(x, alpha=3.0, sigma=0.8), again)


def test_hsv_round_trip():
    x = images(2, 4, 5, 3)
    torch.testing.assert_close(image.hsv_to_rgb(image.rgb_to_hsv(x)), x, atol=1e-6, rtol=1e-5)


def test_extract_patches_matches_its_definition():
    x = images(1, 4, 6, 2)
    patches = image.extract_patches(x, (2, 3))
    assert patches.shape == (1, 2, 2, 12)
    torch.testing.assert_close(patches[0, 1, 1], x[0, 2:4, 3:6].reshape(-1))


@pytest.mark.cuda
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_cuda_matches_cpu(case):
    """Every table case on CUDA: same dtypes, values and gradients as on CPU (GPU kernels
    round differently: 1e-4 relative)."""
    if case.op == "elastic_transform":
        pytest.skip("CUDA draws other random numbers than the CPU generator")
    cpu = run_case(image, case)
    torch.set_default_device("cuda")
    try:
        cuda = run_case(image, case)
    finally:
        torch.set_default_device("cpu")
    assert sorted(cuda) == sorted(cpu)
    for key, value in cpu.items():
        if key.startswith("dtype/"):
            assert str(cuda[key]) == str(value), key
        else:
            np.testing.assert_allclose(cuda[key], value, rtol=1e-4, atol=1e-5, err_msg=key)
