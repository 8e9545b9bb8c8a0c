"""AugmentLayer: the base of the augmentation layers that draw Keras' random numbers.

Keras' image augmentation layers own a `SeedGenerator(seed)` and draw every random tensor
from it, in a fixed order. Doing the same with `torchkeras.random` gives, on CPU, the numbers
Keras' torch backend draws for the same seed, so seeded training outputs equal Keras'.
"""

import torch

from torchkeras.layers.preprocessing.image.base import ImageLayer, batch_call
from torchkeras.layers.regularization import _seeded
from torchkeras.random.seed_generator import SeedGenerator, torch_generator


class AugmentLayer(ImageLayer):
    """An image layer transforming batches with random parameters drawn as Keras draws them.

    Subclasses define `sample(batch)` (a 4D batch -> the transformation) and
    `augment(batch, transformation)`. At inference the input is returned unchanged, cast to
    the compute dtype when `CAST_AT_INFERENCE` is set (as the Keras layer does).

    Args:
        seed: Optional int seed of the layer's `SeedGenerator`.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Shapes: any 3D or 4D image shape -> the same shape.
    """

    CAST_AT_INFERENCE = False

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.seed = _seeded.check_seed(self, seed)
        self.generator = SeedGenerator(seed)

    def call(self, inputs, training=False):
        self.check_rank(inputs)
        if not training:
            return self.cast(inputs) if self.CAST_AT_INFERENCE else inputs
        return batch_call(self, inputs, lambda batch: self.augment(batch, self.sample(batch)))

    # ---- Keras' draws -------------------------------------------------------------------
    def random_uniform(self, shape, low, high, device, dtype=torch.float32):
        """`keras.random.uniform(shape, low, high, seed=self.generator)` on `device`."""
        generator = torch_generator(self.generator, device)
        values = torch.rand(shape, generator=generator, dtype=dtype, device=device)
        return (high - low) * values + low

    def random_normal(self, shape, device, dtype=torch.float32):
        """`keras.random.normal(shape, seed=self.generator)` on `device`."""
        generator = torch_generator(self.generator, device)
        return torch.normal(0.0, 1.0, size=shape, generator=generator, dtype=dtype,
                            device=device)

    def random_randint(self, shape, low, high, device, dtype=torch.int32):
        """`keras.random.randint(shape, low, high, seed=self.generator)` on `device`."""
        generator = torch_generator(self.generator, device)
        return torch.randint(low, high, shape, generator=generator, dtype=dtype, device=device)

    # ---- value ranges ---------------------------------------------------------------------
    def to_range(self, images, source, target):
        """`rescale_values` in the layer's compute dtype."""
        return rescale_values(images, source, target, self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


def rescale_values(images, source, target, dtype=torch.float32):
    """Keras' `_transform_value_range`: maps `source` `(min, max)` linearly onto `target`, in
    `dtype` (the images are returned as they are when the ranges are equal)."""
    if source[0] == target[0] and source[1] == target[1]:
        return images
    images = images.to(dtype)
    low, high = (torch.tensor(v, dtype=dtype) for v in source)
    new_low, new_high = (torch.tensor(v, dtype=dtype) for v in target)
    return (images - low) / (high - low) * (new_high - new_low) + new_low


def check_value_range(layer, value_range, sort=False):
    """Keras' ValueError unless `value_range` is a list or tuple of two numbers; sorted into a
    list when `sort` (as the Keras layers that sort it do)."""
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': `value_range` must be a list of two "
            f"numbers, got value_range={value_range!r}."
        )
    return sorted(value_range) if sort else value_range


def check_channels(layer, images, count=3):
    """Keras' ValueError unless the images have `count` channels."""
    channels = images.shape[-1 if layer.data_format == "channels_last" else -3]
    if channels != count:
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': the images must have {count} channels, "
            f"got an input of shape {tuple(images.shape)}."
        )


def check_probability(layer, value, name):
    """Keras' ValueError unless `value` is a number in [0, 1]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': `{name}` must be a number in [0, 1], "
            f"got {name}={value!r}."
        )
    return value
