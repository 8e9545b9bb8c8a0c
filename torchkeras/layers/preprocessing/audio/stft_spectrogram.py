"""STFTSpectrogram: a short-time Fourier transform as a strided 1D convolution with DFT kernels."""

import math
import warnings

import torch
import torch.nn.functional as F

from torchkeras import config, initializers, ops
from torchkeras.layers.input_spec import InputSpec
from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS
from torchkeras.utils.image_utils import standardize_data_format

MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


@LAYERS.register()
class STFTSpectrogram(Layer):
    """Spectrogram of each channel of a batch of signals, computed by convolution.

    The kernels `real_kernel` and `imag_kernel`, `(frame_length, 1, fft_length // 2 + 1)`, hold
    the windowed cosine and sine DFT bases (the `STFT` initializer) and are trainable weights, as
    in Keras (unlike `torch.stft`, whose bases are fixed). Both run as one convolution with
    `fft_length // 2 + 1` output channels per kernel. Frames start at 0 (`padding="valid"`) or
    are padded as a `"same"` convolution; there is no centring as in `ops.stft`.

    Args:
        mode: `"log"` (log magnitude), `"magnitude"`, `"psd"` (one-sided power spectral
            density), `"real"`, `"imag"`, `"angle"` or `"stft"` (real and imaginary parts
            concatenated along the frequency axis).
        frame_length: Samples per frame (the window size).
        frame_step: Samples between frames; `None` means `frame_length // 2`.
        fft_length: DFT size, at least `frame_length`; `None` means the next power of two.
        window: A window name (`"hann"`, `"hamming"`, ...), an array of length `frame_length`,
            or `None` (rectangular).
        periodic: Whether a named window is periodic rather than symmetric.
        scaling: `"density"`, `"spectrum"` or `None`: how the window normalizes the kernels.
        padding: `"valid"` or `"same"`.
        expand_dims: Whether to keep channels and frequencies as two axes.
        data_format: `"channels_last"` (`(batch, time, channels)`) or `"channels_first"`.

    Shapes: channels_last `(batch, time, channels)` -> `(batch, frames, channels * freqs)`, or
        `(batch, frames, freqs, channels)` with `expand_dims`; channels_first `(batch, channels,
        time)` -> `(batch, channels * freqs, frames)` or `(batch, channels, frames, freqs)`.
        `freqs` is `fft_length // 2 + 1`, twice that in mode `"stft"`.
    """

    def __init__(
        self,
        mode="log",
        frame_length=256,
        frame_step=None,
        fft_length=None,
        window="hann",
        periodic=False,
        scaling="density",
        padding="valid",
        expand_dims=False,
        data_format=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self._check_arguments(mode, frame_length, frame_step, fft_length, scaling, padding)
        initializers.STFT("real", window, scaling, periodic)  # an unknown window name raises
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step
        self.fft_length = fft_length
        self.window = window
        self.periodic = periodic
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = expand_dims
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=3)

    def _check_arguments(self, mode, frame_length, frame_step, fft_length, scaling, padding):
        def fail(expected, received):
            raise ValueError(f"STFTSpectrogram '{self.name}': {expected}, got {received}.")

        if frame_step is not None and not 1 <= frame_step <= frame_length:
            fail("`frame_step` must be an int in [1, frame_length]",
                 f"frame_step={frame_step!r}, frame_length={frame_length!r}")  # fmt: skip
        if fft_length is not None and fft_length < frame_length:
            fail("`fft_length` must be at least `frame_length`",
                 f"fft_length={fft_length!r}, frame_length={frame_length!r}")  # fmt: skip
        if fft_length is not None and fft_length & -fft_length != fft_length:
            warnings.warn(f"`fft_length` is recommended to be a power of two, got {fft_length}.")
        if mode not in MODES:
            fail(f"`mode` must be one of {', '.join(MODES)}", f"mode={mode!r}")
        if scaling not in (None, "density", "spectrum"):
            fail("`scaling` must be None, 'density' or 'spectrum'", f"scaling={scaling!r}")
        if padding not in ("valid", "same"):
            fail("`padding` must be 'valid' or 'same'", f"padding={padding!r}")

    @property
    def _frame_step(self):
        return self.frame_step or self.frame_length // 2

    @property
    def _fft_length(self):
        return self.fft_length or 2 ** int(math.ceil(math.log2(self.frame_length)))

    def build(self, input_shape):
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)
        self.real_kernel = self.imag_kernel = None  # mode "imag" needs no cosines, "real" no sines
        if self.mode != "imag":
            self.real_kernel = self._dft_kernel("real", shape)
        if self.mode != "real":
            self.imag_kernel = self._dft_kernel("imag", shape)

    def _dft_kernel(self, side, shape):
        initializer = initializers.STFT(side, self.window, self.scaling, self.periodic)
        return self.add_weight(name=f"{side}_kernel", shape=shape, initializer=initializer)

    def call(self, inputs):
        if inputs.dtype not in (torch.float16, torch.float32, torch.float64):
            raise TypeError(
                f"STFTSpectrogram '{self.name}': inputs must be float16, float32 or float64, "
                f"got {inputs.dtype}."
            )
        kernels = [k for k in (self.real_kernel, self.imag_kernel) if k is not None]
        spectra = self._convolve(inputs, torch.cat(kernels, dim=-1))  # (B, C, freqs, frames)
        if self.mode in ("real", "imag", "stft"):
            return self._arrange(spectra)  # stft: real and imaginary parts on the freq axis
        real, imag = spectra.chunk(2, dim=2)
        if self.mode == "angle":
            return self._arrange(torch.atan2(imag, real))
        power = real.square() + imag.square()  # (batch, channels, freqs, frames)
        if self.mode == "psd":  # one-sided: the bins other than DC and Nyquist count twice
            return self._arrange(power + F.pad(power[:, :, 1:-1], (0, 0, 1, 1)))
        epsilon = power.new_tensor(config.epsilon())
        magnitude = self._arrange(torch.sqrt(torch.maximum(power, epsilon)))
        if self.mode == "magnitude":
            return magnitude
        return torch.log(torch.maximum(magnitude, epsilon))

    def _convolve(self, inputs, kernel):
        """Frames of every channel against `kernel`: `(batch, channels, kernel freqs, frames)`."""
        signals = inputs.transpose(1, 2) if self.data_format == "channels_last" else inputs
        batch, channels, time = signals.shape
        outputs = ops.conv(
            signals.reshape(batch * channels, 1, time),
            kernel.to(inputs.dtype),
            strides=self._frame_step,
            padding=self.padding,
            data_format="channels_first",
        )  # (batch * channels, kernel freqs, frames)
        return outputs.reshape(batch, channels, *outputs.shape[1:])

    def _arrange(self, outputs):
        """`(batch, channels, freqs, frames)` in the layer's output layout."""
        batch, channels, freqs, frames = outputs.shape
        if self.expand_dims:
            order = (0, 3, 2, 1) if self.data_format == "channels_last" else (0, 1, 3, 2)
            return outputs.permute(order)
        outputs = outputs.reshape(batch, channels * freqs, frames)
        return outputs.transpose(1, 2) if self.data_format == "channels_last" else outputs

    def get_config(self):
        window = self.window.tolist() if hasattr(self.window, "tolist") else self.window
        return {
            **super().get_config(),
            "mode": self.mode,
            "frame_length": self.frame_length,
            "frame_step": self.frame_step,
            "fft_length": self.fft_length,
            "window": window,
            "periodic": self.periodic,
            "scaling": self.scaling,
            "padding": self.padding,
            "data_format": self.data_format,
            "expand_dims": self.expand_dims,
        }
