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
    AugMix,
    AutoContrast,
    CenterCrop,
    ContrastLimitedAdaptiveHistogramEqualization,
    CutMix,
    Equalization,
    MixUp,
    RandAugment,
    RandomBrightness,
    RandomColorDegeneration,
    RandomColorJitter,
    RandomContrast,
    RandomCrop,
    RandomElasticTransform,
    RandomErasing,
    RandomFlip,
    RandomGaussianBlur,
    RandomGrayscale,
    RandomHue,
    RandomInvert,
    RandomPerspective,
    RandomPosterization,
    RandomRotation,
    RandomSaturation,
    RandomSharpness,
    RandomShear,
    RandomTranslation,
    RandomZoom,
    Resizing,
    Solarization,
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


# ---- augmentation layers (appended: cases are seeded by their index) ---------------------------
# Training cases use factors that make the drawn parameters constant (a probability of 1, a
# pair `(f, f)`); the others run at inference. Seeded training-mode equality with Keras is in
# `test_preprocessing_augmentation.py`.
TRAINING = {"training": True}
CLAHE = ContrastLimitedAdaptiveHistogramEqualization


def _floats(shape, high=255.0):
    """float32 pixels drawn over [0, high)."""
    return lambda rng: [rng.uniform(0.0, high, size=shape).astype("float32")]


AUGMENTATION_CASES = [
    LayerCase(RandomGrayscale, {"factor": 1.0, "seed": 1}, (2, 3, 4, 3), (2, 3, 4, 3),
              call_kwargs=TRAINING, inputs=_floats((2, 3, 4, 3)), id="random_grayscale_all"),
    LayerCase(RandomGrayscale, {"data_format": "channels_first"}, (2, 3, 3, 4), (2, 3, 3, 4),
              call_kwargs=INFERENCE, input_dtype="uint8", inputs=_pixels((2, 3, 3, 4)),
              id="random_grayscale_inference"),
    LayerCase(RandomInvert, {"factor": (1.0, 1.0), "value_range": (0, 1)}, (2, 3, 3, 2),
              (2, 3, 3, 2), call_kwargs=TRAINING, inputs=_floats((2, 3, 3, 2), 1.0),
              id="random_invert_all"),
    LayerCase(RandomInvert, {}, (2, 3, 3, 1), (2, 3, 3, 1), call_kwargs=INFERENCE,
              input_dtype="uint8", inputs=_pixels((2, 3, 3, 1)), id="random_invert_inference"),
    LayerCase(Solarization, {"value_range": (0, 1)}, (2, 3, 3, 2), (2, 3, 3, 2),
              call_kwargs=TRAINING, inputs=_floats((2, 3, 3, 2), 1.0),
              id="solarization_zero_threshold"),
    LayerCase(Solarization, {"addition_factor": 0.2, "threshold_factor": (0.3, 0.6)},
              (2, 3, 3, 1), (2, 3, 3, 1), call_kwargs=INFERENCE, input_dtype="uint8",
              inputs=_pixels((2, 3, 3, 1)), id="solarization_inference_uint8"),
    LayerCase(RandomPosterization, {"factor": (3, 3)}, (2, 3, 3, 2), (2, 3, 3, 2),
              call_kwargs=TRAINING, inputs=_floats((2, 3, 3, 2)), id="random_posterization_3"),
    LayerCase(RandomPosterization, {"factor": (2, 2), "value_range": (0, 1)}, (2, 3, 3, 1),
              (2, 3, 3, 1), call_kwargs=TRAINING, inputs=_floats((2, 3, 3, 1), 1.0),
              id="random_posterization_unit_range"),
    LayerCase(RandomColorDegeneration, {"factor": (0.5, 0.5)}, (2, 3, 3, 3), (2, 3, 3, 3),
              call_kwargs=TRAINING, inputs=_floats((2, 3, 3, 3)),
              id="random_color_degeneration_half"),
    LayerCase(RandomColorDegeneration, {"factor": 0.3, "data_format": "channels_first"},
              (2, 3, 3, 2), (2, 3, 3, 2), call_kwargs=INFERENCE,
              id="random_color_degeneration_inference"),
    LayerCase(RandomSaturation, {"factor": (0.7, 0.7), "value_range": (0, 1)}, (2, 3, 3, 3),
              (2, 3, 3, 3), call_kwargs=TRAINING, inputs=_floats((2, 3, 3, 3), 1.0),
              id="random_saturation_fixed"),
    LayerCase(RandomHue, {"factor": 0.3}, (2, 3, 3, 3), (2, 3, 3, 3), call_kwargs=INFERENCE,
              id="random_hue_inference"),
    # Keras' brightness jitter adds in place, which autograd refuses on a leaf input.
    LayerCase(RandomColorJitter, {"value_range": (0, 1), "saturation_factor": (0.6, 0.6)},
              (2, 3, 3, 3), (2, 3, 3, 3),
              call_kwargs=TRAINING, inputs=_floats((2, 3, 3, 3), 1.0),
              id="random_color_jitter_fixed"),
    LayerCase(RandomColorJitter, {"brightness_factor": 0.2, "contrast_factor": 0.3,
                                  "saturation_factor": 0.5, "hue_factor": 0.2}, (2, 3, 3, 3),
              (2, 3, 3, 3), call_kwargs=INFERENCE, id="random_color_jitter_inference"),
    LayerCase(RandomSharpness, {"factor": (0.8, 0.8)}, (2, 4, 4, 2), (2, 4, 4, 2),
              call_kwargs=TRAINING, inputs=_floats((2, 4, 4, 2)), id="random_sharpness_fixed"),
    LayerCase(RandomSharpness, {"factor": 0.5, "data_format": "channels_first"}, (2, 1, 3, 3),
              (2, 1, 3, 3), call_kwargs=INFERENCE, input_dtype="uint8",
              inputs=_pixels((2, 1, 3, 3)), id="random_sharpness_inference_uint8"),
    LayerCase(RandomGaussianBlur, {"factor": (1.0, 1.0), "sigma": (0.6, 0.6)}, (2, 4, 4, 2),
              (2, 4, 4, 2), call_kwargs=TRAINING, inputs=_floats((2, 4, 4, 2)),
              id="random_gaussian_blur_all"),
    LayerCase(RandomGaussianBlur, {"factor": (1.0, 1.0), "kernel_size": 5, "sigma": (0.9, 0.9),
                                   "data_format": "channels_first"}, (2, 2, 5, 4), (2, 2, 5, 4),
              call_kwargs=TRAINING, inputs=_floats((2, 2, 5, 4)),
              id="random_gaussian_blur_channels_first"),
    LayerCase(RandomShear, {"x_factor": 0.2, "y_factor": (0.1, 0.3)}, (2, 3, 3, 1),
              (2, 3, 3, 1), call_kwargs=INFERENCE, input_dtype="uint8",
              inputs=_pixels((2, 3, 3, 1)), id="random_shear_inference_uint8"),
    LayerCase(RandomPerspective, {"scale": 0.5, "fill_value": 2.0}, (2, 3, 3, 1), (2, 3, 3, 1),
              call_kwargs=INFERENCE, id="random_perspective_inference"),
    LayerCase(RandomElasticTransform, {"scale": (0.2, 0.5), "fill_mode": "constant"},
              (2, 3, 3, 1), (2, 3, 3, 1), call_kwargs=INFERENCE,
              id="random_elastic_transform_inference"),
    LayerCase(RandomErasing, {"scale": 0.4, "fill_value": 3.0}, (2, 3, 3, 1), (2, 3, 3, 1),
              call_kwargs=INFERENCE, id="random_erasing_inference"),
    LayerCase(AutoContrast, {}, (2, 3, 4, 2), (2, 3, 4, 2), inputs=_floats((2, 3, 4, 2)),
              id="auto_contrast"),
    LayerCase(AutoContrast, {"value_range": (0, 1)}, (2, 3, 3, 3), (2, 3, 3, 3),
              inputs=_floats((2, 3, 3, 3), 1.0), id="auto_contrast_unit_range"),
    LayerCase(AutoContrast, {}, (2, 3, 3, 1), (2, 3, 3, 1), input_dtype="uint8",
              inputs=_pixels((2, 3, 3, 1)), id="auto_contrast_uint8"),
    LayerCase(Equalization, {}, (2, 3, 4, 2), (2, 3, 4, 2), call_kwargs=TRAINING,
              inputs=_floats((2, 3, 4, 2)), id="equalization"),
    LayerCase(Equalization, {"value_range": (0, 1), "bins": 16,
                             "data_format": "channels_first"}, (2, 2, 3, 3), (2, 2, 3, 3),
              call_kwargs=TRAINING, inputs=_floats((2, 2, 3, 3), 1.0),
              id="equalization_bins_channels_first"),
    LayerCase(Equalization, {}, (2, 3, 3, 1), (2, 3, 3, 1), call_kwargs=INFERENCE,
              id="equalization_inference"),
    LayerCase(MixUp, {"alpha": 0.4}, (2, 3, 3, 1), (2, 3, 3, 1), call_kwargs=INFERENCE,
              input_dtype="uint8", inputs=_pixels((2, 3, 3, 1)), id="mix_up_inference_uint8"),
    LayerCase(CutMix, {"factor": 0.5}, (2, 3, 3, 1), (2, 3, 3, 1), call_kwargs=INFERENCE,
              id="cut_mix_inference"),
    LayerCase(RandAugment, {"num_ops": 3, "factor": 0.4}, (2, 3, 3, 3), (2, 3, 3, 3),
              call_kwargs=INFERENCE, id="rand_augment_inference"),
    LayerCase(AugMix, {"num_chains": 2, "all_ops": False}, (2, 3, 3, 3), (2, 3, 3, 3),
              call_kwargs=INFERENCE, id="aug_mix_inference"),
    LayerCase(CLAHE, {"tile_grid_size": (2, 2), "clip_limit": 8.0}, (2, 4, 5, 2), (2, 4, 5, 2),
              inputs=_floats((2, 4, 5, 2)), id="clahe"),
    LayerCase(CLAHE, {"tile_grid_size": (3, 2), "clip_limit": 0.0, "value_range": (0, 1),
                      "data_format": "channels_first"}, (2, 1, 5, 4), (2, 1, 5, 4),
              inputs=_floats((2, 1, 5, 4), 1.0), id="clahe_unclipped_channels_first"),
    LayerCase(CLAHE, {"tile_grid_size": (2, 2), "clip_limit": 30.0}, (2, 4, 4, 1), (2, 4, 4, 1),
              input_dtype="uint8", inputs=_pixels((2, 4, 4, 1)), id="clahe_uint8"),
]
CASES.extend(AUGMENTATION_CASES)
