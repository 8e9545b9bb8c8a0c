"""ImageLayer: the shared base of the image preprocessing layers (data format, rank, factors)."""

import torch

from torchkeras import config
from torchkeras.layers.convolutional import conv_utils
from torchkeras.layers.layer import Layer
from torchkeras.layers.regularization import _seeded


class ImageLayer(Layer):
    """Base of the image layers: one image `(H, W, C)` or a batch `(B, H, W, C)` (channels_last).

    Subclasses work on a 4D batch; `call` adds and removes the batch axis of a 3D image, as
    Keras does. Random subclasses draw from the layer's own `torch.Generator` when given a
    `seed` (else from torch's global generator), on the input's device.

    Args:
        data_format: `"channels_last"` (default, from `image_data_format()`) or
            `"channels_first"`.

    Shapes: `(H, W, C)` or `(B, H, W, C)` (channels_last; channels first: `(..., C, H, W)`).
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = conv_utils.normalize_data_format(data_format, self)

    # ---- shapes -------------------------------------------------------------------------
    @property
    def spatial_axes(self):
        """(height axis, width axis) counted from the end, for 3D and 4D inputs alike."""
        return (-3, -2) if self.data_format == "channels_last" else (-2, -1)

    def image_size(self, shape):
        """(height, width) of an image shape (batched or not)."""
        return shape[self.spatial_axes[0]], shape[self.spatial_axes[1]]

    def check_rank(self, images):
        """Keras' ValueError unless `images` is 3D (one image) or 4D (a batch)."""
        if images.ndim not in (3, 4):
            raise ValueError(
                f"{type(self).__name__} '{self.name}': expected a 3D image (height, width, "
                f"channels) or a 4D batch of images, got an input of shape "
                f"{tuple(images.shape)}."
            )

    def to_nchw(self, images):
        """A 4D batch as a `(B, C, H, W)` view (a channels_last one for NHWC inputs)."""
        return images.permute(0, 3, 1, 2) if self.data_format == "channels_last" else images

    def from_nchw(self, images):
        """Inverse of `to_nchw`."""
        return images.permute(0, 2, 3, 1) if self.data_format == "channels_last" else images

    @property
    def compute_dtype(self):
        """The torch dtype of the layer's computations (float32 by default)."""
        return config.standardize_dtype(self.dtype)

    def cast(self, images):
        """Images in the layer's compute dtype (Keras casts uint8 images to floats)."""
        return images.to(self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    # ---- randomness ---------------------------------------------------------------------
    def uniform(self, shape, low, high, device, dtype=torch.float32):
        """Uniform samples in `[low, high)` from the layer's generator: `low + (high-low) * u`."""
        seeded = _seeded.generator_argument(self, device)
        u = torch.rand(shape, device=device, dtype=dtype, **seeded)
        return u * (high - low) + low

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


def batch_call(layer, images, transform):
    """Runs `transform` on a 4D batch; a 3D image gets (and loses) a batch axis, as in Keras."""
    layer.check_rank(images)
    if images.ndim == 3:
        return transform(images.unsqueeze(0)).squeeze(0)
    return transform(images)


def factor_range(layer, factor, name, bounds=(-1.0, 1.0), lower_open=False):
    """`(lower, upper)` of a Keras factor: a number `f` means `(max(-f, low), f)`, a pair is
    sorted.

    Raises Keras' ValueError naming the layer when a value is outside `bounds`
    (`lower_open`: the lower bound itself is refused, as RandomZoom does for -1).
    """
    low, high = bounds

    def inside(value):
        return isinstance(value, (int, float)) and not isinstance(value, bool) and (
            (low < value if lower_open else low <= value) and value <= high
        )

    pair = isinstance(factor, (tuple, list)) and len(factor) == 2
    if not (all(inside(v) for v in factor) if pair else inside(factor)):
        interval = f"{'(' if lower_open else '['}{low}, {high}]"
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': `{name}` must be a number or a pair of "
            f"numbers in {interval}, got {name}={factor!r}."
        )
    if pair:
        return tuple(sorted(factor))
    return max(-abs(factor), low), abs(factor)


def check_choice(layer, value, name, choices):
    """Keras' ValueError naming the layer unless `value` is one of `choices`."""
    if value not in choices:
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': `{name}` must be one of {choices}, "
            f"got {name}={value!r}."
        )
    return value


def check_size(layer, height, width):
    """Keras' ValueError unless `height` and `width` are positive ints."""
    for name, value in (("height", height), ("width", width)):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(
                f"{type(layer).__name__} '{layer.name}': `{name}` must be a positive int, "
                f"got {name}={value!r}."
            )
    return height, width
