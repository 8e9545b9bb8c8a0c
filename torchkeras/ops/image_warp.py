"""Geometric warps of `keras.ops.image`: affine_transform and perspective_transform.

Both compute, for every output pixel, the input coordinates it reads (Keras' arithmetic, so the
coordinates round identically), then read all images and channels in one batched
`image_sampling.interpolate` call: batch and channel axes are exact integer indices.
"""

import torch

from torchkeras.ops import convert, image_checks, image_sampling


def _channels_last_batch(images, fmt):
    images, squeeze = image_checks.batched(images)
    return (images.permute(0, 2, 3, 1) if fmt == "channels_first" else images), squeeze


def _restore(output, fmt, squeeze):
    if fmt == "channels_first":
        output = output.permute(0, 3, 1, 2)
    return output.squeeze(0) if squeeze else output


def _exact_axes(batch, channels, device):
    """`ExactIndex`es of the batch and channel axes, broadcastable to `(B, H, W, C)`."""
    batch_index = torch.arange(batch, device=device).reshape(batch, 1, 1, 1)
    channel_index = torch.arange(channels, device=device).reshape(1, 1, 1, channels)
    return image_sampling.ExactIndex(batch_index), image_sampling.ExactIndex(channel_index)


def _per_image(values, batch, name, op):
    """`(N, 8)` values for a batch of `batch` images: one row for all, or one per image."""
    if values.shape[0] not in (1, batch):
        raise ValueError(
            f"`image.{op}`: `{name}` must hold one entry or one per image ({batch}), got "
            f"{values.shape[0]}."
        )
    return values.expand(batch, 8)


def _affine_coordinates(transform, shape):
    """Input `(y, x)` read by each output pixel, `(B, H, W, C)` each, as Keras computes them.

    Keras multiplies the `(row, column, channel)` grid by a 3x3 matrix built from the transform
    `[a0, a1, a2, b0, b1, b2, c0, c1]` (one `einsum`), then adds the offsets `(b2, a2)`.
    """
    batch = shape[0]
    grid = torch.meshgrid(
        *[torch.arange(n, dtype=transform.dtype, device=transform.device) for n in shape[1:]],
        indexing="ij",
    )
    indices = torch.stack(grid, dim=-1).expand(batch, *shape[1:], 3)
    a0, a1, a2, b0, b1, b2, c0, c1 = transform.unbind(dim=1)
    zeros, ones = torch.zeros_like(a0), torch.ones_like(a0)
    matrix = torch.stack([b1, a1, zeros, b0, a0, zeros, c0, c1, ones], dim=1).reshape(batch, 3, 3)
    coordinates = torch.einsum("Bhwij, Bjk -> Bhwik", indices, matrix)
    offsets = (b2.reshape(-1, 1, 1, 1), a2.reshape(-1, 1, 1, 1))
    return coordinates[..., 0] + offsets[0], coordinates[..., 1] + offsets[1]


def affine_transform(
    images,
    transform,
    interpolation="bilinear",
    fill_mode="constant",
    fill_value=0,
    data_format=None,
):
    """Applies affine transforms: output pixel `(x, y)` reads the input at
    `(a0 x + a1 y + a2, b0 x + b1 y + b2)`, for a transform `[a0, a1, a2, b0, b1, b2, c0, c1]`.

    As Keras' torch backend, `c0, c1` (projective terms elsewhere) are added times the channel
    index, so leave them 0; unlike it, the `transform` argument is never modified in place.

    Args:
        images: Rank 3 or 4 images.
        transform: `(8,)` or `(B, 8)` transforms (one for all images or one per image).
        interpolation: `"nearest"` or `"bilinear"`.
        fill_mode: `"constant"`, `"nearest"`, `"wrap"`, `"mirror"` or `"reflect"`.
        fill_value: Value outside the input under `"constant"`.
        data_format: `"channels_last"`, `"channels_first"` or None (the global default).

    Shapes: same as `images`.
    """
    op = "affine_transform"
    image_checks.choice(interpolation, image_checks.AFFINE_INTERPOLATIONS, op, "interpolation")
    image_checks.choice(fill_mode, image_checks.FILL_MODES, op, "fill_mode")
    fmt = image_checks.data_format(data_format, op)
    images = image_checks.images_tensor(images, op)
    transform = convert.tensor(transform, device=images.device)
    if transform.dim() not in (1, 2) or transform.shape[-1] != 8:
        raise ValueError(
            f"`image.{op}`: `transform` must have shape (8,) or (batch, 8), got "
            f"transform.shape={tuple(transform.shape)}."
        )
    x, squeeze = _channels_last_batch(images, fmt)
    transform = _per_image(transform.reshape(-1, 8), x.shape[0], "transform", op)
    y_in, x_in = _affine_coordinates(transform, x.shape)
    batch_index, channel_index = _exact_axes(x.shape[0], x.shape[3], x.device)
    output = image_sampling.interpolate(
        x,
        [batch_index, y_in, x_in, channel_index],
        image_checks.AFFINE_INTERPOLATIONS[interpolation],
        fill_mode,
        fill_value,
    )
    return _restore(output, fmt, squeeze)


def compute_homography_matrix(start_points, end_points):
    """The 8 coefficients mapping each `end_points` corner to its `start_points` corner.

    Solves Keras' 8x8 system `A h = b` (in at least float32) for every batch item.

    Shapes: `(B, 4, 2)`, `(B, 4, 2)` -> `(B, 8)`.
    """
    start_x, start_y = start_points[..., 0], start_points[..., 1]  # (B, 4)
    end_x, end_y = end_points[..., 0], end_points[..., 1]
    zeros, ones = torch.zeros_like(end_x), torch.ones_like(end_x)
    x_rows = torch.stack(
        [end_x, end_y, ones, zeros, zeros, zeros, -start_x * end_x, -start_x * end_y], dim=-1
    )
    y_rows = torch.stack(
        [zeros, zeros, zeros, end_x, end_y, ones, -start_y * end_x, -start_y * end_y], dim=-1
    )
    matrix = torch.stack([x_rows, y_rows], dim=2).reshape(-1, 8, 8)  # rows x1, y1, x2, ...
    target = torch.stack([start_x, start_y], dim=-1).reshape(-1, 8, 1)
    compute = torch.promote_types(matrix.dtype, torch.float32)
    solution, _ = torch.linalg.solve_ex(matrix.to(compute), target.to(compute))  # no sync
    return solution.reshape(-1, 8).to(matrix.dtype)


def _check_points(points, name):
    if points.dim() not in (2, 3) or tuple(points.shape[-2:]) != (4, 2):
        raise ValueError(
            f"`image.perspective_transform`: `{name}` must have shape (4, 2) or (batch, 4, 2), "
            f"got {name}.shape={tuple(points.shape)}."
        )
    return points.reshape(-1, 4, 2)


def perspective_transform(
    images, start_points, end_points, interpolation="bilinear", fill_value=0, data_format=None
):
    """Warps images so that the quadrilateral `start_points` lands on `end_points`.

    Output pixel `(x, y)` reads the input at the homography of `(x, y)` (constant fill).

    Args:
        images: Rank 3 or 4 float images.
        start_points, end_points: `(4, 2)` or `(B, 4, 2)` corner `(x, y)` coordinates.
        interpolation: `"nearest"` or `"bilinear"`.
        fill_value: Value outside the input.
        data_format: `"channels_last"`, `"channels_first"` or None (the global default).

    Shapes: same as `images`.
    """
    op = "perspective_transform"
    image_checks.choice(interpolation, image_checks.AFFINE_INTERPOLATIONS, op, "interpolation")
    fmt = image_checks.data_format(data_format, op)
    images = image_checks.images_tensor(images, op)
    start_points = convert.tensor(start_points, images.dtype, images.device)
    end_points = convert.tensor(end_points, images.dtype, images.device)
    if start_points.shape != end_points.shape:
        raise ValueError(
            f"`image.{op}`: `start_points` and `end_points` must have one shape, got "
            f"{tuple(start_points.shape)} and {tuple(end_points.shape)}."
        )
    start_points = _check_points(start_points, "start_points")
    end_points = _check_points(end_points, "end_points")
    x, squeeze = _channels_last_batch(images, fmt)
    batch, height, width, channels = x.shape
    h = _per_image(compute_homography_matrix(start_points, end_points), batch, "start_points", op)
    grid_x, grid_y = torch.meshgrid(
        torch.arange(width, dtype=images.dtype, device=x.device),
        torch.arange(height, dtype=images.dtype, device=x.device),
        indexing="xy",
    )
    a0, a1, a2, a3, a4, a5, a6, a7 = (h[:, i, None, None] for i in range(8))
    denominator = a6 * grid_x + a7 * grid_y + 1.0
    x_in = ((a0 * grid_x + a1 * grid_y + a2) / denominator)[..., None]  # (B, H, W, 1)
    y_in = ((a3 * grid_x + a4 * grid_y + a5) / denominator)[..., None]
    batch_index, channel_index = _exact_axes(batch, channels, x.device)
    output = image_sampling.interpolate(
        x,
        [batch_index, y_in, x_in, channel_index],
        image_checks.AFFINE_INTERPOLATIONS[interpolation],
        "constant",
        fill_value,
    )
    return _restore(output, fmt, squeeze)
