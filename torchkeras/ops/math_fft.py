"""`keras.ops.math` Fourier transforms on `(real, imag)` pairs, as Keras passes complex values.

Each takes and returns a `(real, imaginary)` tuple of float tensors (`rfft` takes a real tensor,
`irfft` returns one) and runs the matching `torch.fft` routine.
"""

import torch

from torchkeras.ops import convert


def _complex(x, op):
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"`{op}`: x must be a (real, imag) pair of tensors, got {x!r}.")
    real, imag = convert.tensors(*x)
    if real.shape != imag.shape or not (real.is_floating_point() and imag.is_floating_point()):
        raise ValueError(
            f"`{op}`: real and imaginary parts must be float tensors of one shape, got "
            f"{real.dtype}{tuple(real.shape)} and {imag.dtype}{tuple(imag.shape)}."
        )
    return torch.complex(real, imag)


def _pair(z):
    return z.real, z.imag


def fft(x):
    """1-D discrete Fourier transform over the last axis of `x = (real, imag)`."""
    return _pair(torch.fft.fft(_complex(x, "fft")))


def fft2(x):
    """2-D discrete Fourier transform over the last two axes of `x = (real, imag)`."""
    return _pair(torch.fft.fft2(_complex(x, "fft2")))


def ifft2(x):
    """Inverse 2-D discrete Fourier transform over the last two axes of `x = (real, imag)`."""
    return _pair(torch.fft.ifft2(_complex(x, "ifft2")))


def rfft(x, fft_length=None):
    """Fourier transform of the real `x` over its last axis: `fft_length // 2 + 1` bins."""
    return _pair(torch.fft.rfft(convert.tensor(x), n=fft_length, dim=-1))


def irfft(x, fft_length=None):
    """Inverse of `rfft`: a real signal of `fft_length` samples from `x = (real, imag)` bins."""
    return torch.fft.irfft(_complex(x, "irfft"), n=fft_length, dim=-1)


def _stft_window(window, sequence_length, like):
    if window is None:
        return torch.ones(sequence_length, dtype=like.dtype, device=like.device)
    if isinstance(window, str):
        makers = {"hann": torch.hann_window, "hamming": torch.hamming_window}
        if window not in makers:
            raise ValueError(
                f"`stft`: window must be 'hann', 'hamming', an array or None, "
                f"got window={window!r}."
            )
        return makers[window](sequence_length, periodic=True, dtype=like.dtype, device=like.device)
    win = convert.tensor(window, like.dtype, like.device)
    if tuple(win.shape) != (sequence_length,):
        raise ValueError(
            f"`stft`: window must have shape ({sequence_length},), got {tuple(win.shape)}."
        )
    return win


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform over the last axis of the real `x`.

    Args:
        x: float32/float64 signals `(..., samples)`.
        sequence_length: Frame (window) length.
        sequence_stride: Hop between frames.
        fft_length: FFT size, at least `sequence_length`.
        window: `"hann"`, `"hamming"` (periodic), a 1-D array, or None (rectangular).
        center: Whether frames are centred (the signal reflect-padded by `fft_length // 2`).

    Returns: `(real, imag)`, each `(..., frames, fft_length // 2 + 1)`.
    """
    x = convert.tensor(x)
    if x.dtype not in (torch.float32, torch.float64):
        raise ValueError(f"`stft`: x must be float32 or float64, got {x.dtype}.")
    if fft_length < sequence_length:
        raise ValueError(
            f"`stft`: fft_length={fft_length} is below sequence_length={sequence_length}."
        )
    win = _stft_window(window, sequence_length, x)
    *batch, samples = x.shape
    z = torch.stft(
        x.reshape(-1, samples),
        n_fft=fft_length,
        hop_length=sequence_stride,
        win_length=sequence_length,
        window=win,
        center=center,
        return_complex=True,
    )
    z = z.reshape(*batch, *z.shape[-2:]).swapaxes(-2, -1)
    return _pair(z)


def _synthesis_window(window, sequence_length, fft_length, sequence_stride, like):
    """The analysis window zero-padded to `fft_length` and divided by the per-phase sum of its
    squares (TensorFlow's `inverse_stft_window_fn`), so overlap-add inverts `stft`."""
    win = _stft_window(window, sequence_length, like)
    left = (fft_length - sequence_length) // 2
    win = torch.nn.functional.pad(win, (left, fft_length - sequence_length - left))
    overlaps = -(-fft_length // sequence_stride)
    squares = torch.nn.functional.pad(win**2, (0, overlaps * sequence_stride - fft_length))
    denominator = squares.reshape(overlaps, sequence_stride).sum(0).repeat(overlaps)
    return win / denominator[:fft_length]


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann", center=True):
    """Inverse of `stft`: signals from `x = (real, imag)` frames `(..., frames, bins)`.

    Args:
        x: `(real, imag)` pair from `stft`.
        sequence_length, sequence_stride, fft_length, window, center: As given to `stft`.
        length: Output length; None: everything the frames cover (less the centring pad).

    Returns: `(..., samples)` real signals.
    """
    z = _complex(x, "istft")
    *batch, frames, bins = z.shape
    if sequence_length == fft_length and center and window is not None:
        win = _stft_window(window, sequence_length, z.real)
        signal = torch.istft(
            z.reshape(-1, frames, bins).swapaxes(-2, -1),
            n_fft=fft_length,
            hop_length=sequence_stride,
            win_length=sequence_length,
            window=win,
            center=True,
            length=length,
        )
        return signal.reshape(*batch, signal.shape[-1])
    pieces = torch.fft.irfft(z, n=fft_length, dim=-1)  # (..., frames, fft_length)
    if window is not None:
        pieces = pieces * _synthesis_window(
            window, sequence_length, fft_length, sequence_stride, pieces
        )
    total = fft_length + sequence_stride * (frames - 1)
    signal = torch.nn.functional.fold(
        pieces.reshape(-1, frames, fft_length).swapaxes(-2, -1),
        output_size=(1, total),
        kernel_size=(1, fft_length),
        stride=(1, sequence_stride),
    ).reshape(*batch, total)
    start = fft_length // 2 if center else 0
    end = start + length if length is not None else (total - fft_length // 2 if center else total)
    return signal[..., start:end]
