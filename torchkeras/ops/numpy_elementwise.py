"""`keras.ops` elementwise math: unary functions and broadcasting binary arithmetic.

Operands convert as Keras' torch backend converts them (Python ints to int32 0-d tensors, floats
to floatx) and then promote with torch's rules, which is what Keras returns on torch; transcendental
functions of integer or bool inputs compute in floatx.
"""

import torch

from torchkeras import config
from torchkeras.ops import convert, dtypes


def _to_float(x):
    """`x` as a tensor, integer and bool inputs cast to floatx."""
    x = convert.tensor(x)
    if not x.dtype.is_floating_point and not x.dtype.is_complex:
        x = x.to(dtypes.to_torch(config.floatx()))
    return x


def _float_unary(name, function, summary):
    def op(x):
        return function(_to_float(x))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (
        f"{summary}, elementwise; integer and bool inputs give floatx.\n\nArgs:\n    x: Input."
    )
    return op


exp = _float_unary("exp", torch.exp, "`e ** x`")
exp2 = _float_unary("exp2", torch.exp2, "`2 ** x`")
expm1 = _float_unary("expm1", torch.expm1, "`exp(x) - 1`, accurate near 0")
log = _float_unary("log", torch.log, "Natural logarithm")
log1p = _float_unary("log1p", torch.log1p, "`log(1 + x)`, accurate near 0")
log2 = _float_unary("log2", torch.log2, "Base-2 logarithm")
log10 = _float_unary("log10", torch.log10, "Base-10 logarithm")
sqrt = _float_unary("sqrt", torch.sqrt, "Square root")
sin = _float_unary("sin", torch.sin, "Sine")
cos = _float_unary("cos", torch.cos, "Cosine")
tan = _float_unary("tan", torch.tan, "Tangent")
arcsin = _float_unary("arcsin", torch.asin, "Inverse sine")
arccos = _float_unary("arccos", torch.acos, "Inverse cosine")
arctan = _float_unary("arctan", torch.atan, "Inverse tangent")
sinh = _float_unary("sinh", torch.sinh, "Hyperbolic sine")
cosh = _float_unary("cosh", torch.cosh, "Hyperbolic cosine")
tanh = _float_unary("tanh", torch.tanh, "Hyperbolic tangent")
arcsinh = _float_unary("arcsinh", torch.asinh, "Inverse hyperbolic sine")
arccosh = _float_unary("arccosh", torch.acosh, "Inverse hyperbolic cosine")
arctanh = _float_unary("arctanh", torch.atanh, "Inverse hyperbolic tangent")
floor = _float_unary("floor", torch.floor, "Largest integer value `<= x`")
ceil = _float_unary("ceil", torch.ceil, "Smallest integer value `>= x`")
deg2rad = _float_unary("deg2rad", torch.deg2rad, "Degrees to radians")
rad2deg = _float_unary("rad2deg", torch.rad2deg, "Radians to degrees")
sinc = _float_unary("sinc", torch.sinc, "Normalized sinc `sin(pi x) / (pi x)`")
i0 = _float_unary("i0", torch.i0, "Modified Bessel function of the first kind, order 0")


def cbrt(x):
    """Cube root, elementwise (real, negative for negative `x`); integers give floatx.

    Args:
        x: Input.
    """
    x = _to_float(x)
    return torch.sign(x) * torch.abs(x).pow(1.0 / 3.0)


def trunc(x):
    """`x` rounded toward zero; integer inputs are returned unchanged.

    Args:
        x: Input.
    """
    x = convert.tensor(x)
    return torch.trunc(x) if x.dtype.is_floating_point else x


def absolute(x):
    """Absolute value, elementwise; bool stays bool.

    Args:
        x: Input.
    """
    x = convert.tensor(x)
    return x if x.dtype == torch.bool else torch.abs(x)


def abs(x):
    """Absolute value, elementwise (alias of `absolute`).

    Args:
        x: Input.
    """
    return absolute(x)


def fabs(x):
    """Absolute value as a float (integers give floatx).

    Args:
        x: Input.
    """
    return torch.abs(_to_float(x))


def negative(x):
    """`-x`, elementwise.

    Args:
        x: Input.
    """
    return torch.negative(convert.tensor(x))


def sign(x):
    """-1, 0 or 1 by the sign of `x`, in `x`'s dtype.

    Args:
        x: Input.
    """
    return torch.sign(convert.tensor(x))


def square(x):
    """`x * x`, elementwise; bool inputs give int32.

    Args:
        x: Input.
    """
    x = convert.tensor(x)
    return torch.square(x.to(torch.int32) if x.dtype == torch.bool else x)


def reciprocal(x):
    """`1 / x`, elementwise.

    Args:
        x: Input.
    """
    return torch.reciprocal(convert.tensor(x))


def round(x, decimals=0):
    """`x` rounded half to even to `decimals` places; integer inputs keep their dtype.

    Args:
        x: Input.
        decimals: Number of decimal places.
    """
    x = convert.tensor(x)
    if not x.dtype.is_floating_point:
        as_float = x.to(dtypes.to_torch(config.floatx()))
        return torch.round(as_float, decimals=decimals).to(x.dtype)
    return torch.round(x, decimals=decimals)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """`x` with NaN replaced by `nan` and infinities by `posinf`/`neginf` (None: dtype's max/min).

    Args:
        x: Input.
        nan, posinf, neginf: Replacement values.
    """
    x = convert.tensor(x)
    if not x.dtype.is_floating_point:
        return x
    return torch.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


def isnan(x):
    """Whether each element is NaN (bool tensor)."""
    return torch.isnan(convert.tensor(x))


def isinf(x):
    """Whether each element is +/-inf (bool tensor)."""
    return torch.isinf(convert.tensor(x))


def isfinite(x):
    """Whether each element is finite (bool tensor)."""
    return torch.isfinite(convert.tensor(x))


def isposinf(x):
    """Whether each element is +inf (bool tensor)."""
    return torch.isposinf(convert.tensor(x))


def isneginf(x):
    """Whether each element is -inf (bool tensor)."""
    return torch.isneginf(convert.tensor(x))


def signbit(x):
    """Whether each element's sign bit is set (bool tensor; true for -0.0)."""
    x = convert.tensor(x)
    return torch.signbit(x.to(torch.int32) if x.dtype == torch.bool else x)


def logical_not(x):
    """Logical NOT of `x` read as bool."""
    return torch.logical_not(convert.tensor(x))


def clip(x, x_min, x_max):
    """`x` limited to `[x_min, x_max]`; bool inputs give int32.

    Args:
        x: Input.
        x_min, x_max: Bounds (scalars or broadcastable tensors).
    """
    x = convert.tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    low, high = convert.tensors(x_min, x_max, x)[:2]
    return torch.clamp(x, low.to(x.dtype), high.to(x.dtype))
