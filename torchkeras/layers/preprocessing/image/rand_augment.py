"""RandAugment and AugMix: random policies of the Keras image augmentations."""

import random

import torch

from torchkeras import random as keras_random
from torchkeras.layers.preprocessing.image.augment_policy import GEOMETRIC, PolicyLayer
from torchkeras.registry import LAYERS

RAND_AUGMENT_OPS = (
    "random_shear", "random_translation", "random_rotation", "random_brightness",
    "random_color_degeneration", "random_contrast", "random_sharpness", "random_posterization",
    "solarization", "auto_contrast", "equalization",
)
AUG_MIX_OPS = (*GEOMETRIC, "random_posterization", "solarization", "auto_contrast",
               "equalization")
AUG_MIX_ALL_OPS = (*AUG_MIX_OPS, "random_brightness", "random_color_degeneration",
                   "random_contrast", "random_sharpness")


def _positive_int(layer, value, name):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': `{name}` must be a positive int, got "
            f"{name}={value!r}."
        )
    return value


@LAYERS.register()
class RandAugment(PolicyLayer):
    """Applies `num_ops` operations drawn from 11 Keras augmentations, all of magnitude `factor`.

    As Keras: the operation indices are drawn first, then every operation's parameters (in
    the list's order, whether chosen or not), from the layer's generator; an operation drawn
    twice is applied twice with the same parameters. Keras' torch backend also adds the
    brightness offset in place whenever any operation runs (its RandomBrightness writes into
    the images); here brightness only changes the images when it is drawn.

    Args:
        value_range: `(min, max)` of the pixel values.
        num_ops: Number of operations applied to each batch (default 2).
        factor: A float `f` (magnitudes in `[0, f]`) or a pair in [0, 1]; default 0.5.
        interpolation: `"bilinear"` (default) or `"nearest"`.
        seed: Optional int seed of the layer's random generator.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Shapes: `(..., H, W, 3)` -> the same shape (channels_last).
    """

    def __init__(self, value_range=(0, 255), num_ops=2, factor=0.5, interpolation="bilinear",
                 seed=None, data_format=None, **kwargs):
        super().__init__(value_range, factor, interpolation, seed, data_format, **kwargs)
        self.num_ops = _positive_int(self, num_ops, "num_ops")

    def sample(self, images):
        """The chosen operation indices `(num_ops,)` and every operation's parameters."""
        indices = self.random_randint((self.num_ops,), 0, len(RAND_AUGMENT_OPS), images.device)
        return indices, [self.sample_op(name, images) for name in RAND_AUGMENT_OPS]

    def augment(self, images, transformation):
        indices, parameters = transformation
        images = self.cast(images)
        for index in indices.tolist():
            images = self.apply_op(RAND_AUGMENT_OPS[index], images, parameters[index])
        return images

    def get_config(self):
        return {**super().get_config(), "num_ops": self.num_ops}


@LAYERS.register()
class AugMix(PolicyLayer):
    """Mixes the images with `num_chains` randomly augmented copies (AugMix).

    Each chain applies up to `chain_depth` operations picked with Python's `random.choice`
    (None, also a choice, skips a step), as Keras does; the chains are averaged with
    Dirichlet(alpha) weights and mixed with the images by a Beta(alpha, alpha) weight, then
    clipped to `value_range`. With Python's `random` seeded alike, a seeded layer gives
    Keras' output.

    Args:
        value_range: `(min, max)` of the pixel values.
        num_chains: Number of augmentation chains (default 3).
        chain_depth: Maximum number of operations per chain (default 3).
        factor: A float `f` (magnitudes in `[0, f]`) or a pair in [0, 1]; default 0.3.
        alpha: Concentration of the Dirichlet and Beta distributions (default 1.0).
        all_ops: Whether the colour operations (brightness, color degeneration, contrast,
            sharpness) are candidates too (default True).
        interpolation: `"bilinear"` (default) or `"nearest"`.
        seed: Optional int seed of the layer's random generator.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Shapes: `(..., H, W, 3)` -> the same shape (channels_last).
    """

    def __init__(self, value_range=(0, 255), num_chains=3, chain_depth=3, factor=0.3, alpha=1.0,
                 all_ops=True, interpolation="bilinear", seed=None, data_format=None, **kwargs):
        super().__init__(value_range, factor, interpolation, seed, data_format, **kwargs)
        self.num_chains = _positive_int(self, num_chains, "num_chains")
        self.chain_depth = _positive_int(self, chain_depth, "chain_depth")
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or alpha <= 0:
            raise ValueError(
                f"AugMix '{self.name}': `alpha` must be a positive number, got alpha={alpha!r}."
            )
        self.alpha = alpha
        self.all_ops = bool(all_ops)

    def sample(self, images):
        """Chain weights `(num_chains,)`, the mixing weight, and each chain's operations."""
        weights = keras_random.gamma((self.num_chains,), self.alpha, seed=self.generator)
        weights = weights / weights.sum(dim=-1, keepdim=True)
        mixing = keras_random.beta((), self.alpha, self.alpha, seed=self.generator)
        candidates = [*(AUG_MIX_ALL_OPS if self.all_ops else AUG_MIX_OPS), None]
        chains = []
        for _ in range(self.num_chains):
            names = [random.choice(candidates) for _ in range(self.chain_depth)]
            chains.append([(n, self.sample_op(n, images)) for n in names if n is not None])
        return weights.to(images.device), mixing.to(images.device), chains

    def augment(self, images, transformation):
        weights, mixing, chains = transformation
        images = self.cast(images)
        weights, mixing = weights.to(images.dtype), mixing.to(images.dtype)
        mixed = torch.zeros_like(images)
        for index, chain in enumerate(chains):
            chained = images
            for name, parameters in chain:
                chained = self.apply_op(name, chained, parameters)
            mixed = mixed + chained * weights[index]
        images = mixing * images + (1 - mixing) * mixed
        return images.clamp(self.value_range[0], self.value_range[1])

    def get_config(self):
        return {
            **super().get_config(),
            "num_chains": self.num_chains,
            "chain_depth": self.chain_depth,
            "alpha": self.alpha,
            "all_ops": self.all_ops,
        }
