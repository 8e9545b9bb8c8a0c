"""ContrastLimitedAdaptiveHistogramEqualization (CLAHE): per-tile equalization, interpolated."""

import torch

from torchkeras.layers.preprocessing.image.augment_base import (
    check_value_range,
    rescale_values,
)
from torchkeras.layers.preprocessing.image.base import ImageLayer, batch_call
from torchkeras.registry import LAYERS


def _pad_edge(x, pad, dim):
    """`x` padded at the end of `dim` by repeating its last entry: Keras asks for numpy's
    "symmetric" padding, which its torch backend performs as "replicate"."""
    size = x.shape[dim]
    index = torch.arange(size + pad, device=x.device).clamp(max=size - 1)
    return x.index_select(dim, index) if pad else x


def _tile_cdfs(tiles, tile_pixels, clip_limit):
    """Clipped, normalised cumulative histograms `(..., 256)` of integer tiles `(..., N)`.

    As Keras' torch backend, the histograms are int64 counts, so the clip limit is truncated
    to an int (a limit below 1 flattens the histogram and makes the mapping the identity).
    """
    hists = torch.zeros(*tiles.shape[:-1], 256, dtype=torch.int64, device=tiles.device)
    hists.scatter_add_(-1, tiles.long(), torch.ones_like(tiles, dtype=torch.int64))
    if clip_limit > 0:
        limit = int(clip_limit * tile_pixels / 256.0)
        clipped = hists.clamp(0, limit)
        excess = (hists - clipped).sum(dim=-1, keepdim=True)
        hists = clipped + excess / 256.0
    cdf = torch.cumsum(hists, dim=-1)
    cdf_min = cdf.amin(dim=-1, keepdim=True)
    denominator = torch.tensor(tile_pixels, dtype=cdf.dtype, device=cdf.device) - cdf_min
    denominator = torch.where(denominator == 0, torch.ones_like(denominator), denominator)
    return ((cdf - cdf_min) * 255.0 / denominator).clamp(0, 255)


def _neighbours(size, tile, grid, device):
    """Lower and upper tile index (in the edge-padded grid) and weight of each pixel row."""
    position = (torch.arange(size, dtype=torch.float32, device=device) - tile / 2.0) / tile
    position = position + 1.0
    low = torch.floor(position)
    weight = position - low
    high = (low + 1.0).clamp(0, grid + 1).long()
    return low.clamp(0, grid + 1).long(), high, weight


@LAYERS.register()
class ContrastLimitedAdaptiveHistogramEqualization(ImageLayer):
    """CLAHE: per-tile histogram equalization with clipping, blended between nearby tiles.

    Each channel of each tile is equalized with its clipped histogram; each pixel's value is
    the bilinear blend of the mappings of its four nearest tiles.

    Keras' algorithm step by step: images rescaled to 0-255, padded to whole tiles by
    repeating the last row and column (Keras' torch backend), 256-bin histograms per tile
    clipped at `clip_limit * tile_pixels / 256` with the excess spread evenly (Keras' torch
    backend counts in int64, so the limit is truncated to an int), and pixels truncated to
    ints to index the mappings. Acts at inference too and keeps the input's dtype (float
    results are truncated for ints).

    Args:
        value_range: `(min, max)` of the pixel values.
        clip_limit: Histogram clipping threshold, relative to a flat histogram; 0 disables it.
        tile_grid_size: `(rows, columns)` of tiles (default `(8, 8)`).
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    def __init__(self, value_range=(0, 255), clip_limit=4.0, tile_grid_size=(8, 8),
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = check_value_range(self, value_range)
        number = isinstance(clip_limit, (int, float)) and not isinstance(clip_limit, bool)
        if not number or clip_limit < 0:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': `clip_limit` must be a number >= 0, got "
                f"clip_limit={clip_limit!r}."
            )
        valid = isinstance(tile_grid_size, (tuple, list)) and len(tile_grid_size) == 2
        if not valid or not all(isinstance(n, int) and n > 0 for n in tile_grid_size):
            raise ValueError(
                f"{type(self).__name__} '{self.name}': `tile_grid_size` must be a pair of "
                f"positive ints, got tile_grid_size={tile_grid_size!r}."
            )
        self.clip_limit = clip_limit
        self.tile_grid_size = tile_grid_size

    def call(self, inputs, training=False):
        return batch_call(self, inputs, self.equalize)

    def equalize(self, images):
        """CLAHE of a 4D batch, in the input's dtype."""
        nhwc = images.permute(0, 2, 3, 1) if self.data_format == "channels_first" else images
        scaled = rescale_values(nhwc, self.value_range, (0, 255)).to(torch.float32)
        result = rescale_values(self.clahe(scaled), (0, 255), self.value_range).to(images.dtype)
        return result.permute(0, 3, 1, 2) if self.data_format == "channels_first" else result

    def clahe(self, images):
        """Keras' CLAHE of a float NHWC batch on the 0-255 scale."""
        batch, height, width, channels = images.shape
        grid_h, grid_w = self.tile_grid_size
        tile_h, tile_w = -(-height // grid_h), -(-width // grid_w)
        padded = _pad_edge(images, tile_h * grid_h - height, 1)
        padded = _pad_edge(padded, tile_w * grid_w - width, 2)
        tiles = padded.reshape(batch, grid_h, tile_h, grid_w, tile_w, channels)
        tiles = tiles.permute(0, 1, 3, 5, 2, 4).reshape(batch, grid_h, grid_w, channels, -1)
        cdf = _tile_cdfs(tiles.to(torch.int32).clamp(0, 255), tile_h * tile_w, self.clip_limit)
        cdf = torch.cat([cdf[:, :1], cdf, cdf[:, -1:]], dim=1)  # edge tiles repeated
        cdf = torch.cat([cdf[:, :, :1], cdf, cdf[:, :, -1:]], dim=2)
        y0, y1, wy = _neighbours(tile_h * grid_h, tile_h, grid_h, images.device)
        x0, x1, wx = _neighbours(tile_w * grid_w, tile_w, grid_w, images.device)
        pixels = padded.clamp(0, 255).to(torch.int32).long()
        b = torch.arange(batch, device=images.device)[:, None, None, None]
        c = torch.arange(channels, device=images.device)[None, None, None, :]
        y0, y1, wy = y0[None, :, None, None], y1[None, :, None, None], wy[None, :, None, None]
        x0, x1, wx = x0[None, None, :, None], x1[None, None, :, None], wx[None, None, :, None]
        top = cdf[b, y0, x0, c, pixels] * (1.0 - wx) + cdf[b, y0, x1, c, pixels] * wx
        bottom = cdf[b, y1, x0, c, pixels] * (1.0 - wx) + cdf[b, y1, x1, c, pixels] * wx
        result = top * (1.0 - wy) + bottom * wy
        return result[:, :height, :width, :]

    def get_config(self):
        return {
            **super().get_config(),
            "value_range": self.value_range,
            "clip_limit": self.clip_limit,
            "tile_grid_size": self.tile_grid_size,
        }
