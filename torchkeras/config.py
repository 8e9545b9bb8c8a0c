"""Global Keras settings: default float dtype, fuzz epsilon, image data format, random seeds."""

import contextlib
import random

import numpy as np
import torch

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")
_DATA_FORMATS = ("channels_last", "channels_first")
_DEVICE = None
# Process-wide objects that `set_random_seed` resets (e.g. keras.random's global SeedGenerator).
_SEEDED_STATE = {}
# Process-wide settings that `clear_session` resets (e.g. the global dtype policy), as Keras'
# clear_session empties its global state.
_SESSION_STATE = {}


def backend():
    """The name of the backend: always `"torch"`."""
    return "torch"


def floatx():
    """Default float dtype name for new weights and inputs (Keras' `floatx`)."""
    return _FLOATX


def set_floatx(value):
    """Sets the default float dtype; one of float16, bfloat16, float32, float64."""
    global _FLOATX
    value = str(value)
    if value not in _FLOAT_DTYPES:
        raise ValueError(f"Unknown `floatx` value: {value!r}. Expected one of {_FLOAT_DTYPES}.")
    _FLOATX = value


def epsilon():
    """The small constant Keras adds to avoid division by zero (1e-7 by default)."""
    return _EPSILON


def set_epsilon(value):
    """Sets the fuzz factor returned by `epsilon()`."""
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    """`'channels_last'` (Keras' default, NHWC) or `'channels_first'` (NCHW)."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    """Sets the default `data_format` of convolution and pooling layers."""
    global _IMAGE_DATA_FORMAT
    if data_format not in _DATA_FORMATS:
        raise ValueError(
            f"Unknown `data_format`: {data_format!r}. Expected one of {_DATA_FORMATS}."
        )
    _IMAGE_DATA_FORMAT = data_format


@contextlib.contextmanager
def device(device_name):
    """Within this scope, `fit`/`evaluate`/`predict` run on `device_name` (e.g. `"cpu"`)."""
    global _DEVICE
    outer, _DEVICE = _DEVICE, torch.device(device_name)
    try:
        yield
    finally:
        _DEVICE = outer


def default_device():
    """Where training runs: the `device` scope's device, else CUDA when available, else CPU."""
    if _DEVICE is not None:
        return _DEVICE
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def set_random_seed(seed):
    """Seeds Python's `random`, NumPy and torch (all devices) at once and resets
    `keras.random`'s global SeedGenerator, as Keras does."""
    if not isinstance(seed, int):
        raise ValueError(f"`seed` must be an int, got seed={seed!r}.")
    _SEEDED_STATE.clear()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def session_state():
    """A dict of process-wide settings that `clear_session` empties, for higher levels."""
    return _SESSION_STATE


def clear_session_state():
    """Empties the session and seeded state (what Keras' `clear_session` resets)."""
    _SESSION_STATE.clear()
    _SEEDED_STATE.clear()


def seeded_state():
    """A dict of process-wide random state that `set_random_seed` empties, for higher levels."""
    return _SEEDED_STATE


def standardize_dtype(dtype):
    """Returns the torch dtype for a Keras dtype name, numpy dtype or torch dtype (None: floatx)."""
    if dtype is None:
        dtype = _FLOATX
    if isinstance(dtype, torch.dtype):
        return dtype
    name = dtype if isinstance(dtype, str) else np.dtype(dtype).name
    torch_dtype = getattr(torch, name, None)
    if not isinstance(torch_dtype, torch.dtype):
        raise ValueError(f"Unknown dtype: {dtype!r}.")
    return torch_dtype


def dtype_name(dtype):
    """Keras' name of a torch dtype, e.g. `torch.float32` -> `'float32'`."""
    return str(dtype).replace("torch.", "")
