"""`keras.ops.image.elastic_transform`: images read at a smoothly, randomly displaced grid.

Displacements are standard-normal draws (`dx`, then `dy`, each `(B, H, W)`) times `sigma`,
Gaussian-blurred (kernel `int(6 sigma) | 1`) and scaled by `alpha`, as Keras' torch backend.
"""

import numpy as np
import torch

from torchkeras.ops import convert, image_checks, image_sampling
from torchkeras.ops.image_filters import blur_channels_first


def _generator(seed, device):
    """None (torch's global generator, as Keras' torch backend always uses) or a generator
    seeded by an int seed, or by `seed.draw()` (a `keras.random.SeedGenerator`)."""
    if seed is None:
        return None
    value = seed.draw() if hasattr(seed, "draw") else seed
    if not isinstance(value, int):
        raise ValueError(
            "`image.elastic_transform`: `seed` must be None, an int or a SeedGenerator, got "
            f"seed={seed!r}."
        )
    generator = torch.Generator(device=device)
    generator.manual_seed(value & 0xFFFFFFFF)
    return generator


def _kernel_size(sigma):
    """Keras' blur size `int(6 * sigma) | 1`, computed in float32 (no device sync for numbers)."""
    if isinstance(sigma, (int, float)):
        return int(np.float32(6.0) * np.float32(sigma)) | 1
    return int(6 * convert.tensor(sigma)) | 1


def _displacement(shape, sigma, size, generator, like, fmt):
    """One blurred displacement field `(B, H, W)`: normal draws times `sigma`, blurred."""
    noise = torch.normal(
        0.0, 1.0, size=shape, generator=generator, dtype=like.dtype, device=like.device
    )
    noise = noise * sigma
    # Blurred as a one-channel image in `fmt` (the channels_last view, as Keras does).
    noise = noise.unsqueeze(-1).permute(0, 3, 1, 2) if fmt == "channels_last" else noise[:, None]
    return blur_channels_first(noise, (size, size), torch.stack([sigma, sigma]))[:, 0]


def elastic_transform(
    images,
    alpha=20.0,
    sigma=5.0,
    interpolation="bilinear",
    fill_mode="reflect",
    fill_value=0.0,
    seed=None,
    data_format=None,
):
    """Applies a random elastic deformation to each image.

    Keras' torch backend ignores `seed` and draws from torch's global generator; here `seed=None`
    does the same (identical values after `torch.manual_seed`), and an int seed or SeedGenerator
    seeds a generator of its own, so seeded calls are reproducible.

    Args:
        images: Rank 3 or 4 float images.
        alpha: Scale of the displacements (pixels).
        sigma: Standard deviation of the noise and of the smoothing Gaussian.
        interpolation: `"nearest"` or `"bilinear"`.
        fill_mode: `"constant"`, `"nearest"`, `"wrap"`, `"mirror"` or `"reflect"`.
        fill_value: Value outside the input under `"constant"`.
        seed: None, an int or a SeedGenerator.
        data_format: `"channels_last"`, `"channels_first"` or None (the global default).

    Shapes: same as `images`.
    """
    op = "elastic_transform"
    image_checks.choice(interpolation, image_checks.AFFINE_INTERPOLATIONS, op, "interpolation")
    image_checks.choice(fill_mode, image_checks.FILL_MODES, op, "fill_mode")
    fmt = image_checks.data_format(data_format, op)
    images = image_checks.float_images(image_checks.images_tensor(images, op), op)
    size = _kernel_size(sigma)
    alpha = convert.tensor(alpha, device=images.device)
    sigma = convert.tensor(sigma, device=images.device)
    x, squeeze = image_checks.batched(images)
    if fmt == "channels_first":
        x = x.permute(0, 2, 3, 1)
    batch, height, width, channels = x.shape
    generator = _generator(seed, x.device)
    fields = [
        _displacement((batch, height, width), sigma, size, generator, x, fmt) for _ in range(2)
    ]  # dx, then dy
    rows = torch.arange(height, device=x.device).reshape(1, height, 1)
    columns = torch.arange(width, device=x.device).reshape(1, 1, width)
    y_in = (rows + alpha * fields[1])[..., None]  # (B, H, W, 1)
    x_in = (columns + alpha * fields[0])[..., None]
    batch_index = image_sampling.ExactIndex(
        torch.arange(batch, device=x.device)[:, None, None, None]
    )
    channel_index = image_sampling.ExactIndex(
        torch.arange(channels, device=x.device)[None, None, None]
    )
    order = image_checks.AFFINE_INTERPOLATIONS[interpolation]
    output = image_sampling.interpolate(
        x, [batch_index, y_in, x_in, channel_index], order, fill_mode, fill_value
    )
    if fmt == "channels_first":
        output = output.permute(0, 3, 1, 2)
    return output.squeeze(0) if squeeze else output
