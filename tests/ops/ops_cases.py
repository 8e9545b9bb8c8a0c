"""The keras.ops case table: each op with small seeded inputs, several dtypes and options.

Inputs: `f(shape)` float32 normal, `pos(shape)` float32 in [0.5, 2), `unit(shape)` in (-0.9, 0.9),
`i(shape)` int32 in [-4, 5), `b(shape)` bool; Python scalars test Keras' weak-type promotion.
"""

import numpy as np
from op_case import OpCase

CASES = []


def f(*shape, dtype="float32"):
    return lambda r: r.standard_normal(shape).astype(dtype)


def pos(*shape):
    return lambda r: r.uniform(0.5, 2.0, shape).astype("float32")


def unit(*shape):
    return lambda r: r.uniform(-0.9, 0.9, shape).astype("float32")


def i(*shape, low=-4, high=5, dtype="int32"):
    return lambda r: r.integers(low, high, shape).astype(dtype)


def b(*shape):
    return lambda r: r.random(shape) > 0.5


def const(value):
    return lambda r: value


def _maker(value):
    if callable(value):
        return value
    if isinstance(value, list) and any(callable(item) for item in value):
        return lambda r: [item(r) if callable(item) else item for item in value]
    return const(value)


def add(op, *makers, case_id=None, rtol=1e-6, grad=True, **kwargs):
    """Appends a case calling `op(*[m(rng) for m in makers], **kwargs)`."""
    case_id = case_id or f"{op}_{sum(c.op == op for c in CASES)}"
    args = tuple(_maker(m) for m in makers)
    CASES.append(OpCase(op, lambda r, a=args: tuple(m(r) for m in a), kwargs, case_id, rtol, grad))


# Unary float functions: float32, int32 (-> floatx) inputs.
for _op in (
    "exp",
    "expm1",
    "sin",
    "cos",
    "tan",
    "arctan",
    "sinh",
    "cosh",
    "tanh",
    "arcsinh",
    "floor",
    "ceil",
    "deg2rad",
    "rad2deg",
    "sinc",
    "erf",
    "erfc",
    "sigmoid",
    "relu",
    "relu6",
    "selu",
    "softplus",
    "softsign",
    "silu",
    "swish",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "log_sigmoid",
    "tanh_shrink",
    "sparse_sigmoid",
    "sparse_plus",
    "squareplus",
    "elu",
    "celu",
    "gelu",
    "leaky_relu",
    "hard_shrink",
    "soft_shrink",
    "abs",
    "negative",
    "sign",
    "square",
    "trunc",
    "round",
    "cbrt",
    "fabs",
):
    add(_op, f(2, 3))
for _op in (
    "exp",
    "sin",
    "tanh",
    "floor",
    "abs",
    "negative",
    "sign",
    "square",
    "round",
    "sqrt",
    "log",
    "log1p",
    "fabs",
    "trunc",
):
    add(_op, i(2, 3, low=1), case_id=f"{_op}_int32")
for _op in (
    "log",
    "log1p",
    "log2",
    "log10",
    "sqrt",
    "rsqrt",
    "reciprocal",
    "arccosh",
    "i0",
    "exp2",
):
    add(_op, pos(2, 3))
for _op in ("arcsin", "arccos", "arctanh", "erfinv"):
    add(_op, unit(2, 3))
add("square", b(2, 3), case_id="square_bool")
add("abs", b(2, 3), case_id="abs_bool")
add("gelu", f(2, 3), approximate=False, case_id="gelu_exact")
add("leaky_relu", f(4), negative_slope=0.1, case_id="leaky_relu_slope")
add("elu", f(4), alpha=0.5, case_id="elu_alpha")
add("exp", f(3, dtype="float64"), case_id="exp_float64")
add("round", f(2, 3), decimals=1, case_id="round_decimals")
add("glu", f(2, 4))
add("threshold", f(2, 3), 0.1, -1.0)
add("nan_to_num", const(np.array([1.0, np.nan, np.inf, -np.inf], "float32")), grad=False)
for _op in ("isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit", "logical_not"):
    add(_op, const(np.array([1.0, np.nan, np.inf, -np.inf, -0.0], "float32")))

# Binary arithmetic with broadcasting and Keras' dtype promotion.
for _op in (
    "add",
    "subtract",
    "multiply",
    "divide",
    "true_divide",
    "maximum",
    "minimum",
    "power",
    "arctan2",
    "logaddexp",
    "hypot",
    "fmax",
    "fmin",
    "divide_no_nan",
    "mod",
    "fmod",
    "floor_divide",
    "logaddexp2",
):
    add(_op, f(2, 3), pos(3))
for _op in (
    "add",
    "subtract",
    "multiply",
    "divide",
    "maximum",
    "minimum",
    "floor_divide",
    "mod",
    "power",
):
    add(_op, i(2, 3, low=1), 2, case_id=f"{_op}_int_pyint")
    add(_op, i(2, 3, low=1), 1.5, case_id=f"{_op}_int_pyfloat")
    add(_op, f(2, 3), 2, case_id=f"{_op}_float_pyint")
    add(_op, i(3, low=1, dtype="int8"), i(3, low=1, dtype="int16"), case_id=f"{_op}_int8_int16")
for _op in ("add", "multiply", "maximum"):
    add(_op, b(3), 2, case_id=f"{_op}_bool_pyint")
    add(_op, f(3, dtype="float16"), f(3), case_id=f"{_op}_float16_float32")
    add(_op, i(3, low=1, dtype="uint8"), i(3, low=1, dtype="int8"), case_id=f"{_op}_uint8_int8")
    add(_op, i(3, dtype="int64"), f(3), case_id=f"{_op}_int64_float32")
for _op in ("equal", "not_equal", "greater", "greater_equal", "less", "less_equal"):
    add(_op, i(2, 3), i(3))
for _op in ("logical_and", "logical_or", "logical_xor"):
    add(_op, b(2, 3), b(3))
for _op in ("bitwise_and", "bitwise_or", "bitwise_xor", "gcd", "lcm"):
    add(_op, i(2, 3, low=1), i(3, low=1))
for _op in ("left_shift", "right_shift", "bitwise_left_shift", "bitwise_right_shift"):
    add(_op, i(2, 3, low=1, high=9), i(3, low=0, high=3))
add("bitwise_invert", i(2, 3))
add("bitwise_not", i(2, 3))
add("heaviside", const(np.array([-1.0, 0.0, 2.0], "float32")), 0.5)
add("isclose", f(2, 3), f(3))
add("allclose", f(3), f(3))
add("ldexp", f(3), i(3, low=0, high=4))
add("clip", f(2, 3), -0.5, 0.5)
add("clip", i(2, 3), -1, 2, case_id="clip_int")
add("clip", f(2, 3), f(2, 3), pos(3), case_id="clip_arrays")

# Reductions and scans.
for _op in ("sum", "mean", "max", "min", "prod", "std", "var", "amax", "amin", "logsumexp", "ptp"):
    add(_op, f(2, 3, 4))
    add(_op, f(2, 3, 4), axis=1, case_id=f"{_op}_axis1")
    add(_op, f(2, 3, 4), axis=(0, 2), keepdims=True, case_id=f"{_op}_axes_keepdims")
for _op in ("sum", "mean", "max", "prod", "var", "std"):
    add(_op, i(2, 3), axis=0, case_id=f"{_op}_int32")
add("sum", b(2, 3), case_id="sum_bool")
add("sum", i(2, 3, dtype="int8"), axis=1, case_id="sum_int8")
add("mean", f(2, 3, dtype="float64"), case_id="mean_float64")
add("max", f(2, 3), axis=1, initial=0.5, case_id="max_initial")
add("min", f(2, 3), axis=0, initial=-0.5, case_id="min_initial")
for _op in ("argmax", "argmin"):
    add(_op, f(3, 4))
    add(_op, f(3, 4), axis=1, case_id=f"{_op}_axis1")
    add(_op, f(3, 4), axis=0, keepdims=True, case_id=f"{_op}_keepdims")
for _op in ("all", "any"):
    add(_op, b(3, 4))
    add(_op, b(3, 4), axis=1, case_id=f"{_op}_axis1")
for _op in ("cumsum", "cumprod"):
    add(_op, f(2, 3))
    add(_op, f(2, 3), axis=1, case_id=f"{_op}_axis1")
    add(_op, i(2, 3), axis=0, case_id=f"{_op}_int32")
    add(_op, b(2, 3), axis=0, case_id=f"{_op}_bool")
add("average", f(2, 3))
add(
    "average",
    f(2, 3),
    axis=1,
    weights=np.array([1.0, 2.0, 3.0], "float32"),
    case_id="average_weights",
)
add("count_nonzero", i(3, 4))
add("count_nonzero", i(3, 4), axis=1, case_id="count_nonzero_axis1")

# Creation.
add("arange", 5)
add("arange", 1, 7, 2, case_id="arange_start_stop_step")
add("arange", 0.5, 3.0, 0.5, case_id="arange_float")
add("arange", 4, dtype="float32", case_id="arange_dtype")
add("linspace", 0.0, 1.0, 5)
add("linspace", 0, 2, 4, endpoint=False, case_id="linspace_no_endpoint")
add("logspace", 0.0, 2.0, 3)
add("zeros", (2, 3))
add("ones", (2, 3), dtype="int32", case_id="ones_int32")
add("full", (2, 3), 1.5)
add("full", (2, 3), 7, case_id="full_int")
add("eye", 3)
add("eye", 3, 4, k=1, case_id="eye_k")
add("identity", 3)
add("tri", 3, 4, k=-1)
add("zeros_like", f(2, 3))
add("ones_like", i(2, 3), dtype="float32", case_id="ones_like_dtype")
add("full_like", f(2, 3), 2)
add("copy", f(2, 3))
add("array", i(2, 3))

# Shape manipulation.
add("reshape", f(2, 3, 4), (4, -1))
add("reshape", f(6), 6, case_id="reshape_int")
add("transpose", f(2, 3, 4))
add("transpose", f(2, 3, 4), (1, 0, 2), case_id="transpose_axes")
add("expand_dims", f(2, 3), 1)
add("expand_dims", f(2, 3), (0, -1), case_id="expand_dims_tuple")
add("squeeze", f(2, 1, 3, 1))
add("squeeze", f(2, 1, 3, 1), axis=1, case_id="squeeze_axis")
add("concatenate", [f(2, 3), f(2, 2)], axis=1)
add("concatenate", [i(2), f(3)], case_id="concatenate_mixed_dtypes")
add("stack", [f(2, 3), f(2, 3)], axis=1)
add("hstack", [f(2, 3), f(2, 1)])
add("vstack", [f(2, 3), f(1, 3)])
add("dstack", [f(2, 3), f(2, 3)])
add("append", f(2, 3), f(1, 3), axis=0)
add("append", f(2, 3), f(2))
add("split", f(6, 2), 3)
add("split", f(6, 2), [1, 4], case_id="split_indices")
add("array_split", f(7), 3)
add("hsplit", f(2, 4), 2)
add("vsplit", f(4, 2), 2)
add("tile", f(2, 3), (2, 1))
add("repeat", f(2, 3), 2)
add("repeat", f(2, 3), 2, axis=1, case_id="repeat_axis")
add("flip", f(2, 3))
add("flip", f(2, 3), axis=1, case_id="flip_axis")
add("fliplr", f(2, 3))
add("flipud", f(2, 3))
add("roll", f(2, 3), 1)
add("roll", f(2, 3), -1, axis=1, case_id="roll_axis")
add("rot90", f(2, 3))
add("moveaxis", f(2, 3, 4), 0, -1)
add("swapaxes", f(2, 3, 4), 0, 2)
add("broadcast_to", f(3), (2, 3))
add("pad", f(2, 3), ((1, 0), (0, 2)))
# Explicit pairs per axis: Keras' torch `pad` given an int pads only the last axis (NumPy: all),
# and its "symmetric" mode repeats the edge for widths > 1 (tests/ops check those against NumPy).
add("pad", f(2, 3), ((1, 1), (1, 1)), constant_values=2.0, case_id="pad_constant")
add("pad", f(3, 4), ((1, 1), (1, 1)), mode="reflect", case_id="pad_reflect")
add("pad", f(3, 4), ((1, 1), (1, 0)), mode="symmetric", case_id="pad_symmetric")
add("tril", f(3, 3))
add("triu", f(3, 3), k=1)
add("diag", f(3, 3))
add("diag", f(3), k=1, case_id="diag_vector")
add("diagflat", f(2, 2))
add("diagonal", f(3, 3, 2), offset=1)
add("ravel", f(2, 3))
add("meshgrid", f(2), f(3))
add("meshgrid", f(2), f(3), indexing="ij", case_id="meshgrid_ij")
add("ndim", f(2, 3))
add("size", f(2, 3))
add("shape", f(2, 3))
add("unstack", f(2, 3), axis=1)

# Indexing, selection and sorting.
add("take", f(4, 3), i(2, low=-4, high=4), axis=0)
add("take", f(4, 3), i(2, 2, low=0, high=3), axis=1, case_id="take_axis1")
add("take", f(4, 3), i(3, low=0, high=12), case_id="take_flat")
add("take_along_axis", f(3, 4), i(3, 2, low=-4, high=4), axis=1)
add("where", b(2, 3), f(2, 3), f(3))
add("where", b(2, 3), 1.0, 0, case_id="where_scalars")
add("where", b(2, 3), case_id="where_condition_only")
add("select", [b(3), b(3)], [f(3), f(3)], 0.0)
add("nonzero", i(2, 3))
add("sort", f(3, 4))
add("sort", f(3, 4), axis=0, case_id="sort_axis0")
add("argsort", f(3, 4))
add("searchsorted", const(np.array([1.0, 2.0, 3.0], "float32")), f(4))
add(
    "searchsorted",
    const(np.array([1.0, 2.0, 3.0], "float32")),
    const(np.array([2.0], "float32")),
    side="right",
    case_id="searchsorted_right",
)
add("digitize", f(5), const(np.array([-1.0, 0.0, 1.0], "float32")))
add("isin", i(5), i(3))
add("bincount", i(6, low=0, high=4))
add(
    "bincount",
    i(6, low=0, high=4),
    weights=np.arange(6, dtype="float32"),
    minlength=6,
    case_id="bincount_weights",
)
add("diff", f(2, 5))
add("diff", f(2, 5), n=2, axis=0, case_id="diff_n2")
add("get_item", f(3, 4), 1)
add("trace", f(3, 3))
add("trace", i(3, 3, dtype="int8"), case_id="trace_int8")
add("top_k", f(2, 5), 3)
add("top_k", f(2, 5), 2, sorted=True, case_id="top_k_2")
add("in_top_k", const(np.array([0, 3])), f(2, 5), 2)
add("one_hot", i(4, low=-1, high=3), 3)
add("one_hot", i(2, 3, low=0, high=3), 3, axis=1, case_id="one_hot_axis1")
add("one_hot", i(4, low=0, high=3), 3, dtype="int32", case_id="one_hot_int32")
add("multi_hot", i(2, 3, low=0, high=4), 4)

# Products.
add("matmul", f(2, 3), f(3, 4))
add("matmul", f(2, 2, 3), f(3, 4), case_id="matmul_batched")
add("matmul", f(3), f(3, 2), case_id="matmul_vector")
add("matmul", i(2, 3, dtype="int8"), i(3, 2, dtype="int8"), case_id="matmul_int8")
add("matmul", i(2, 3), f(3, 2), case_id="matmul_int_float")
add("dot", f(2, 3), f(3, 4))
add("dot", f(3), f(3), case_id="dot_vectors")
add("dot", f(2, 3, 4), f(4, 2), case_id="dot_nd")
add("dot", f(2, 3), 2.0, case_id="dot_scalar")
add("tensordot", f(2, 3, 4), f(3, 4, 5))
add("tensordot", f(2, 3), f(3, 2), axes=1, case_id="tensordot_1")
add("tensordot", f(2, 3), f(2, 4), axes=(0, 0), case_id="tensordot_pairs")
add("einsum", "ij,jk->ik", f(2, 3), f(3, 4))
add("einsum", "bij->bji", f(2, 3, 4), case_id="einsum_transpose")
add("einsum", "i,i->", f(4), f(4), case_id="einsum_dot")
add("outer", f(3), f(2))
add("inner", f(2, 3), f(4, 3))
add("vdot", f(3), f(3))  # Keras' torch vdot refuses 2-D inputs; NumPy flattens them
add("kron", f(2, 2), f(2, 3))
add("cross", f(2, 3), f(2, 3))

# Neural-network ops.
for _op in ("softmax", "log_softmax"):
    add(_op, f(2, 3))
    add(_op, f(2, 3), axis=0, case_id=f"{_op}_axis0")
    add(_op, f(2, 3, 2), axis=(1, 2), case_id=f"{_op}_axes")
add("softmax", f(2, 3, dtype="float64"), case_id="softmax_float64")
add("binary_crossentropy", unit(2, 3), f(2, 3), from_logits=True)
add(
    "binary_crossentropy",
    const(np.array([[0.0, 1.0, 0.3], [1.0, 0.0, 0.5]], "float32")),
    const(np.array([[0.1, 0.5, 0.9], [0.3, 0.2, 0.99]], "float32")),
    case_id="binary_crossentropy_probs",
)
add(
    "categorical_crossentropy", const(np.eye(3, dtype="float32")[[0, 2]]), f(2, 3), from_logits=True
)
add(
    "categorical_crossentropy",
    const(np.eye(3, dtype="float32")[[0, 2]]),
    pos(2, 3),
    case_id="categorical_crossentropy_probs",
)
add("sparse_categorical_crossentropy", const(np.array([0, 2])), f(2, 3), from_logits=True)
add(
    "sparse_categorical_crossentropy",
    const(np.array([[1], [2]])),
    pos(2, 3),
    case_id="sparse_categorical_crossentropy_probs",
)
add("moments", f(3, 4), axes=(0,))
add("moments", f(2, 3, 4), axes=(0, 1), keepdims=True, case_id="moments_keepdims")
add(
    "batch_normalization",
    f(2, 3),
    f(3),
    pos(3),
    -1,
    offset=np.ones(3, "float32"),
    scale=np.full(3, 2.0, "float32"),
)
add("normalize", f(2, 3))
add("normalize", f(2, 3), axis=0, order=1, case_id="normalize_l1")
add("conv", f(2, 5, 3), f(3, 3, 4))
add("conv", f(2, 5, 3), f(3, 3, 4), strides=2, padding="same", case_id="conv1d_same_strided")
add("conv", f(1, 5, 6, 2), f(3, 2, 2, 3), padding="same", case_id="conv2d_same")
add("conv", f(1, 6, 6, 2), f(3, 3, 2, 2), strides=2, padding="same", case_id="conv2d_same_s2")
add(
    "conv",
    f(1, 2, 5, 5),
    f(2, 2, 2, 3),
    data_format="channels_first",
    dilation_rate=2,
    case_id="conv2d_channels_first_dilated",
)
add("conv", f(1, 4, 4, 4, 2), f(2, 2, 2, 2, 2), case_id="conv3d")
add("depthwise_conv", f(1, 5, 5, 2), f(3, 3, 2, 2))
add(
    "depthwise_conv",
    f(1, 6, 6, 2),
    f(3, 3, 2, 1),
    strides=2,
    padding="same",
    case_id="depthwise_conv_same_s2",
)
add("separable_conv", f(1, 5, 5, 2), f(3, 3, 2, 2), f(1, 1, 4, 3), padding="same")
# rtol 2e-5: Keras runs torch's transposed conv on contiguous NCHW copies, torchkeras on
# channels_last views (no copy), which selects another CPU kernel that sums in another order
# (worst seen: 1.4e-5 relative on an input gradient near 0.04).
add("conv_transpose", f(1, 4, 4, 2), f(3, 3, 3, 2), rtol=2e-5)
add(
    "conv_transpose",
    f(1, 4, 4, 2),
    f(3, 3, 3, 2),
    strides=2,
    padding="same",
    case_id="conv_transpose_same_s2",
    rtol=2e-5,
)
add(
    "conv_transpose",
    f(1, 5, 2),
    f(3, 3, 2),
    strides=2,
    output_padding=1,
    case_id="conv_transpose1d_output_padding",
    rtol=2e-5,
)
add("max_pool", f(1, 4, 4, 2), 2)
add("max_pool", f(1, 5, 5, 2), 3, strides=2, padding="same", case_id="max_pool_same")
add("max_pool", f(1, 6, 2), 2, case_id="max_pool1d")
add("average_pool", f(1, 4, 4, 2), 2)
add("average_pool", f(1, 5, 5, 2), 2, strides=2, padding="same", case_id="average_pool_same")
add(
    "average_pool",
    f(1, 2, 5, 5),
    (2, 3),
    strides=1,
    data_format="channels_first",
    case_id="average_pool_channels_first",
)

# Math.
add("segment_sum", f(5, 2), const(np.array([0, 0, 1, 2, 2])))
add("segment_max", f(5, 2), const(np.array([0, 0, 1, 2, 2])), num_segments=4)
add("segment_min", f(5), const(np.array([1, 0, 1, 0, 2])))
add("segment_prod", f(5), const(np.array([1, 0, 1, 0, 2])))
add("extract_sequences", f(2, 10), 4, 3)
add("cdist", f(3, 2), f(4, 2))
add("logdet", const(np.array([[2.0, 0.5], [0.5, 1.0]], "float32")))

# Linear algebra: the same torch.linalg (LAPACK) calls as Keras, so the default rtol holds.
_SPD = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]], "float32")
add("norm", f(2, 3))
add("norm", f(2, 3), axis=1, case_id="norm_axis1")
add("norm", f(2, 3), ord=1, axis=1, keepdims=True, case_id="norm_l1")
add("norm", f(3, 3), ord="fro", case_id="norm_fro")
add("norm", f(3, 3), ord="nuc", case_id="norm_nuc")
add("norm", i(2, 3), case_id="norm_int32")
add("inv", const(_SPD))
add("det", const(_SPD))
add("solve", const(_SPD), f(3, 2))
add("solve_triangular", const(np.triu(_SPD)), f(3))
add("cholesky", const(_SPD))
add("cholesky_inverse", const(np.linalg.cholesky(_SPD).astype("float32")))
add("qr", const(_SPD), grad=False)
add("svd", const(_SPD), compute_uv=False)
add("eigh", const(_SPD), grad=False)
add("pinv", f(3, 2))
add("matrix_rank", const(_SPD))
# rcond pins the SVD driver: the default QR driver differs in the last bit between runs.
add("lstsq", f(4, 2), f(4, 1), rcond=1e-6)

# Core.
add("cast", f(2, 3), "int32")
add("cast", i(2, 3), "float16", case_id="cast_float16")
add("convert_to_tensor", const([[1, 2], [3, 4]]))
add("convert_to_tensor", const([1.0, 2]), case_id="convert_to_tensor_mixed_list")
add("convert_to_tensor", 3, case_id="convert_to_tensor_int")
add("convert_to_tensor", f(2), dtype="float64", case_id="convert_to_tensor_dtype")
add("stop_gradient", f(2, 3))
add("slice", f(3, 4), (1, 1), (2, 2))
add("slice_update", f(3, 4), (1, 1), f(2, 2))
add("scatter", const(np.array([[0, 1], [2, 0]])), f(2), (3, 2))
add("scatter_update", f(3, 2), const(np.array([[0], [2]])), f(2, 2))
add(
    "scatter_update",
    f(3, 2),
    const(np.array([[0, 1], [2, 0]])),
    f(2),
    reduction="add",
    case_id="scatter_update_add",
)
add("saturate_cast", const(np.array([-300.0, 5.5, 300.0], "float32")), "uint8", grad=False)
add("dtype", i(2))

# keras.backend.result_type over every ordered pair ("int"/"float": the weak Python types).
RESULT_TYPE_DTYPES = (
    "bool", "uint8", "uint16", "uint32", "int8", "int16", "int32", "int64", "bfloat16", "float16",
    "float32", "float64", "int", "float",
)  # fmt: skip


def as_dtype(name):
    """A table entry as `result_type` takes it: a dtype name, or Python's `int`/`float`."""
    return {"int": int, "float": float}.get(name, name)


# Statistics, NaN-ignoring reductions and the rest of the NumPy namespace.
_WITH_NAN = np.array([[1.0, np.nan, 3.0], [np.nan, -2.0, 0.5]], "float32")
add("quantile", f(3, 4), 0.3)
add(
    "quantile",
    f(3, 4),
    const(np.array([0.25, 0.75], "float32")),
    axis=1,
    keepdims=True,
    case_id="quantile_axis_keepdims",
)
add("quantile", f(3, 4), 0.4, axis=0, method="nearest", case_id="quantile_nearest")
add("percentile", f(3, 4), 40.0, axis=1)
add("median", f(3, 4))
add("median", i(3, 4), axis=0, case_id="median_int32")
for _op in ("nansum", "nanprod", "nanmax", "nanmin", "nanmean", "nanvar", "nanstd"):
    add(_op, const(_WITH_NAN), grad=False)
    add(_op, const(_WITH_NAN), axis=1, case_id=f"{_op}_axis1", grad=False)
for _op in ("nanargmax", "nanargmin", "nancumsum", "nancumprod"):
    add(_op, const(_WITH_NAN), axis=1, grad=False)
add("nanmedian", const(_WITH_NAN), axis=1, grad=False)
add("nanquantile", const(_WITH_NAN), 0.5, axis=1, grad=False)
add("corrcoef", f(3, 5))
add("histogram", f(20), bins=4)
add("trapezoid", f(2, 5))
add("trapezoid", f(2, 5), dx=0.5, axis=0, case_id="trapezoid_dx")
add("unique", i(8))
add(
    "unique", i(8), return_index=True, return_inverse=True, return_counts=True, case_id="unique_all"
)
add("real", f(3))
add("conj", f(3))
add("angle", f(3))
add("isreal", f(3))
for _op in ("bartlett", "blackman", "hamming", "hanning"):
    add(_op, 5)
add("kaiser", 5, 2.0)
add("vander", f(3))
add("vander", i(3), N=4, increasing=True, case_id="vander_int")
add("geomspace", 1.0, 100.0, 3)
add("unravel_index", const(np.array([1, 5, 7])), (2, 4))
add("correlate", f(5), f(3))
add("correlate", f(5), f(3), mode="full", case_id="correlate_full")
add("correlate", f(5), f(3), mode="same", case_id="correlate_same")
add("slogdet", const(_SPD))
add("view", f(3), "int32")

# More nn and math.
add("dot_product_attention", f(2, 3, 2, 4), f(2, 5, 2, 4), f(2, 5, 2, 4))
add(
    "dot_product_attention",
    f(1, 3, 4, 2),
    f(1, 3, 2, 2),
    f(1, 3, 2, 2),
    is_causal=True,
    scale=0.5,
    case_id="dot_product_attention_causal_grouped",
)
add(
    "dot_product_attention",
    f(1, 3, 1, 2),
    f(1, 4, 1, 2),
    f(1, 4, 1, 2),
    bias=np.linspace(-1.0, 1.0, 12, dtype="float32").reshape(1, 1, 3, 4),
    case_id="dot_product_attention_bias",
)
add(
    "dot_product_attention",
    f(1, 3, 1, 2),
    f(1, 4, 1, 2),
    f(1, 4, 1, 2),
    mask=np.array([[[[True, False, True, True]]]]),
    case_id="dot_product_attention_mask",
)
add("layer_normalization", f(2, 3, 4))
add(
    "layer_normalization",
    f(2, 3, 4),
    gamma=np.arange(4, dtype="float32"),
    beta=np.ones(4, "float32"),
    case_id="layer_normalization_gamma_beta",
)
add(
    "layer_normalization", f(2, 3, 4), axis=(1, 2), epsilon=1e-3, case_id="layer_normalization_axes"
)
add("rms_normalization", f(2, 3, 4))
add(
    "rms_normalization",
    f(2, 3, 4),
    scale=np.arange(4, dtype="float32"),
    epsilon=1e-3,
    case_id="rms_normalization_scale",
)
# One support element per row: Keras' torch sparsemax sums every partial sum of the support
# into its threshold (wrong for 2+ elements; tests/ops check those against the formula).
add("sparsemax", const(np.array([[-1.0, 0.0, 1.0], [2.0, 0.2, 0.1]], "float32")))
add("psnr", pos(2, 3), pos(2, 3), 2.0)
add("depth_to_space", f(1, 2, 2, 8), 2)
add(
    "depth_to_space",
    f(1, 8, 2, 2),
    2,
    data_format="channels_first",
    case_id="depth_to_space_channels_first",
)
add("space_to_depth", f(1, 4, 4, 2), 2)
add(
    "space_to_depth",
    f(1, 2, 4, 4),
    2,
    data_format="channels_first",
    case_id="space_to_depth_channels_first",
)
add("adaptive_average_pool", f(1, 5, 7, 2), (2, 3))
add("adaptive_max_pool", f(1, 2, 6), 4, data_format="channels_first")
add("unfold", f(1, 2, 4, 4), 2)
add("fold", f(1, 8, 9), (4, 4), 2)
add("polar", pos(3), f(3), grad=False)
add("fft", [f(4), f(4)])
add("fft2", [f(2, 4), f(2, 4)])
add("ifft2", [f(2, 4), f(2, 4)])
add("rfft", f(6))
add("rfft", f(6), fft_length=8, case_id="rfft_length")
add("irfft", [f(4), f(4)])
add("irfft", [f(4), f(4)], fft_length=8, case_id="irfft_length")
add("stft", f(2, 16), 8, 4, 8)
add("stft", f(16), 6, 3, 8, window="hamming", center=False, case_id="stft_hamming")
add("stft", f(16), 4, 2, 4, window=None, case_id="stft_rectangular")
add(
    "ctc_loss",
    const(np.array([[1, 2, 0], [2, 2, 1]])),
    f(2, 6, 4),
    const(np.array([2, 3])),
    const(np.array([6, 5])),
)
add("rearrange", f(2, 3, 4), "b h w -> b w h")
add("rearrange", f(2, 6, 4), "b (h w) c -> b h w c", h=2, case_id="rearrange_split")
add("rearrange", f(2, 3, 4, 5), "b h w c -> b (h w) c", case_id="rearrange_merge")

# istft of arbitrary spectra (frames, bins): torch.istft's path and the overlap-add path.
add("istft", [f(2, 5, 5), f(2, 5, 5)], 8, 4, 8)
add("istft", [f(5, 5), f(5, 5)], 6, 3, 8, window="hamming", center=False, case_id="istft_hamming")
add("istft", [f(5, 3), f(5, 3)], 4, 2, 4, length=9, window=None, case_id="istft_rectangular")
add("ctc_decode", f(2, 6, 4), const(np.array([6, 4])))
add(
    "ctc_decode",
    f(2, 6, 4),
    const(np.array([6, 4])),
    merge_repeated=False,
    mask_index=3,
    case_id="ctc_decode_greedy_no_merge",
)
add(
    "ctc_decode",
    f(2, 5, 4),
    const(np.array([5, 3])),
    strategy="beam_search",
    beam_width=4,
    top_paths=2,
    grad=False,
    case_id="ctc_decode_beam",
)
add(
    "ctc_decode",
    f(1, 6, 3),
    const(np.array([6])),
    strategy="beam_search",
    beam_width=8,
    top_paths=3,
    mask_index=2,
    grad=False,
    case_id="ctc_decode_beam_blank_last",
)
add("absolute", f(2, 3))
add("conjugate", f(3))
add("dsplit", f(2, 2, 4), 2)
add("nextafter", f(3), f(3), grad=False)
add("nanpercentile", const(_WITH_NAN), 50.0, axis=1, grad=False)
add("lu_factor", const(_SPD), grad=False)
add("eig", const(_SPD), grad=False)
add("view_as_complex", f(3, 2), grad=False)
add("convert_to_numpy", f(2, 3), grad=False)
