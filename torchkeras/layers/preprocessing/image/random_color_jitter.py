"""RandomColorJitter: random brightness, contrast, saturation and hue, in that order."""

from torchkeras.layers.preprocessing.image.augment_base import AugmentLayer
from torchkeras.layers.preprocessing.image.random_brightness import RandomBrightness
from torchkeras.layers.preprocessing.image.random_contrast import RandomContrast
from torchkeras.layers.preprocessing.image.random_hsv import RandomHue, RandomSaturation
from torchkeras.registry import LAYERS


@LAYERS.register()
class RandomColorJitter(AugmentLayer):
    """Applies the given colour jitters one after the other, each with its own random draws.

    Each factor that is not None adds that layer (RandomBrightness, RandomContrast,
    RandomSaturation, RandomHue; see them for the factor's meaning). As in Keras, every draw
    comes from this layer's own seed generator, in the order brightness, contrast,
    saturation, hue, so a seeded layer gives Keras' output.

    Args:
        value_range: `(min, max)` of the pixel values, shared by the jitters.
        brightness_factor, contrast_factor, saturation_factor, hue_factor: The factor of
            each jitter, or None (default) to leave it out.
        seed: Optional int seed of the layer's random generator.
        data_format: `"channels_last"` (default) or `"channels_first"`.

    Shapes: `(..., H, W, 3)` -> the same shape (channels_last; 3 channels with a saturation or
    hue factor).
    """

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None,
                 saturation_factor=None, hue_factor=None, seed=None, data_format=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = value_range
        self.brightness_factor = brightness_factor
        self.contrast_factor = contrast_factor
        self.saturation_factor = saturation_factor
        self.hue_factor = hue_factor
        common = {"value_range": value_range, "data_format": self.data_format}
        self.random_brightness = self.random_contrast = None
        self.random_saturation = self.random_hue = None
        if brightness_factor is not None:
            self.random_brightness = RandomBrightness(brightness_factor, **common)
        if contrast_factor is not None:
            self.random_contrast = RandomContrast(contrast_factor, **common)
        if saturation_factor is not None:
            self.random_saturation = RandomSaturation(saturation_factor, **common)
            self.random_saturation.generator = self.generator  # Keras draws from the jitter's
        if hue_factor is not None:
            self.random_hue = RandomHue(hue_factor, **common)
            self.random_hue.generator = self.generator

    def sample(self, images):
        return None  # each jitter draws when it runs, after the previous one, as Keras

    def augment(self, images, transformation):
        images = self.cast(images)
        shape, device = (images.shape[0], 1, 1, 1), images.device
        if self.random_brightness is not None:
            low, high = self.random_brightness.factor
            delta = self.random_uniform(shape, low, high, device)
            span = self.random_brightness.value_range[1] - self.random_brightness.value_range[0]
            images = self.random_brightness.adjust(images, delta * span)
        if self.random_contrast is not None:
            low, high = self.random_contrast.factor
            factor = self.random_uniform(shape, 1.0 - low, 1.0 + high, device, self.compute_dtype)
            images = self.random_contrast.adjust(images, factor)
        for jitter in (self.random_saturation, self.random_hue):
            if jitter is not None:
                images = jitter.augment(images, jitter.sample(images))
        return self.cast(images)

    def get_config(self):
        return {
            **super().get_config(),
            "value_range": self.value_range,
            "brightness_factor": self.brightness_factor,
            "contrast_factor": self.contrast_factor,
            "saturation_factor": self.saturation_factor,
            "hue_factor": self.hue_factor,
        }
