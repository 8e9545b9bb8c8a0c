"""BasePooling: max/average windows over 1-3 spatial axes with Keras' padding rules."""

from torch.nn import functional as F

from torchkeras.layers.convolutional import conv_utils
from torchkeras.layers.layer import Layer


class BasePooling(Layer):
    """Max or average pooling on torch's `F.max_poolNd`/`F.avg_poolNd`, in Keras semantics.

    `'same'` pads like TensorFlow: the odd extra cell goes at the end, max pooling never
    picks a padded cell (-inf), and average pooling divides by the number of valid cells in
    each window (Keras 3.15.1's torch backend divides by the full window at the asymmetric
    edge; this follows the later upstream fix). channels_last inputs are pooled through a
    `(batch, C, *spatial)` view, without copies unless an asymmetric pad is needed.

    Args:
        rank: Number of spatial axes (1, 2 or 3).
        mode: `"max"` or `"average"`.
        pool_size: An int or `rank` ints, the window's extent.
        strides: An int or `rank` ints; `None` means `pool_size`.
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.
    """

    def __init__(
        self,
        rank,
        mode,
        pool_size,
        strides=None,
        padding="valid",
        data_format=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.rank = rank
        self.mode = mode
        self.pool_size = conv_utils.normalize_tuple(pool_size, rank, "pool_size", self)
        strides = pool_size if strides is None else strides
        self.strides = conv_utils.normalize_tuple(strides, rank, "strides", self)
        self.padding = conv_utils.normalize_padding(padding, ("valid", "same"), self)
        self.data_format = conv_utils.normalize_data_format(data_format, self)

    def build(self, input_shape):
        conv_utils.check_rank(input_shape, self.rank, self)

    def call(self, inputs):
        spatial = conv_utils.spatial_shape(inputs.shape, self.data_format)
        pads = [(0, 0)] * self.rank
        if self.padding == "same":
            pads = [
                conv_utils.same_padding(n, k, s)
                for n, k, s in zip(spatial, self.pool_size, self.strides)
            ]
        symmetric = all(before == after for before, after in pads)
        if (
            symmetric
        ):  # torch pads implicitly (-inf for max, uncounted for average): no copy
            padding = tuple(before for before, _ in pads)
            x = conv_utils.to_channels_first(inputs, self.data_format)
            outputs = self._pool(x, padding)
        elif self.mode == "max":
            x = F.pad(inputs, self._flat_pads(pads), value=float("-inf"))
            outputs = self._pool(conv_utils.to_channels_first(x, self.data_format), 0)
        else:
            outputs = self._padded_average(inputs, pads)
        return conv_utils.from_channels_first(outputs, self.data_format)

    def _pool(self, x, padding):
        if self.mode == "max":
            pool = getattr(F, f"max_pool{self.rank}d")
            return pool(x, self.pool_size, self.strides, padding)
        pool = getattr(F, f"avg_pool{self.rank}d")
        return pool(x, self.pool_size, self.strides, padding, count_include_pad=False)

    def _padded_average(self, inputs, pads):
        """Average over valid cells only: window sums of the zero-padded input / valid counts."""
        x = conv_utils.to_channels_first(
            F.pad(inputs, self._flat_pads(pads)), self.data_format
        )
        spatial = conv_utils.spatial_shape(inputs.shape, self.data_format)
        ones = inputs.new_ones((1, 1, *spatial))
        ones = F.pad(ones, conv_utils.channels_first_pad(pads))  # (1, 1, *padded)
        pool = getattr(F, f"avg_pool{self.rank}d")
        return pool(x, self.pool_size, self.strides) / pool(
            ones, self.pool_size, self.strides
        )

    def _flat_pads(self, pads):
        if self.data_format == "channels_last":
            return conv_utils.channels_last_pad(pads)
        return conv_utils.channels_first_pad(pads)

    def compute_output_shape(self, input_shape):
        spatial = conv_utils.spatial_shape(input_shape, self.data_format)
        lengths = tuple(
            conv_utils.output_length(n, k, s, self.padding)
            for n, k, s in zip(spatial, self.pool_size, self.strides)
        )
        channels = conv_utils.channel_dim(input_shape, self.data_format)
        if self.data_format == "channels_last":
            return (input_shape[0], *lengths, channels)
        return (input_shape[0], channels, *lengths)

    def get_config(self):
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        }
