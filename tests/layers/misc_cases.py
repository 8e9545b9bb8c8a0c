"""Layer cases of the misc family: SpectralNormalization, Pipeline, STFTSpectrogram,
MelSpectrogram, ReversibleEmbedding (see layer_case.py for the fields).

Wrapper and Pipeline cases take `kwargs(layers)`: `layers` is `keras.layers` for the Keras
reference, None for torchkeras (`OURS`). Their nested configs carry the inner layers' names,
which differ between the libraries, so the generic config comparison skips them and
`test_misc_layers.py` compares them without names. The cases run in inference mode;
SpectralNormalization's training-mode updates are compared with Keras in `test_misc_layers.py`.
STFT windows are given as arrays: Keras needs SciPy for a window name, and it is not installed
(`np.hanning(n)` is SciPy's symmetric "hann"; the names are tested against these arrays).
"""

import types

import numpy as np
from layer_case import LayerCase

from torchkeras.layers.convolutional import Conv2D
from torchkeras.layers.core import (
    Activation,
    Dense,
    Embedding,
    Pipeline,
    ReversibleEmbedding,
)
from torchkeras.layers.normalization import (
    BatchNormalization,
    LayerNormalization,
    SpectralNormalization,
)
from torchkeras.layers.preprocessing.audio import MelSpectrogram, STFTSpectrogram

OURS = types.SimpleNamespace(
    Activation=Activation, BatchNormalization=BatchNormalization, Conv2D=Conv2D, Dense=Dense,
    Embedding=Embedding, LayerNormalization=LayerNormalization, Pipeline=Pipeline,
    SpectralNormalization=SpectralNormalization,
)
HANN_8 = np.hanning(8).tolist()
HAMMING_6 = np.hamming(6).tolist()
SN_DENSE_KEYS = ("kernel", "vector_u", "layer.kernel", "layer.bias")
# torch's conv weight gradient and FFT backward sum in an order that depends on the thread count
# (the references are recorded single-threaded): gradients of values up to ~35 move by a few ulps.
SPECTRAL_GRAD_ATOL = 1e-5
MEL = {"fft_length": 32, "sequence_stride": 8, "num_mel_bins": 6, "sampling_rate": 8000}

CASES = [
    # ---- SpectralNormalization (inference: the wrapped layer as it is) ---------------------
    LayerCase(SpectralNormalization, lambda layers: {"layer": (layers or OURS).Dense(4)},
              (2, 3), (2, 4), state_keys=SN_DENSE_KEYS, config_skip=("layer",),
              id="spectral_normalization_dense"),
    LayerCase(
        SpectralNormalization,
        lambda layers: {"layer": (layers or OURS).Conv2D(3, 2, use_bias=False),
                        "power_iterations": 3},
        (2, 5, 5, 2), (2, 4, 4, 3), state_keys=("kernel", "vector_u", "layer.kernel"),
        config_skip=("layer",), id="spectral_normalization_conv2d_3_iterations",
        grad_atol=1e-6,  # the kernel gradient of torch's conv backward, summed in another order
    ),
    LayerCase(SpectralNormalization, lambda layers: {"layer": (layers or OURS).Embedding(5, 3)},
              (2, 4), (2, 4, 3), input_dtype="int32",
              state_keys=("kernel", "vector_u", "layer.embeddings"), config_skip=("layer",),
              id="spectral_normalization_embedding"),  # Keras casts the output to int32 too
    # ---- Pipeline ---------------------------------------------------------------------------
    LayerCase(
        Pipeline,
        lambda layers: {"layers": [(layers or OURS).Dense(4), (layers or OURS).Activation("tanh"),
                                   (layers or OURS).LayerNormalization()]},
        (2, 3), (2, 4), config_skip=("layers",),
        state_keys=("layers.0.kernel", "layers.0.bias", "layers.2.gamma", "layers.2.beta"),
        id="pipeline_dense_tanh_layer_norm",
    ),
    LayerCase(  # Keras' Pipeline trains when called without `training`: pass it explicitly
        Pipeline,
        lambda layers: {"layers": [(layers or OURS).BatchNormalization(),
                                   (layers or OURS).Dense(2, use_bias=False)]},
        (2, 5, 3), (2, 5, 2), config_skip=("layers",), call_kwargs={"training": False},
        state_keys=("layers.0.gamma", "layers.0.beta", "layers.0.moving_mean",
                    "layers.0.moving_variance", "layers.1.kernel"),
        id="pipeline_batch_norm_dense_inference",
    ),
    # ---- STFTSpectrogram -----------------------------------------------------------------
    LayerCase(STFTSpectrogram, {"frame_length": 8, "frame_step": 4, "window": HANN_8},
              (2, 32, 1), (2, 7, 5), state_keys=("real_kernel", "imag_kernel"),
              grad_atol=SPECTRAL_GRAD_ATOL, id="stft_log"),
    LayerCase(
        STFTSpectrogram,
        {"mode": "magnitude", "frame_length": 8, "fft_length": 16, "padding": "same",
         "window": HANN_8},
        (2, 30, 2), (2, 8, 18), state_keys=("real_kernel", "imag_kernel"),
        grad_atol=SPECTRAL_GRAD_ATOL, id="stft_magnitude_same_fft16",
    ),
    LayerCase(
        STFTSpectrogram,
        {"mode": "psd", "frame_length": 6, "frame_step": 3, "window": HAMMING_6,
         "scaling": "spectrum"},
        (2, 24, 2), (2, 7, 10), state_keys=("real_kernel", "imag_kernel"),
        grad_atol=SPECTRAL_GRAD_ATOL, id="stft_psd_hamming_spectrum",
    ),
    LayerCase(STFTSpectrogram,
              {"mode": "stft", "frame_length": 8, "expand_dims": True, "window": None},
              (2, 32, 2), (2, 7, 10, 2), state_keys=("real_kernel", "imag_kernel"),
              grad_atol=SPECTRAL_GRAD_ATOL, id="stft_stft_expand_dims"),
    LayerCase(
        STFTSpectrogram,
        {"mode": "angle", "frame_length": 8, "data_format": "channels_first", "window": HANN_8},
        (2, 2, 32), (2, 10, 7), state_keys=("real_kernel", "imag_kernel"),
        grad_atol=SPECTRAL_GRAD_ATOL, id="stft_angle_channels_first",
    ),
    LayerCase(
        STFTSpectrogram,
        {"mode": "real", "frame_length": 8, "data_format": "channels_first", "expand_dims": True,
         "window": HANN_8},
        (2, 2, 32), (2, 2, 7, 5), state_keys=("real_kernel",), grad_atol=SPECTRAL_GRAD_ATOL,
        id="stft_real_channels_first",
    ),
    LayerCase(STFTSpectrogram,
              {"mode": "imag", "frame_length": 8, "window": None, "scaling": None},
              (2, 32, 1), (2, 7, 5), state_keys=("imag_kernel",), grad_atol=SPECTRAL_GRAD_ATOL,
              id="stft_imag_no_window"),
    # ---- MelSpectrogram ------------------------------------------------------------------
    LayerCase(MelSpectrogram, MEL, (2, 64), (2, 6, 9), grad_atol=SPECTRAL_GRAD_ATOL, id="mel_db"),
    LayerCase(
        MelSpectrogram,
        {**MEL, "sequence_length": 24, "num_mel_bins": 5, "power_to_db": False, "mag_exp": 1.0,
         "window": "hamming"},
        (2, 60), (2, 5, 8), grad_atol=SPECTRAL_GRAD_ATOL, id="mel_magnitude_hamming_short_window",
    ),
    LayerCase(
        MelSpectrogram,
        {"fft_length": 16, "sequence_stride": 4, "num_mel_bins": 4, "sampling_rate": 4000,
         "min_freq": 100.0, "max_freq": 1500, "top_db": 20.0, "ref_power": 2.0, "window": None},
        (2, 40), (2, 4, 11), grad_atol=SPECTRAL_GRAD_ATOL, id="mel_top_db_ref_power_no_window",
    ),
    # ---- ReversibleEmbedding --------------------------------------------------------------
    LayerCase(ReversibleEmbedding, {"input_dim": 7, "output_dim": 3, "mask_zero": True}, (2, 4),
              (2, 4, 3), input_dtype="int32", state_keys=("embeddings",),
              id="reversible_embedding_forward_mask_zero"),
    LayerCase(ReversibleEmbedding, {"input_dim": 7, "output_dim": 3}, (2, 4, 3), (2, 4, 7),
              call_kwargs={"reverse": True}, state_keys=("embeddings",),
              id="reversible_embedding_reverse_tied"),
    LayerCase(
        ReversibleEmbedding,
        {"input_dim": 7, "output_dim": 3, "tie_weights": False, "logit_soft_cap": 0.05,
         "embeddings_initializer": "glorot_uniform"},
        (2, 3), (2, 7), call_kwargs={"reverse": True},
        state_keys=("embeddings", "reverse_embeddings"),
        id="reversible_embedding_reverse_untied_soft_cap",
    ),
    LayerCase(ReversibleEmbedding,
              {"input_dim": 5, "output_dim": 4, "reverse_dtype": "float64"}, (2, 4), (2, 5),
              call_kwargs={"reverse": True}, state_keys=("embeddings",),
              id="reversible_embedding_reverse_float64"),
]
