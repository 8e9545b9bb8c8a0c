"""STFT: the initializer of Keras' STFTSpectrogram kernels (windowed DFT basis functions)."""

import numpy as np
import torch

from torchkeras.initializers.base import Initializer, resolve_dtype, standardize_shape
from torchkeras.registry import INITIALIZERS


def _boxcar(length, periodic, dtype):
    return torch.ones(length, dtype=dtype)


# SciPy's window names (Keras calls scipy.signal.get_window) that torch computes identically.
_WINDOWS = {
    "hann": torch.hann_window,
    "hamming": torch.hamming_window,
    "blackman": torch.blackman_window,
    "bartlett": torch.bartlett_window,
    "boxcar": _boxcar,
}
_WINDOW_ALIASES = {
    "han": "hann",
    "hamm": "hamming",
    "ham": "hamming",
    "black": "blackman",
    "blk": "blackman",
    "bart": "bartlett",
    "brt": "bartlett",
    "box": "boxcar",
    "ones": "boxcar",
    "rect": "boxcar",
    "rectangular": "boxcar",
}


def _window_function(name):
    """The torch window function for a SciPy window name, or ValueError naming the known ones."""
    name = _WINDOW_ALIASES.get(name, name)
    if name not in _WINDOWS:
        raise ValueError(f"Unknown window type {name!r}. Expected one of {sorted(_WINDOWS)}.")
    return _WINDOWS[name]


@INITIALIZERS.register("stft", "STFTInitializer")
class STFT(Initializer):
    """Initializer of a `(frame_length, channels, fft_length)` kernel holding windowed DFT bases.

    Entry `[t, :, f]` is `cos` (side "real") or `sin` (side "imag") of `-2 pi t f / n_fft`,
    `n_fft = 2 * (fft_length - 1)`, times the window at `t`, divided by the window's
    scaling. Named windows are SciPy's (hann, hamming, blackman, bartlett, boxcar), computed
    with torch in float64 as SciPy does.

    Args:
        side: "real" for the cosine basis, "imag" for the sine basis.
        window: A window name, a 1D array of length `frame_length`, or `None` for no window.
        scaling: "density" (divide by the window's L2 norm), "spectrum" (by its L1 norm) or None.
        periodic: Whether a named window is periodic (DFT-even) rather than symmetric.
    """

    def __init__(self, side="real", window="hann", scaling="density", periodic=False):
        if side not in ("real", "imag"):
            raise ValueError(f"side should be 'real' or 'imag', not {side!r}")
        if isinstance(window, str):
            _window_function(window)
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError(
                "Scaling is invalid, it must be `None`, 'density' or 'spectrum'. "
                f"Received scaling={scaling!r}"
            )
        self.side = side
        self.window = window
        self.scaling = scaling
        self.periodic = periodic

    def _window(self, frame_length, dtype):
        """The window as a `(frame_length, 1, 1)` tensor."""
        if isinstance(self.window, str):
            window_fn = _window_function(self.window)
            window = window_fn(frame_length, periodic=self.periodic, dtype=torch.float64)
        else:
            window = torch.as_tensor(np.asarray(self.window))
        window = window.to(dtype)
        if window.ndim != 1 or window.shape[-1] != frame_length:
            raise ValueError(
                "The shape of `window` must be equal to [frame_length]. "
                f"Received: window shape={tuple(window.shape)}"
            )
        return window.reshape(frame_length, 1, 1)

    def __call__(self, shape, dtype=None):
        shape, dtype = standardize_shape(shape), resolve_dtype(dtype)
        frame_length, _, fft_length = shape
        n_fft = (fft_length - 1) * 2
        freq = torch.arange(fft_length, dtype=dtype).reshape(1, 1, fft_length) / n_fft
        time = torch.arange(frame_length, dtype=dtype).reshape(frame_length, 1, 1)
        args = (-2 * time) * freq * torch.arccos(torch.tensor(-1.0, dtype=dtype))
        kernel = torch.cos(args) if self.side == "real" else torch.sin(args)
        if self.window is not None:
            window = self._window(frame_length, dtype)
            scaling = 1
            if self.scaling == "density":
                scaling = torch.sqrt(torch.sum(torch.square(window)))
            elif self.scaling == "spectrum":
                scaling = torch.sum(torch.abs(window))
            kernel = kernel * window / scaling
        return kernel.expand(shape).clone()  # (frame_length, channels, fft_length)

    def get_config(self):
        window = self.window
        if isinstance(window, (np.ndarray, torch.Tensor)):
            window = window.tolist()
        return {
            "side": self.side,
            "window": window,
            "periodic": self.periodic,
            "scaling": self.scaling,
        }
