"""Behaviours of torchkeras.ops the Keras case table cannot hold: NumPy semantics where Keras'
torch backend is wrong, control flow, scatter, dtypes tables and nested scans."""

import numpy as np
import pytest
import torch

from torchkeras import ops
from torchkeras.ops import dtypes


@pytest.mark.parametrize("mode", ["constant", "reflect", "symmetric", "edge", "wrap"])
@pytest.mark.parametrize("width", [1, 2, ((1, 2), (0, 3))])
def test_pad_is_numpy_pad(mode, width):
    # Keras 3.15.1 on torch pads only the last axis for an int width, repeats the edge for
    # "symmetric" widths > 1 and refuses "edge": NumPy is the reference here.
    x = np.arange(12, dtype="float32").reshape(3, 4)
    np.testing.assert_array_equal(ops.pad(x, width, mode=mode).numpy(), np.pad(x, width, mode))


def test_pad_constant_values_only_for_constant_mode():
    with pytest.raises(ValueError, match="constant_values"):
        ops.pad(np.ones(3), 1, mode="reflect", constant_values=1.0)


def test_sparsemax_is_the_simplex_projection():
    # Keras' torch sparsemax is wrong when two or more logits are in the support.
    x = np.array([[0.3, 0.2, 0.1], [1.0, 0.9, -1.0]], "float32")
    out = ops.sparsemax(x).numpy()
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(
        out, [[0.4333333, 0.3333333, 0.2333333], [0.55, 0.45, 0.0]], rtol=1e-5
    )


def test_argpartition_partitions():
    x = np.array([[5, 1, 4, 2, 3], [0, 9, 8, 7, 6]], "int32")
    kth = 2
    index = ops.argpartition(x, kth).numpy()
    assert index.dtype == np.int32
    parted = np.take_along_axis(x, index, axis=-1)
    np.testing.assert_array_equal(parted[:, kth], np.sort(x, axis=-1)[:, kth])
    assert (parted[:, :kth] <= parted[:, kth : kth + 1]).all()
    assert (parted[:, kth + 1 :] >= parted[:, kth : kth + 1]).all()


def test_imag_of_reals_is_zero():
    # Keras' torch backend raises for real inputs; NumPy gives zeros.
    np.testing.assert_array_equal(ops.imag(np.ones(3, "float32")).numpy(), np.zeros(3))


def test_max_keepdims_without_axis_keeps_every_axis():
    assert tuple(ops.max(np.ones((2, 3)), keepdims=True).shape) == (1, 1)
    assert tuple(ops.sum(np.ones((2, 3)), keepdims=True).shape) == (1, 1)


def test_result_type_examples():
    assert dtypes.result_type("int32", float) == "float32"
    assert dtypes.result_type("int8", int) == "int8"
    assert dtypes.result_type("uint8", "int8") == "int16"
    assert dtypes.result_type("bfloat16", "float16") == "float32"
    assert dtypes.result_type("int64", "int64") == "int32"  # Keras 3.15 narrows 64-bit results
    assert dtypes.result_type() == "float32"


def test_control_flow():
    assert ops.cond(True, lambda: 1, lambda: 2) == 1
    assert ops.switch(5, [lambda x: x + 1, lambda x: x * 10], 3) == 30  # index clipped
    assert ops.fori_loop(0, 4, lambda i, v: v + i, 0) == 6
    out = ops.while_loop(lambda a, b: a < 5, lambda a, b: (a + 1, b * 2), (0, 1))
    assert [int(v) for v in out] == [5, 32]
    assert int(ops.while_loop(lambda a: a < 100, lambda a: a + 1, 0, maximum_iterations=3)) == 3
    squares = ops.map(lambda row: row * row, np.arange(6).reshape(3, 2))
    np.testing.assert_array_equal(squares.numpy(), np.arange(6).reshape(3, 2) ** 2)
    sums = ops.vectorized_map(lambda row: row.sum(), torch.arange(6.0).reshape(3, 2))
    np.testing.assert_array_equal(sums.numpy(), [1.0, 5.0, 9.0])


def test_scan_matches_cumsum_and_handles_nests():
    carry, ys = ops.scan(lambda c, x: (c + x, c + x), 0.0, np.arange(1.0, 5.0, dtype="float32"))
    assert float(carry) == 10.0
    np.testing.assert_array_equal(ys.numpy(), [1.0, 3.0, 6.0, 10.0])
    carry, ys = ops.scan(
        lambda c, x: ((c[0] + x["a"], c[1]), None), (0.0, 1.0), {"a": np.ones(3, "float32")}
    )
    assert float(carry[0]) == 3.0 and ys is None
    _, reverse = ops.scan(lambda c, x: (c + x, c + x), 0.0, np.arange(1.0, 4.0), reverse=True)
    np.testing.assert_array_equal(reverse.numpy(), [6.0, 5.0, 3.0])


def test_associative_scan_is_a_prefix_sum():
    x = np.arange(1.0, 6.0, dtype="float32")
    np.testing.assert_array_equal(ops.associative_scan(torch.add, x).numpy(), np.cumsum(x))
    np.testing.assert_array_equal(
        ops.associative_scan(torch.add, x, reverse=True).numpy(), np.cumsum(x[::-1])[::-1]
    )


def test_custom_gradient_replaces_autograd():
    @ops.custom_gradient
    def clipped_identity(x):
        return x * 1.0, lambda upstream: torch.clamp(upstream, -0.5, 0.5)

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (grad,) = torch.autograd.grad((clipped_identity(x) * torch.tensor([3.0, -0.1])).sum(), x)
    np.testing.assert_allclose(grad.numpy(), [0.5, -0.1])


def test_jvp_is_the_directional_derivative():
    out, tangent = ops.jvp(
        lambda x: x**2, (np.array([3.0], "float32"),), (np.array([1.0], "float32"),)
    )
    assert float(out) == 9.0 and float(tangent) == 6.0


def test_scatter_accumulates_duplicates():
    out = ops.scatter(np.array([[0], [0], [2]]), np.array([1.0, 2.0, 5.0], "float32"), (3,))
    np.testing.assert_array_equal(out.numpy(), [3.0, 0.0, 5.0])
    updated = ops.scatter_update(
        np.zeros((2, 2), "float32"), np.array([[1, 1]]), np.array([4.0], "float32"), reduction="max"
    )
    np.testing.assert_array_equal(updated.numpy(), [[0.0, 0.0], [0.0, 4.0]])


def test_saturate_cast_clips_instead_of_wrapping():
    out = ops.saturate_cast(np.array([-5, 300], "int32"), "uint8")
    np.testing.assert_array_equal(out.numpy(), [0, 255])


def test_unique_size_pads_and_truncates():
    values, counts = ops.unique(np.array([3, 1, 3]), return_counts=True, size=4, fill_value=-1)
    np.testing.assert_array_equal(values.numpy(), [1, 3, -1, -1])
    np.testing.assert_array_equal(counts.numpy(), [1, 2, 0, 0])


def test_nonzero_rows_index_like_numpy():
    x = np.array([[0, 2], [3, 0]])
    np.testing.assert_array_equal(torch.as_tensor(x)[tuple(ops.nonzero(x))].numpy(), [2, 3])


def test_linspace_retstep_and_windows():
    values, step = ops.linspace(0.0, 1.0, 5, retstep=True)
    assert step == 0.25 and values.dtype == torch.float32
    np.testing.assert_allclose(ops.hanning(5).numpy(), np.hanning(5), atol=1e-7)


def test_multi_hot_marks_each_label():
    out = ops.multi_hot(np.array([[0, 2, 2], [1, 1, 3]]), num_classes=4)
    np.testing.assert_array_equal(out.numpy(), [[1, 0, 1, 0], [0, 1, 0, 1]])
