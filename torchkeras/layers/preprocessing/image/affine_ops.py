"""Batched affine warps of images with Keras' fill modes, on one `F.grid_sample` call.

A transform is Keras' 8-vector `[a0, a1, a2, b0, b1, b2, c0, c1]` per image (`c0 = c1 = 0`):
the output pixel `(x, y)` reads the input at `(a0*x + a1*y + a2, b0*x + b1*y + b2)`, pixel
centres at integers. Keras' `map_coordinates` fixes each interpolation node's index by the fill
mode; the `grid_sample` paddings below give the same values:

- `reflect` (`d c b a | a b c d | d c b a`): `padding_mode="reflection"`, half-pixel grid;
- `nearest` (`a a a | a b c d | d d d`): `padding_mode="border"`;
- `wrap` (`a b c d | a b c d`): the coordinate taken modulo the size, sampled on the image
  padded circularly by one row and column;
- `constant`: zero padding, plus `fill_value` times the weight that fell outside (sampled in
  the same call as an extra channel of ones).
"""

import math

import torch
import torch.nn.functional as F

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")
_PADDING = {"reflect": "reflection", "nearest": "border", "wrap": "border", "constant": "zeros"}


def rotation_matrix(angle, height, width):
    """Keras' rotation about the image centre, `angle` in degrees `(B,)` -> `(B, 8)`.

    Same float32 arithmetic as Keras' `_compute_affine_matrix` without shear, scale 1.
    """
    angle = angle * torch.tensor(math.pi / 180.0, dtype=angle.dtype, device=angle.device)
    cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
    cos, sin = torch.cos(angle), torch.sin(angle)
    a0, a1, b0, b1 = cos, -sin, sin, cos
    a2 = cx - cx * a0 - cy * a1
    b2 = cy - cx * b0 - cy * b1
    zeros = torch.zeros_like(angle)
    return torch.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], dim=1)


def zoom_matrix(width_zoom, height_zoom, height, width):
    """Keras' zoom about the image centre; zooms `(B,)` (>1 zooms out) -> `(B, 8)`."""
    x_offset = ((width - 1.0) / 2.0) * (1.0 - width_zoom)
    y_offset = ((height - 1.0) / 2.0) * (1.0 - height_zoom)
    zeros = torch.zeros_like(width_zoom)
    return torch.stack(
        [width_zoom, zeros, x_offset, zeros, height_zoom, y_offset, zeros, zeros], dim=1
    )


def translation_matrix(dx, dy):
    """Keras' translation by `(dx, dy)` pixels `(B,)` each -> `(B, 8)`."""
    ones, zeros = torch.ones_like(dx), torch.zeros_like(dx)
    return torch.stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros], dim=1)


def _source_coordinates(transform, height, width):
    """Input pixel coordinates `(B, H, W, 2)` (x, y) read by each output pixel."""
    ys = torch.arange(height, dtype=transform.dtype, device=transform.device)
    xs = torch.arange(width, dtype=transform.dtype, device=transform.device)
    a0, a1, a2, b0, b1, b2 = (transform[:, i, None, None] for i in range(6))
    x = a0 * xs[None, None, :] + a1 * ys[None, :, None] + a2  # (B, H, W)
    y = b0 * xs[None, None, :] + b1 * ys[None, :, None] + b2
    return torch.stack([x, y], dim=-1)


def affine_transform(images, transform, interpolation="bilinear", fill_mode="reflect",
                     fill_value=0.0):
    """Warps a float `(B, C, H, W)` batch by per-image transforms `(B, 8)`, as Keras'
    `ops.image.affine_transform` (fill modes in the module docstring).

    Shapes: `(B, C, H, W)`, `(B, 8)` -> `(B, C, H, W)`.
    """
    channels, height, width = images.shape[1:]
    coords = _source_coordinates(transform.to(torch.float32), height, width)
    sizes = torch.tensor([width, height], dtype=coords.dtype, device=coords.device)
    if fill_mode == "wrap":
        coords = torch.remainder(coords, sizes)
        images = F.pad(images, (0, 1, 0, 1), mode="circular")
        sizes = sizes + 1
    elif fill_mode == "constant":
        ones = torch.ones_like(images[:, :1])
        images = torch.cat([images, ones], dim=1)
    grid = (2.0 * coords + 1.0) / sizes - 1.0  # pixel -> [-1, 1], half-pixel convention
    sampled = F.grid_sample(
        images,
        grid.to(images.dtype),
        mode=interpolation,
        padding_mode=_PADDING[fill_mode],
        align_corners=False,
    )
    if fill_mode == "constant":
        inside = sampled[:, channels:]
        return sampled[:, :channels] + (1.0 - inside) * fill_value
    return sampled
