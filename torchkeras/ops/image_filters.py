"""Filters of `keras.ops.image`: gaussian_blur, sobel_edges and ssim (depthwise convolutions).

The kernels are built with Keras' arithmetic in the images' dtype and applied with one grouped
`F.conv2d` on a `(B, C, H, W)` view, so values and gradients match Keras' torch backend.
"""

import torch
import torch.nn.functional as F

from torchkeras.ops import convert, dtypes, image_checks


def _gaussian_1d(size, sigma, dtype, device):
    x = torch.arange(size, dtype=dtype, device=device) - (size - 1) / 2
    kernel = torch.exp(-0.5 * (x / sigma) ** 2)
    return kernel / torch.sum(kernel)


def blur_channels_first(x, kernel_size, sigma):
    """Gaussian blur of each channel of a `(B, C, H, W)` batch; `sigma` a `(2,)` tensor."""
    channels = x.shape[1]
    kernel_x = _gaussian_1d(kernel_size[0], sigma[0], x.dtype, x.device)
    kernel_y = _gaussian_1d(kernel_size[1], sigma[1], x.dtype, x.device)
    kernel = torch.outer(kernel_y, kernel_x).view(1, 1, *kernel_size)
    kernel = kernel.expand(channels, 1, *kernel_size)
    return F.conv2d(x, kernel, padding=kernel_size[0] // 2, groups=channels)


def _pair(value, name, op):
    values = (value, value) if isinstance(value, (int, float)) else tuple(value)
    if len(values) != 2:
        raise ValueError(f"`image.{op}`: `{name}` must be a pair, got {name}={value!r}.")
    return values


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blurs each channel with a Gaussian kernel (zero padding `kernel_size[0] // 2`).

    Keras' torch backend reads `data_format=None` as channels_first; here None means the global
    `image_data_format()`, as everywhere else. As Keras, the kernel is the outer product of the
    1-D kernels of `(kernel_size[1], sigma[1])` and `(kernel_size[0], sigma[0])`, laid out as a
    `kernel_size` array (the same for square kernels).

    Args:
        images: Rank 3 or 4 float images.
        kernel_size: `(height, width)` of the kernel (odd sizes keep the image size).
        sigma: Standard deviations `(sigma_x, sigma_y)`.
        data_format: `"channels_last"`, `"channels_first"` or None (the global default).

    Shapes: same as `images` (odd kernel sizes).
    """
    op = "gaussian_blur"
    fmt = image_checks.data_format(data_format, op)
    images = image_checks.images_tensor(images, op)
    kernel_size = tuple(int(n) for n in _pair(kernel_size, "kernel_size", op))
    sigma = convert.tensor(_pair(sigma, "sigma", op), device=images.device)
    x, squeeze = image_checks.batched(images)
    if fmt == "channels_last":
        x = x.permute(0, 3, 1, 2)
    blurred = blur_channels_first(x, kernel_size, sigma)
    if fmt == "channels_last":
        blurred = blurred.permute(0, 2, 3, 1)
    return blurred.squeeze(0) if squeeze else blurred


_SOBEL_X = ((-1, 0, 1), (-2, 0, 2), (-1, 0, 1))
_SOBEL_Y = ((-1, -2, -1), (0, 0, 0), (1, 2, 1))


def sobel_edges(images, data_format=None):
    """Sobel gradients of each channel: `(d/dy, d/dx)` stacked on a new last axis.

    Args:
        images: Rank 4 images (a batch).
        data_format: `"channels_last"`, `"channels_first"` or None (the global default).

    Shapes: `(B, H, W, C)` -> `(B, H, W, C, 2)`; channels_first `(B, C, H, W, 2)`.
    """
    fmt = image_checks.data_format(data_format, "sobel_edges")
    images = image_checks.images_tensor(images, "sobel_edges", ranks=(4,))
    x = images.permute(0, 3, 1, 2) if fmt == "channels_last" else images
    channels = x.shape[1]
    edges = []
    for taps in (_SOBEL_Y, _SOBEL_X):
        kernel = torch.tensor(taps, dtype=images.dtype, device=images.device)
        kernel = kernel.view(1, 1, 3, 3).repeat(channels, 1, 1, 1)
        edges.append(F.conv2d(x, kernel, padding=1, groups=channels))
    edges = torch.stack(edges, dim=-1)  # (B, C, H, W, 2)
    return edges.permute(0, 2, 3, 1, 4) if fmt == "channels_last" else edges


def _ssim_kernel(size, sigma, dtype, device):
    x = torch.arange(size, dtype=dtype, device=device) - (size - 1) / 2.0
    kernel = torch.exp(-(x**2) / (2.0 * sigma**2))
    kernel = kernel / torch.sum(kernel)
    return torch.outer(kernel, kernel).reshape(size, size, 1, 1).permute(3, 2, 0, 1)  # Keras' view


def ssim(
    image1,
    image2,
    max_val=1.0,
    filter_size=11,
    filter_sigma=1.5,
    k1=0.01,
    k2=0.03,
    data_format=None,
):
    """Structural similarity of two images (Gaussian window, valid positions only).

    Computed per channel in floatx (or the images' float dtype), averaged over positions then
    channels, and cast to the first image's dtype, as Keras.

    Args:
        image1, image2: Rank 3 or 4 images of one shape.
        max_val: Dynamic range of the pixel values.
        filter_size, filter_sigma: Size and standard deviation of the Gaussian window.
        k1, k2: Stabilising constants of the SSIM formula.
        data_format: `"channels_last"`, `"channels_first"` or None (the global default).

    Shapes: `(B, H, W, C)`, `(B, H, W, C)` -> `(B,)`; unbatched -> `()`.
    """
    fmt = image_checks.data_format(data_format, "ssim")
    image1 = image_checks.images_tensor(image1, "ssim", "image1")
    image2 = image_checks.images_tensor(image2, "ssim", "image2", (image1.dim(),))
    original = image1.dtype
    compute = dtypes.to_torch(dtypes.result_type(image1.dtype, float))
    x1, squeeze = image_checks.batched(image1.to(compute))
    x2, _ = image_checks.batched(image2.to(compute))
    if fmt == "channels_last":
        x1, x2 = x1.permute(0, 3, 1, 2), x2.permute(0, 3, 1, 2)
    batch, channels, height, width = x1.shape
    # Per channel `(B*C, H, W, 1)`, each convolved as a `(B*C, 1, H, W)` view, as Keras: torch
    # then runs its channels_last convolution, whose gradients round unlike the NCHW one's.
    x1, x2 = x1.reshape(-1, height, width, 1), x2.reshape(-1, height, width, 1)
    kernel = _ssim_kernel(filter_size, filter_sigma, compute, x1.device)

    def window_mean(z):
        return F.conv2d(z.permute(0, 3, 1, 2), kernel)

    mu1, mu2 = window_mean(x1), window_mean(x2)
    mu1_sq, mu2_sq, mu1_mu2 = mu1 * mu1, mu2 * mu2, mu1 * mu2
    sigma1_sq = window_mean(x1 * x1) - mu1_sq
    sigma2_sq = window_mean(x2 * x2) - mu2_sq
    sigma12 = window_mean(x1 * x2) - mu1_mu2
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    numerator = (2.0 * mu1_mu2 + c1) * (2.0 * sigma12 + c2)
    denominator = (mu1_sq + mu2_sq + c1) * (sigma1_sq + sigma2_sq + c2)
    per_channel = torch.mean(numerator / denominator, dim=(1, 2, 3))
    result = torch.mean(per_channel.reshape(batch, channels), dim=-1)
    return (result.squeeze(0) if squeeze else result).to(original)
