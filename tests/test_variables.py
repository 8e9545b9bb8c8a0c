"""`torchkeras.variables.Variable`: Keras' `keras.Variable` on a torch tensor."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from torchkeras import config
from torchkeras.variables import Variable, VariableSlice


def test_value_shape_dtype_name_and_path():
    v = Variable(np.ones((3, 1), "float32"), name="v")
    assert isinstance(v.value, torch.Tensor)
    assert v.shape == (3, 1) and v.ndim == 2
    assert v.dtype == "float32" and v.name == "v" and v.path == "v" and v.trainable


@pytest.mark.parametrize(
    "initial, expected",
    [
        (1.5, "float32"),
        ([1.0, 2.0], "float32"),
        (3, "int32"),
        (True, "bool"),
        (np.ones(2), "float64"),  # NumPy arrays keep their dtype, as in Keras
        (np.ones(2, "int64"), "int64"),
        (torch.ones(2, dtype=torch.float16), "float16"),
    ],
)
def test_dtype_inference(initial, expected):
    assert Variable(initial, trainable=False).dtype == expected


def test_initializers_and_explicit_dtype():
    assert Variable("zeros", shape=(2, 3)).numpy().tolist() == [[0.0] * 3] * 2
    assert Variable("ones", shape=(2,), dtype="int32").dtype == "int32"
    v = Variable(lambda shape, dtype=None: np.full(shape, 7.0), shape=(2,), dtype="float64")
    assert v.dtype == "float64" and v.numpy().tolist() == [7.0, 7.0]
    assert Variable(1.0, dtype="float64").dtype == "float64"


def test_default_names_are_unique():
    assert Variable(1.0).name == "variable"
    assert Variable(1.0).name == "variable_1"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"initializer": None}, "initializer"),
        ({"initializer": "zeros"}, "shape"),
        ({"initializer": "glorot_uniform", "shape": (2,)}, "initializers.get"),
        ({"initializer": 1.0, "name": "a/b"}, "cannot contain"),
        ({"initializer": 1.0, "aggregation": "max"}, "aggregation"),
        ({"initializer": 1.0, "synchronization": "x"}, "synchronization"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Variable(**kwargs)


def test_assign_family_is_in_place_and_returns_self():
    v = Variable(np.zeros((3, 1), "float32"))
    tensor = v.value
    assert v.assign(np.ones((3, 1))) is v
    assert v.assign_add(torch.ones(3, 1)) is v
    assert v.assign_sub(0.5) is v
    assert v.value is tensor  # same storage: optimizers and views still see it
    np.testing.assert_array_equal(v.numpy(), np.full((3, 1), 1.5, "float32"))


def test_assign_checks_shape_like_keras():
    v = Variable(np.zeros(3, "float32"))
    with pytest.raises(ValueError, match="must match"):
        v.assign(np.ones(2))
    with pytest.raises(ValueError, match="must match"):
        v.assign(0.0)


def test_assign_casts_to_the_variable_dtype():
    v = Variable(0, dtype="int32", trainable=False)
    v.assign_add(torch.tensor(2.7))  # Keras casts the value first: 2
    v.assign_add(3)
    assert v.dtype == "int32" and int(v) == 5
    f = Variable(np.zeros(2, "float32"))
    f.assign(torch.ones(2, dtype=torch.float64))
    assert f.dtype == "float32"


def test_slice_assign_writes_into_the_variable():
    v = Variable(np.ones((3, 1), "float32"))
    v[0, 0].assign(3.0)  # the seed tutorial's call
    assert v.numpy()[:, 0].tolist() == [3.0, 1.0, 1.0]
    m = Variable(np.arange(6.0).reshape(2, 3))
    m[1][2].assign(-1.0)
    m[:, [0, 2]].assign_add(10.0)
    m[0].assign_sub(np.ones(3))
    assert m.numpy().tolist() == [[9.0, 0.0, 11.0], [13.0, 4.0, 9.0]]
    assert isinstance(m[0], VariableSlice) and m[0].shape == (3,)
    assert float(torch.sum(m[1]).detach()) == 26.0


def test_torch_functions_accept_variables():
    v = Variable(np.array([[1.0], [4.0]], "float32"))
    x = torch.ones(3, 2)
    np.testing.assert_allclose(torch.sqrt(v).detach().numpy(), [[1.0], [2.0]])
    np.testing.assert_allclose(torch.matmul(x, v).detach().numpy(), [[5.0]] * 3)
    np.testing.assert_allclose((x @ v).detach().numpy(), [[5.0]] * 3)
    np.testing.assert_allclose(F.relu(-v).detach().numpy(), [[0.0], [0.0]])
    assert torch.cat([v, v]).shape == (4, 1)


def test_operators_return_tensors():
    v = Variable(np.array([1.0, 2.0], "float32"))
    for result in (v + 1, 1 + v, v - v, 2 - v, v * v, v / 2, 2 / v, v**2, -v, abs(v), v @ v):
        assert isinstance(result, torch.Tensor)
    assert (v == 2.0).tolist() == [False, True]
    assert (v > 1.0).tolist() == [False, True]
    assert float(v[1]) == 2.0 and int(Variable(3, trainable=False)) == 3
    with pytest.raises(TypeError, match="boolean"):
        bool(v)


def test_numpy_and_array_protocol():
    v = Variable(np.array([1.0, 2.0], "float32"))
    assert isinstance(v.numpy(), np.ndarray)
    assert np.asarray(v).dtype == np.float32
    assert np.asarray(v, dtype="float64").dtype == np.float64
    assert Variable(torch.ones(2, dtype=torch.bfloat16)).numpy().dtype == np.float32


def test_repr_matches_keras():
    v = Variable(np.array([[1.0], [2.0], [3.0]], "float32"), name="v")
    assert repr(v) == "<Variable path=v, shape=(3, 1), dtype=float32, value=[[1.]\n [2.]\n [3.]]>"
    assert str(Variable(2.5, name="s")) == "<Variable path=s, shape=(), dtype=float32, value=2.5>"


def test_trainable_controls_gradients():
    v = Variable(np.ones(2, "float32"))
    assert isinstance(v.value, torch.nn.Parameter) and v.value.requires_grad
    (v * 3).sum().backward()
    assert v.value.grad.tolist() == [3.0, 3.0]
    v.trainable = False
    assert not v.value.requires_grad
    assert not Variable(1, trainable=True).value.requires_grad  # ints never need gradients


def test_to_moves_in_place_and_casts_to_a_copy():
    v = Variable(np.ones(2, "float32"))
    assert v.to("cpu") is v and v.value.device.type == "cpu"
    cast = v.to(torch.float64)
    assert isinstance(cast, torch.Tensor) and cast.dtype == torch.float64 and v.dtype == "float32"


@pytest.mark.cuda
def test_to_cuda():
    v = Variable(np.ones(2, "float32"))
    assert v.to("cuda") is v and v.value.is_cuda
    v.assign_add(np.ones(2))
    assert v.numpy().tolist() == [2.0, 2.0]


def test_floatx_is_respected():
    config.set_floatx("float64")
    try:
        assert Variable(1.0).dtype == "float64"
        assert Variable("zeros", shape=(1,)).dtype == "float64"
    finally:
        config.set_floatx("float32")
