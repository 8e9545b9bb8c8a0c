"""`keras.utils.standardize_dtype`: Keras' name ("float32", "int32" ...) of any dtype spelling."""

from torchkeras import config

ALLOWED_DTYPES = (
    "float16", "float32", "float64", "uint8", "uint16", "uint32", "uint64", "int8", "int16",
    "int32", "int64", "bfloat16", "bool", "string", "float8_e4m3fn", "float8_e5m2",
    "complex64", "complex128",
)
# Python types (and the name "int") as Keras' torch backend names them.
_PYTHON_DTYPES = {bool: "bool", int: "int32", float: "float32", str: "string", "int": "int32",
                  complex: "complex64"}


def standardize_dtype(dtype):
    """Keras' dtype name for a name, numpy dtype or scalar type, torch dtype or Python type.

    Unlike `keras.backend.standardize_dtype` in torchkeras (which gives a `torch.dtype`), this
    returns the string Keras returns: None means `floatx()`, Python `int` is "int32".

    Args:
        dtype: The dtype in any spelling.

    Returns:
        One of Keras' dtype names; a ValueError for anything else.
    """
    if dtype is None:
        return config.floatx()
    if isinstance(dtype, (str, type)) and dtype in _PYTHON_DTYPES:
        dtype = _PYTHON_DTYPES[dtype]
    if hasattr(dtype, "name"):
        dtype = dtype.name
    elif hasattr(dtype, "__name__"):
        dtype = dtype.__name__
    elif "torch" in str(dtype):
        dtype = str(dtype).split(".")[-1]
    if dtype not in ALLOWED_DTYPES:
        raise ValueError(f"Invalid dtype: {dtype}")
    return dtype
