"""torchkeras.ops takes what Keras' ops take: tensors, NumPy arrays, Python scalars and lists,
Variables; it broadcasts, promotes dtypes like Keras, keeps devices and lets gradients flow."""

import numpy as np
import pytest
import torch
from op_case import run_case
from ops_cases import CASES

import torchkeras
from torchkeras import ops

_NUMPY_SAFE = [case for case in CASES if case.op not in ("convert_to_tensor", "stop_gradient")]


@pytest.mark.parametrize("case", _NUMPY_SAFE, ids=lambda c: c.id)
def test_numpy_inputs_give_the_tensor_results(case):
    """The same op on NumPy arrays (no autograd leaves) equals the run on torch tensors (LAPACK
    routines may pick another kernel when no gradient is needed: rtol 1e-6)."""
    with_tensors = run_case(ops, case)
    as_numpy = run_case(ops, type(case)(case.op, case.args, case.kwargs, case.id, grad=False))
    for key, value in as_numpy.items():
        if value.dtype.kind == "f":
            np.testing.assert_allclose(value, with_tensors[key], rtol=1e-6, err_msg=case.id)
        else:
            np.testing.assert_array_equal(value, with_tensors[key], err_msg=f"{case.id} {key}")


def test_broadcasting_follows_numpy():
    out = ops.add(np.ones((2, 1, 3), "float32"), np.arange(4, dtype="float32").reshape(4, 1))
    assert tuple(out.shape) == (2, 4, 3)
    assert isinstance(out, torch.Tensor)


@pytest.mark.parametrize(
    "x1, x2, expected",
    [
        (np.ones(2, "int32"), 1, torch.int32),
        (np.ones(2, "int32"), 1.5, torch.float32),
        (np.ones(2, "int8"), 3, torch.int8),
        (np.ones(2, "float16"), 2.0, torch.float16),
        (np.ones(2, bool), 1, torch.int32),
        ([1, 2], [1.0, 2.0], torch.float32),
    ],
)
def test_python_scalars_are_weak(x1, x2, expected):
    assert ops.add(x1, x2).dtype == expected


def test_python_values_convert_like_keras():
    assert ops.convert_to_tensor(3).dtype == torch.int32
    assert ops.convert_to_tensor(2**40).dtype == torch.int64
    assert ops.convert_to_tensor(1.0).dtype == torch.float32
    assert ops.convert_to_tensor([1, 2.5]).dtype == torch.float32
    assert ops.convert_to_tensor(np.zeros(2, "float64")).dtype == torch.float64
    assert ops.convert_to_tensor(np.zeros(2, "uint32")).dtype == torch.int64


def test_floatx_is_the_default_float():
    torchkeras.backend.set_floatx("float64")
    try:
        assert ops.convert_to_tensor(1.0).dtype == torch.float64
        assert ops.zeros((2,)).dtype == torch.float64
        assert ops.exp(np.ones(2, "int32")).dtype == torch.float64
    finally:
        torchkeras.backend.set_floatx("float32")


def test_variables_are_inputs_and_get_gradients():
    v = torchkeras.Variable(np.array([[1.0, -2.0], [3.0, 4.0]], "float32"))
    out = ops.sum(ops.square(ops.matmul(v, v)))
    (grad,) = torch.autograd.grad(out, [v.value])
    x = v.value.detach().requires_grad_(True)
    torch.sum(torch.square(x @ x)).backward()
    torch.testing.assert_close(grad, x.grad)
    assert ops.shape(v) == (2, 2)
    assert ops.dtype(v) == "float32"
    assert isinstance(ops.convert_to_tensor(v), torch.Tensor)


@pytest.mark.parametrize(
    "op, args",
    [
        (ops.softmax, (np.ones((2, 3), "float32"),)),
        (ops.conv, (np.ones((1, 5, 5, 2), "float32"), np.ones((3, 3, 2, 4), "float32"))),
        (ops.norm, (np.ones((2, 3), "float32"),)),
        (ops.take, (np.ones((4, 3), "float32"), np.array([0, -1]))),
        (ops.where, (np.array([True, False]), np.ones(2, "float32"), np.zeros(2, "float32"))),
    ],
)
def test_gradients_flow(op, args):
    leaves = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in args]
    out = op(*leaves)
    grads = torch.autograd.grad(out.sum(), [t for t in leaves if t.requires_grad])
    assert all(g is not None and g.shape == t.shape for g, t in zip(grads, leaves))


def test_new_tensors_go_to_the_device_scope():
    with torchkeras.device("cpu"):
        for tensor in (ops.zeros(2), ops.arange(3), ops.eye(2), ops.convert_to_tensor([1, 2])):
            assert tensor.device.type == "cpu"


@pytest.mark.cuda
def test_cuda_inputs_stay_on_cuda():
    x = torch.ones(2, 3, device="cuda")
    assert ops.add(x, np.ones(3, "float32")).device.type == "cuda"
    assert ops.matmul(x, np.ones((3, 2), "float32")).device.type == "cuda"
    assert ops.matmul(x.int(), np.ones((3, 2), "int32")).dtype == torch.int32
    assert ops.where(np.array([True, False, True]), x, 0.0).device.type == "cuda"
    assert ops.conv(x[None, :, :, None], np.ones((2, 2, 1, 1), "float32")).device.type == "cuda"
    assert ops.take(x, np.array([1])).device.type == "cuda"
    with torchkeras.device("cuda"):
        assert ops.ones(2).device.type == "cuda"


def test_errors_name_the_op_and_argument():
    with pytest.raises(ValueError, match="`reshape`.*newshape"):
        ops.reshape(np.ones(6), (4, -1))
    with pytest.raises(ValueError, match="`squeeze`: axis 0"):
        ops.squeeze(np.ones((2, 1)), axis=0)
    with pytest.raises(ValueError, match="`split`.*indices_or_sections=4"):
        ops.split(np.ones(6), 4)
    with pytest.raises(ValueError, match="`conv`.*padding"):
        ops.conv(np.ones((1, 4, 1)), np.ones((2, 1, 1)), padding="full")
    with pytest.raises(ValueError, match="`max_pool`.*pool_size"):
        ops.max_pool(np.ones((1, 4, 4, 1)), (2, 2, 2))
    with pytest.raises(ValueError, match="`scatter_update`.*reduction"):
        ops.scatter_update(np.ones(3), np.array([[0]]), np.ones(1), reduction="avg")
    with pytest.raises(ValueError, match="`top_k`: k"):
        ops.top_k(np.ones(3), 4)
    with pytest.raises(ValueError, match="`categorical_crossentropy`.*shape"):
        ops.categorical_crossentropy(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="Unknown dtype"):
        ops.cast(np.ones(2), "float7")
