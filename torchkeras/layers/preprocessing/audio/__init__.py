"""Audio preprocessing layers: MelSpectrogram, STFTSpectrogram."""

from torchkeras.layers.preprocessing.audio.mel_spectrogram import MelSpectrogram
from torchkeras.layers.preprocessing.audio.stft_spectrogram import STFTSpectrogram

__all__ = ["MelSpectrogram", "STFTSpectrogram"]
