"""MelSpectrogram: power spectrogram of raw audio warped onto the mel scale (optionally in dB)."""

import torch

from torchkeras import ops
from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS

MEL_BREAK_FREQUENCY_HERTZ = 700.0  # HTK's mel scale: 1127 * ln(1 + f / 700)
MEL_HIGH_FREQUENCY_Q = 1127.0


def hertz_to_mel(frequencies):
    """Frequencies in hertz on the HTK mel scale."""
    return MEL_HIGH_FREQUENCY_Q * torch.log(1.0 + frequencies / MEL_BREAK_FREQUENCY_HERTZ)


def _float32(value):
    return torch.as_tensor(value, dtype=torch.float32)


def _linspace(start, stop, num):
    """Keras' torch `linspace` for tensor bounds: `start + arange(num) / (num - 1) * (stop -
    start)` (not `torch.linspace`, whose rounding differs in the last bit)."""
    steps = torch.arange(num, dtype=start.dtype) / (num - 1)
    return start[None] + steps * (stop - start)[None]


def mel_weight_matrix(num_mel_bins, num_spectrogram_bins, sampling_rate, lower_hertz, upper_hertz):
    """The float32 `(num_spectrogram_bins, num_mel_bins)` matrix of triangular mel filters.

    Each filter peaks at 1 on its centre and falls linearly (in mel) to 0 on its neighbours'
    centres; the DC bin gets no weight (HTK). The same float32 arithmetic as Keras.
    """
    zero, nyquist = _float32(0.0), _float32(sampling_rate) / 2.0
    bins_mel = hertz_to_mel(_linspace(zero, nyquist, num_spectrogram_bins)[1:])[:, None]
    edges = _linspace(
        hertz_to_mel(_float32(lower_hertz)), hertz_to_mel(_float32(upper_hertz)), num_mel_bins + 2
    )
    lower, center, upper = edges[None, :-2], edges[None, 1:-1], edges[None, 2:]
    rising = (bins_mel - lower) / (center - lower)  # (bins - 1, mels)
    falling = (upper - bins_mel) / (upper - center)
    weights = torch.maximum(zero, torch.minimum(rising, falling))
    return torch.nn.functional.pad(weights, (0, 0, 1, 0))  # the DC row


@LAYERS.register()
class MelSpectrogram(Layer):
    """Mel spectrogram of single or batched audio signals.

    `|stft(x)| ** mag_exp` (frames centred, reflect-padded; `ops.stft`) times the mel filter
    bank, then, with `power_to_db`, `10 * log10(max(power, min_power) / ref_power)` floored at
    the maximum minus `top_db`. As in Keras, that maximum is taken over the whole batch, not per
    signal. The filter bank is computed once, at build, as a non-persistent buffer on the
    layer's device (Keras rebuilds it every call); the layer has no weights.

    Args:
        fft_length: DFT size.
        sequence_stride: Samples between frames.
        sequence_length: Window length, at most `fft_length`; `None` means `fft_length`.
        window: `"hann"`, `"hamming"` (periodic) or `None`.
        sampling_rate: Samples per second of the signal.
        num_mel_bins: Number of mel bands.
        min_freq, max_freq: Edges of the band range in hertz (`None`: `sampling_rate / 2`).
        power_to_db: Whether to convert to decibels.
        top_db: Dynamic range kept below the maximum, in dB.
        mag_exp: Exponent of the magnitude (2: power, 1: magnitude).
        min_power: Floor of the power before the logarithm.
        ref_power: Power mapped to 0 dB.

    Shapes: `(time,)` -> `(num_mel_bins, frames)`; `(batch, time)` -> `(batch, num_mel_bins,
        frames)`, with `frames = 1 + time // sequence_stride`.
    """

    def __init__(
        self,
        fft_length=2048,
        sequence_stride=512,
        sequence_length=None,
        window="hann",
        sampling_rate=16000,
        num_mel_bins=128,
        min_freq=20.0,
        max_freq=None,
        power_to_db=True,
        top_db=80.0,
        mag_exp=2.0,
        min_power=1e-10,
        ref_power=1.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.fft_length = fft_length
        self.sequence_stride = sequence_stride
        self.sequence_length = sequence_length or fft_length
        if fft_length < self.sequence_length:
            raise ValueError(
                f"MelSpectrogram '{self.name}': `fft_length` must be at least "
                f"`sequence_length`, got fft_length={fft_length}, "
                f"sequence_length={self.sequence_length}."
            )
        self.window = window
        self.sampling_rate = sampling_rate
        self.num_mel_bins = num_mel_bins
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db = power_to_db
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power

    def build(self, input_shape=None):
        matrix = mel_weight_matrix(
            self.num_mel_bins, self.fft_length // 2 + 1, self.sampling_rate, self.min_freq,
            self.max_freq,
        )  # fmt: skip
        self.register_buffer("mel_matrix", matrix.to(self.weight_device()), persistent=False)
        reference = torch.maximum(torch.tensor(self.ref_power).abs(), torch.tensor(self.min_power))
        self._reference_db = float(10.0 * torch.log10(reference))  # a float32 value, as Keras

    def call(self, inputs):
        dtype = self._compute_torch_dtype
        compute = dtype if dtype in (torch.float32, torch.float64) else torch.float32
        real, imag = ops.stft(
            inputs.to(compute), self.sequence_length, self.sequence_stride, self.fft_length,
            window=self.window, center=True,
        )  # fmt: skip
        spectrum = torch.sqrt(real.square() + imag.square())  # (..., frames, freqs)
        spectrum = torch.pow(spectrum, self.mag_exp)
        matrix = self.mel_matrix.to(spectrum.dtype)  # (freqs, mels)
        mel = torch.tensordot(spectrum, matrix, dims=1)  # (..., frames, mels), as Keras
        if self.power_to_db:
            mel = self._decibels(mel)
        return mel.transpose(-1, -2).to(dtype)

    def _decibels(self, power):
        decibels = 10.0 * torch.log10(torch.maximum(power, power.new_tensor(self.min_power)))
        decibels = decibels - self._reference_db
        return torch.maximum(decibels, decibels.max() - self.top_db)

    def get_config(self):
        return {
            **super().get_config(),
            "fft_length": self.fft_length,
            "sequence_stride": self.sequence_stride,
            "sequence_length": self.sequence_length,
            "window": self.window,
            "sampling_rate": self.sampling_rate,
            "num_mel_bins": self.num_mel_bins,
            "min_freq": self.min_freq,
            "max_freq": self.max_freq,
            "power_to_db": self.power_to_db,
            "top_db": self.top_db,
            "mag_exp": self.mag_exp,
            "min_power": self.min_power,
            "ref_power": self.ref_power,
        }
