"""`keras.ops` broadcasting binary ops: arithmetic, comparisons, logic, bitwise.

Both operands convert as Keras' torch backend converts them (see `ops.convert`) and promote with
torch's rules, except where Keras types the result with `result_type` (`maximum`, `minimum`,
`floor_divide`, float functions such as `arctan2`).
"""

import torch

from torchkeras.ops import convert, dtypes


def _binary(name, function, summary):
    def op(x1, x2):
        x1, x2 = convert.tensors(x1, x2)
        return function(x1, x2)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"{summary}, elementwise with broadcasting.\n\nArgs:\n    x1, x2: Operands."
    return op


add = _binary("add", torch.add, "`x1 + x2`")
multiply = _binary("multiply", torch.multiply, "`x1 * x2`")
power = _binary("power", torch.pow, "`x1 ** x2`")
equal = _binary("equal", torch.eq, "`x1 == x2` (bool)")
not_equal = _binary("not_equal", torch.ne, "`x1 != x2` (bool)")
greater = _binary("greater", torch.greater, "`x1 > x2` (bool)")
greater_equal = _binary("greater_equal", torch.greater_equal, "`x1 >= x2` (bool)")
less = _binary("less", torch.less, "`x1 < x2` (bool)")
less_equal = _binary("less_equal", torch.less_equal, "`x1 <= x2` (bool)")
logical_and = _binary("logical_and", torch.logical_and, "Logical AND (bool)")
logical_or = _binary("logical_or", torch.logical_or, "Logical OR (bool)")
logical_xor = _binary("logical_xor", torch.logical_xor, "Logical XOR (bool)")
heaviside = _binary("heaviside", torch.heaviside, "Heaviside step of `x1`, `x2` where `x1 == 0`")
gcd = _binary("gcd", torch.gcd, "Greatest common divisor")
lcm = _binary("lcm", torch.lcm, "Least common multiple")


def _bitwise(name, function, summary):
    def op(x, y):
        x, y = convert.tensors(x, y)
        return function(x, y)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"{summary}, elementwise with broadcasting.\n\nArgs:\n    x, y: Integer operands."
    return op


bitwise_and = _bitwise("bitwise_and", torch.bitwise_and, "Bitwise AND")
bitwise_or = _bitwise("bitwise_or", torch.bitwise_or, "Bitwise OR")
bitwise_xor = _bitwise("bitwise_xor", torch.bitwise_xor, "Bitwise XOR")
bitwise_left_shift = _bitwise("bitwise_left_shift", torch.bitwise_left_shift, "`x << y`")
bitwise_right_shift = _bitwise("bitwise_right_shift", torch.bitwise_right_shift, "`x >> y`")
left_shift = _bitwise("left_shift", torch.bitwise_left_shift, "`x << y`")
right_shift = _bitwise("right_shift", torch.bitwise_right_shift, "`x >> y`")


def bitwise_invert(x):
    """Bitwise NOT of an integer (or bool) tensor.

    Args:
        x: Input.
    """
    return torch.bitwise_not(convert.tensor(x))


def bitwise_not(x):
    """Bitwise NOT of an integer (or bool) tensor (alias of `bitwise_invert`).

    Args:
        x: Input.
    """
    return bitwise_invert(x)


def subtract(x1, x2):
    """`x1 - x2`, elementwise with broadcasting; a bool operand takes the other's dtype.

    Args:
        x1, x2: Operands.
    """
    x1, x2 = convert.tensors(x1, x2)
    if x1.dtype == torch.bool:
        x1 = x1.to(x2.dtype)
    if x2.dtype == torch.bool:
        x2 = x2.to(x1.dtype)
    return torch.subtract(x1, x2)


def _scalar_or_tensor(x, device):
    return (
        x
        if isinstance(x, (int, float)) and not isinstance(x, bool)
        else convert.tensor(x, device=device)
    )


def divide(x1, x2):
    """`x1 / x2` (true division), elementwise with broadcasting; integers give float.

    Args:
        x1, x2: Operands; Python scalars stay scalars (torch's promotion applies).
    """
    device = convert.device_of(x1, x2)
    return torch.divide(_scalar_or_tensor(x1, device), _scalar_or_tensor(x2, device))


def true_divide(x1, x2):
    """`x1 / x2` (alias of `divide`).

    Args:
        x1, x2: Operands.
    """
    return divide(x1, x2)


def divide_no_nan(x1, x2):
    """`x1 / x2`, with 0 wherever `x2 == 0`.

    Args:
        x1, x2: Operands.
    """
    x1, x2 = convert.tensors(x1, x2)
    dtype = dtypes.to_torch(dtypes.result_type(x1.dtype, x2.dtype, float))
    x1, x2 = x1.to(dtype), x2.to(dtype)
    safe = torch.where(x2 == 0, torch.ones_like(x2), x2)
    return torch.where(x2 == 0, torch.zeros_like(x1 / safe), x1 / safe)


def _typed_binary(name, function, summary):
    def op(x1, x2):
        dtype = dtypes.to_torch(dtypes.result_type(dtypes.dtype_of(x1), dtypes.dtype_of(x2)))
        device = convert.device_of(x1, x2)
        x1, x2 = convert.tensor(x1, dtype, device), convert.tensor(x2, dtype, device)
        return function(x1, x2)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (
        f"{summary}, elementwise with broadcasting, in Keras' `result_type`.\n\n"
        "Args:\n    x1, x2: Operands."
    )
    return op


maximum = _typed_binary("maximum", torch.maximum, "The larger of `x1` and `x2`")
minimum = _typed_binary("minimum", torch.minimum, "The smaller of `x1` and `x2`")
fmax = _typed_binary("fmax", torch.fmax, "The larger of `x1` and `x2`, ignoring NaN")
fmin = _typed_binary("fmin", torch.fmin, "The smaller of `x1` and `x2`, ignoring NaN")


def floor_divide(x1, x2):
    """`floor(x1 / x2)`, elementwise with broadcasting, in Keras' `result_type`.

    Args:
        x1, x2: Operands.
    """
    dtype = dtypes.to_torch(dtypes.result_type(dtypes.dtype_of(x1), dtypes.dtype_of(x2)))
    device = convert.device_of(x1, x2)
    return torch.floor_divide(_scalar_or_tensor(x1, device), _scalar_or_tensor(x2, device)).to(
        dtype
    )


def _modulo(name, function, summary):
    def op(x1, x2):
        x1, x2 = convert.tensors(x1, x2)
        if dtypes.result_type(x1.dtype, x2.dtype) == "bool":
            x1, x2 = x1.to(torch.int32), x2.to(torch.int32)
        return function(x1, x2)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"{summary}, elementwise with broadcasting.\n\nArgs:\n    x1, x2: Operands."
    return op


mod = _modulo("mod", torch.remainder, "Remainder of `x1 / x2` with the sign of `x2`")
fmod = _modulo("fmod", torch.fmod, "Remainder of `x1 / x2` with the sign of `x1`")


def _float_binary(name, function, summary):
    def op(x1, x2):
        x1, x2 = convert.tensors(x1, x2)
        dtype = dtypes.to_torch(dtypes.result_type(x1.dtype, x2.dtype, float))
        return function(x1.to(dtype), x2.to(dtype))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (
        f"{summary}, elementwise with broadcasting; computed in a float dtype.\n\n"
        "Args:\n    x1, x2: Operands."
    )
    return op


arctan2 = _float_binary("arctan2", torch.atan2, "Angle of the point `(x2, x1)`")
logaddexp = _float_binary("logaddexp", torch.logaddexp, "`log(exp(x1) + exp(x2))`")
logaddexp2 = _float_binary("logaddexp2", torch.logaddexp2, "`log2(2**x1 + 2**x2)`")
hypot = _float_binary("hypot", torch.hypot, "`sqrt(x1**2 + x2**2)`")
nextafter = _float_binary("nextafter", torch.nextafter, "Next float after `x1` toward `x2`")


def ldexp(x1, x2):
    """`x1 * 2 ** x2`, elementwise with broadcasting (`x2` integer).

    Args:
        x1: Mantissas.
        x2: Integer exponents.
    """
    x1, x2 = convert.tensors(x1, x2)
    dtype = dtypes.to_torch(dtypes.result_type(x1.dtype, float))
    return torch.ldexp(x1.to(dtype), x2)


def isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether `|x1 - x2| <= atol + rtol * |x2|`, elementwise (bool).

    Args:
        x1, x2: Operands.
        rtol, atol: Tolerances.
        equal_nan: Whether NaN equals NaN.
    """
    x1, x2 = convert.tensors(x1, x2)
    dtype = dtypes.to_torch(dtypes.result_type(x1.dtype, x2.dtype))
    return torch.isclose(x1.to(dtype), x2.to(dtype), rtol, atol, equal_nan)


def allclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether all elements are close (a bool scalar tensor); see `isclose`.

    Args:
        x1, x2: Operands.
        rtol, atol: Tolerances.
        equal_nan: Whether NaN equals NaN.
    """
    return torch.all(isclose(x1, x2, rtol, atol, equal_nan))
