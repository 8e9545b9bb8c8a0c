"""AutoContrast and Equalization: deterministic per-channel remappings of pixel values."""

import torch

from torchkeras.layers.preprocessing.image.augment_base import (
    check_value_range,
    rescale_values,
)
from torchkeras.layers.preprocessing.image.base import ImageLayer, batch_call
from torchkeras.registry import LAYERS


@LAYERS.register()
class AutoContrast(ImageLayer):
    """Stretches each image so that its darkest pixel maps to the range's minimum and its
    brightest to the maximum.

    As Keras, the minimum and maximum are taken over axes 1 and 2 of the batch (height and
    width for channels_last, so per channel; channels and height for channels_first), the
    layer acts at inference too, outputs are floats, and a constant image (a NaN scale) is
    returned unchanged.

    Args:
        value_range: `(min, max)` of the pixel values.
        data_format: `"channels_last"` (default) or `"channels_first"` (a keyword argument).

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(**kwargs)
        self.value_range = check_value_range(self, value_range, sort=True)

    def call(self, inputs, training=False):
        return batch_call(self, inputs, self.stretch)

    def stretch(self, images):
        """The auto-contrasted 4D batch."""
        original = images
        images = self.cast(rescale_values(images, self.value_range, (0, 255)))
        low = images.amin(dim=(1, 2), keepdim=True)
        high = images.amax(dim=(1, 2), keepdim=True)
        scale = 255.0 / (high - low)
        results = (images * scale + -low * scale).clamp(0.0, 255.0)
        results = rescale_values(results, (0, 255), self.value_range)
        return torch.where(torch.isnan(results), original.to(results.dtype), results)

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range}


@LAYERS.register()
class Equalization(ImageLayer):
    """Histogram equalization of each channel, with one histogram over the whole batch.

    As Keras: only while training (at inference the input is returned unchanged), pixel
    values are binned into `bins` bins of the 0-255 scale, and a channel with a single
    occupied bin is left as is. Outputs are floats.

    Args:
        value_range: `(min, max)` of the pixel values.
        bins: Number of histogram bins (256 by default).
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if isinstance(bins, bool) or not isinstance(bins, int) or bins < 2:
            raise ValueError(
                f"Equalization '{self.name}': `bins` must be an int >= 2, got bins={bins!r}."
            )
        self.bins = bins
        self.value_range = check_value_range(self, value_range, sort=True)

    def call(self, inputs, training=False):
        self.check_rank(inputs)
        if not training:
            return inputs
        return batch_call(self, inputs, self.equalize)

    def equalize(self, images):
        """The equalized 4D batch."""
        axis = -1 if self.data_format == "channels_last" else -3
        channels = self.cast(images).unbind(dim=axis)
        return torch.stack([self.equalize_channel(c) for c in channels], dim=axis)

    def equalize_channel(self, channel):
        """One channel `(B, H, W)` equalized with its histogram over the batch."""
        low, high = self.value_range
        scale = 255.0 / (high - low)
        channel = channel * scale + (0.0 - low * scale)
        scaled = (channel.to(torch.float32) - 0.0) * (self.bins - 1) / 255.0
        indices = scaled.to(torch.int32).clamp(0, self.bins - 1).reshape(-1)
        histogram = torch.bincount(indices, minlength=self.bins)
        occupied = torch.count_nonzero(histogram)
        channel = torch.where(occupied > 1, self.lookup(channel, histogram), channel)
        scale = (high - low) / 255.0
        return channel * scale + (low - 0.0 * scale)

    def lookup(self, channel, histogram):
        """Keras' equalization lookup table applied to a channel on the 0-255 scale."""
        cdf = torch.cumsum(histogram, dim=0)
        cdf_min = cdf[(cdf > 0).to(torch.int32).argmax()]  # the first nonzero, without a sync
        denominator = cdf[-1] - cdf_min
        denominator = torch.where(denominator == 0, torch.ones_like(denominator), denominator)
        table = ((cdf - cdf_min) * 255 / denominator).round().clamp(0, 255)
        indices = (channel / 255.0 * (self.bins - 1)).clamp(0, self.bins - 1).to(torch.int32)
        return table[indices]

    def get_config(self):
        return {**super().get_config(), "bins": self.bins, "value_range": self.value_range}
