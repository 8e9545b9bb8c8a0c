"""Layer cases of the preprocessing image family (see layer_case.py for the fields).

Deterministic configurations only: Rescaling, Normalization with given statistics (and an
un-adapted one, whose weights come from Keras), Resizing and CenterCrop variants, and the
random layers at inference (`training=False`: Keras' layers default to training when called
directly). RandomCrop runs in training on images smaller than its target, where Keras' crop is
deterministic (a centred window, resized). Training-mode randomness is in
`test_preprocessing_image.py`.
"""

from layer_case import LayerCase

from torchkeras.layers.preprocessing.image import (
    CenterCrop,
    RandomBrightness,
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    Resizing,
)
from torchkeras.layers.preprocessing.numeric import Normalization, Rescaling

INFERENCE = {"training": False}
STATS = ("mean", "variance", "count")


def _pixels(shape):
    """uint8 pixels drawn over [0, 256)."""
    return lambda rng: [rng.integers(0, 256, size=shape).astype("uint8")]


CASES = [
    LayerCase(Rescaling, {"scale": 1.0 / 255}, (2, 3, 3, 2), (2, 3, 3, 2),
              input_dtype="uint8", inputs=_pixels((2, 3, 3, 2)), id="rescaling_uint8"),
    LayerCase(Rescaling, {"scale": 1.0 / 127.5, "offset": -1.0}, (2, 4), (2, 4),
              id="rescaling_offset"),
    LayerCase(Rescaling, {"scale": [0.5, 2.0, 3.0], "offset": 0.25}, (2, 2, 2, 3),
              (2, 2, 2, 3), id="rescaling_per_channel"),
    LayerCase(Normalization, {"mean": 3.0, "variance": 2.0}, (2, 4), (2, 4),
              id="normalization_scalar"),
    LayerCase(Normalization, {"mean": [0.5, -1.0, 2.0], "variance": [4.0, 0.25, 1.0]},
              (2, 5, 3), (2, 5, 3), id="normalization_per_feature"),
    LayerCase(Normalization, {"axis": (1, 2), "mean": [1.0, 2.0, 3.0], "variance": [1.0, 2.0, 3.0]},
              (2, 2, 3), (2, 2, 3), id="normalization_two_axes"),
    LayerCase(Normalization, {"axis": None, "mean": 0.5, "variance": 0.0}, (2, 3), (2, 3),
              id="normalization_zero_variance"),
    LayerCase(Normalization, {"mean": [1.0, 2.0], "variance": [4.0, 9.0], "invert": True},
              (3, 2), (3, 2), id="normalization_invert"),
    LayerCase(Normalization, {}, (3, 4), (3, 4), state_keys=STATS,
              id="normalization_weights"),
    LayerCase(Normalization, {"axis": 1}, (2, 3, 2), (2, 3, 2), state_keys=STATS,
              id="normalization_weights_axis1"),
    LayerCase(Resizing, {"height": 3, "width": 4}, (2, 5, 7, 2), (2, 3, 4, 2),
              id="resizing_bilinear_down"),
    LayerCase(Resizing, {"height": 5, "width": 6, "interpolation": "nearest"}, (2, 3, 4, 2),
              (2, 5, 6, 2), id="resizing_nearest_up"),
    LayerCase(Resizing, {"height": 4, "width": 5, "interpolation": "bicubic"}, (2, 3, 3, 1),
              (2, 4, 5, 1), id="resizing_bicubic"),
    LayerCase(Resizing, {"height": 3, "width": 2, "antialias": True}, (2, 7, 5, 2),
              (2, 3, 2, 2), id="resizing_antialias"),
    LayerCase(Resizing, {"height": 4, "width": 4, "interpolation": "bicubic", "antialias": True},
              (1, 9, 7, 1), (1, 4, 4, 1), id="resizing_bicubic_antialias"),
    LayerCase(Resizing, {"height": 3, "width": 3, "crop_to_aspect_ratio": True}, (2, 4, 7, 1),
              (2, 3, 3, 1), id="resizing_crop_to_aspect"),
    LayerCase(Resizing, {"height": 4, "width": 4, "pad_to_aspect_ratio": True,
                         "fill_value": 1.5}, (2, 3, 6, 2), (2, 4, 4, 2),
              id="resizing_pad_to_aspect"),
    LayerCase(Resizing, {"height": 3, "width": 2, "data_format": "channels_first"},
              (2, 2, 5, 4), (2, 2, 3, 2), id="resizing_channels_first"),
    LayerCase(Resizing, {"height": 5, "width": 4, "interpolation": "bicubic"}, (2, 3, 3, 1),
              (2, 5, 4, 1), input_dtype="uint8", inputs=_pixels((2, 3, 3, 1)),
              id="resizing_uint8_bicubic"),
    LayerCase(CenterCrop, {"height": 3, "width": 2}, (2, 5, 6, 2), (2, 3, 2, 2),
              id="center_crop"),
    LayerCase(CenterCrop, {"height": 4, "width": 4}, (2, 3, 5, 1), (2, 4, 4, 1),
              id="center_crop_smaller_input"),
    LayerCase(CenterCrop, {"height": 2, "width": 3, "data_format": "channels_first"},
              (2, 1, 4, 4), (2, 1, 2, 3), input_dtype="uint8", inputs=_pixels((2, 1, 4, 4)),
              id="center_crop_channels_first_uint8"),
    LayerCase(RandomFlip, {"seed": 1}, (2, 3, 3, 2), (2, 3, 3, 2), call_kwargs=INFERENCE,
              input_dtype="uint8", inputs=_pixels((2, 3, 3, 2)), id="random_flip_inference"),
    LayerCase(RandomRotation, {"factor": 0.2, "seed": 1}, (2, 4, 4, 1), (2, 4, 4, 1),
              call_kwargs=INFERENCE, id="random_rotation_inference"),
    LayerCase(RandomZoom, {"height_factor": 0.2, "width_factor": (-0.1, 0.3),
                           "fill_mode": "constant"}, (2, 3, 4, 1), (2, 3, 4, 1),
              call_kwargs=INFERENCE, id="random_zoom_inference"),
    LayerCase(RandomTranslation, {"height_factor": 0.1, "width_factor": 0.2,
                                  "interpolation": "nearest"}, (2, 4, 4, 1), (2, 4, 4, 1),
              call_kwargs=INFERENCE, id="random_translation_inference"),
    LayerCase(RandomContrast, {"factor": 0.5, "value_range": (0, 1)}, (2, 3, 3, 1),
              (2, 3, 3, 1), call_kwargs=INFERENCE, id="random_contrast_inference"),
    LayerCase(RandomBrightness, {"factor": (-0.2, 0.4)}, (2, 3, 3, 1), (2, 3, 3, 1),
              call_kwargs=INFERENCE, id="random_brightness_inference"),
    LayerCase(RandomCrop, {"height": 4, "width": 4, "seed": 3}, (2, 3, 5, 1), (2, 4, 4, 1),
              call_kwargs={"training": True}, id="random_crop_small_input_training"),
]
