"""Dense's oneDNN product (layers/core/cpu_affine.py): the same values and gradients as torch's
`addmm`, taken only where it fits, and the environment override. The oneDNN path is forced on
here, so these tests run on any x86 CPU, not only on AMD ones."""

import warnings

import pytest
import torch

from torchkeras.layers.core import Dense, cpu_affine, einsum_dense
from torchkeras.layers.core.einsum_dense import EinsumDense

pytestmark = pytest.mark.skipif(
    not torch.backends.mkldnn.is_available(), reason="torch was built without oneDNN"
)
BIG = (64, 256, 320)  # rows, input_dim, units: 5.2M multiply-adds, above the threshold


@pytest.fixture
def calls(monkeypatch):
    """Forces the oneDNN path on and counts its inner products."""
    count = [0]
    inner_product = cpu_affine._inner_product

    def counted(*args):
        count[0] += 1
        return inner_product(*args)

    monkeypatch.setattr(cpu_affine, "_USE_ONEDNN", True)
    monkeypatch.setattr(cpu_affine, "_inner_product", counted)
    return count


def _operands(rows, input_dim, units, bias=True, leading=()):
    torch.manual_seed(0)
    inputs = torch.randn(*leading, rows, input_dim, requires_grad=True)
    # Dense's kernel: Keras' (input_dim, units) shape over a (units, input_dim) buffer
    kernel = torch.randn(units, input_dim).t().requires_grad_()
    return inputs, kernel, torch.randn(units, requires_grad=True) if bias else None


def _reference(inputs, kernel, bias):
    outputs = inputs @ kernel
    return outputs if bias is None else outputs + bias


def _gradients(function, operands, upstream):
    outputs = function(*operands)
    wanted = [t for t in operands if t is not None]
    return outputs, torch.autograd.grad(outputs, wanted, upstream)


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize("leading", [(), (3,)], ids=["2d", "3d"])
def test_values_and_gradients_match_addmm(calls, bias, leading):
    operands = _operands(*BIG, bias=bias, leading=leading)
    upstream = torch.randn(*leading, BIG[0], BIG[2])
    found, found_grads = _gradients(cpu_affine.affine, operands, upstream)
    expected, expected_grads = _gradients(_reference, operands, upstream)
    assert calls[0] == 3  # forward, input gradient, kernel gradient
    torch.testing.assert_close(found, expected, rtol=1e-5, atol=1e-4)
    for got, want in zip(found_grads, expected_grads):
        assert got.shape == want.shape
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-4)


def test_kernel_gradient_keeps_the_kernel_memory_order(calls):
    inputs, kernel, bias = _operands(*BIG)
    cpu_affine.affine(inputs, kernel, bias).sum().backward()  # an expanded (stride 0) gradient
    assert kernel.grad.stride() == kernel.stride()  # no copy when the optimizer reads it
    torch.testing.assert_close(kernel.grad, inputs.detach().sum(0)[:, None].expand_as(kernel))


def test_second_derivatives_work(calls):
    inputs, kernel, bias = _operands(*BIG)

    def penalty(function):
        outputs = function(inputs, kernel, bias)
        (grad_inputs,) = torch.autograd.grad(outputs.square().sum(), inputs, create_graph=True)
        return torch.autograd.grad(grad_inputs.square().sum(), kernel)[0]

    found, expected = penalty(cpu_affine.affine), penalty(_reference)
    scale = expected.abs().max()  # sums of ~1e5 terms: compare against the largest entry
    torch.testing.assert_close(found, expected, rtol=1e-4, atol=1e-5 * scale.item())


def test_inference_calls_onednn_without_autograd(calls):
    inputs, kernel, bias = _operands(*BIG)
    with torch.no_grad():
        found = cpu_affine.affine(inputs, kernel, bias)
    assert calls[0] == 1 and found.grad_fn is None
    torch.testing.assert_close(found, _reference(inputs, kernel, bias).detach(), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize(
    "scope",
    [
        lambda: torch.autocast("cpu", dtype=torch.bfloat16),
        lambda: torch.backends.mkldnn.flags(enabled=False),
    ],
    ids=["autocast", "mkldnn_disabled"],
)
def test_falls_back_under_modes_that_need_torch(calls, scope):
    inputs, kernel, bias = _operands(*BIG)
    with scope():
        cpu_affine.affine(inputs, kernel, bias)
    assert calls[0] == 0


def test_falls_back_for_small_products_and_other_dtypes(calls):
    cpu_affine.affine(*_operands(32, 32, 64))  # the tiny MLP's layer: per-call cost dominates
    inputs, kernel, bias = (t.detach().double() for t in _operands(*BIG))
    cpu_affine.affine(inputs, kernel, bias)
    assert calls[0] == 0


def test_falls_back_under_functorch_transforms(calls):
    inputs, kernel, bias = (t.detach() for t in _operands(*BIG))
    jacobian = torch.func.jacrev(lambda k: cpu_affine.affine(inputs[:1], k, bias).sum())(kernel)
    torch.testing.assert_close(jacobian, inputs[0][:, None].expand_as(kernel))
    assert calls[0] == 0


def test_jit_trace_records_torch_ops(calls):
    inputs, kernel, bias = (t.detach() for t in _operands(*BIG))
    traced = torch.jit.trace(lambda x: cpu_affine.affine(x, kernel, bias), (inputs,), check_trace=False)
    assert calls[0] == 0 and "mkldnn" not in str(traced.graph)
    torch.testing.assert_close(traced(inputs), _reference(inputs, kernel, bias), rtol=1e-5, atol=1e-4)


def test_dense_trains_the_same_on_both_paths(calls, monkeypatch):
    torch.manual_seed(0)
    inputs = torch.randn(128, 192)
    layer = Dense(256, activation="relu")
    layer(inputs)
    calls[0] = 0
    results = []
    for use_onednn in (False, True):
        monkeypatch.setattr(cpu_affine, "_USE_ONEDNN", use_onednn)
        layer.zero_grad()
        outputs = layer(inputs)
        outputs.square().mean().backward()
        results.append((outputs.detach(), layer.kernel.grad.clone(), layer.bias.grad.clone()))
    assert calls[0] == 2  # forward and kernel gradient (the input needs none)
    for found, expected in zip(*results):
        torch.testing.assert_close(found, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "value, vendor, expected",
    [
        ("blas", "AuthenticAMD", False),
        ("onednn", "GenuineIntel", True),
        ("", "AuthenticAMD", True),
        ("auto", "GenuineIntel", False),
    ],
)
def test_environment_overrides_the_vendor_choice(monkeypatch, value, vendor, expected):
    monkeypatch.setenv("TORCHKERAS_CPU_MATMUL", value)
    monkeypatch.setattr(cpu_affine, "_cpu_vendor", lambda: vendor)
    assert cpu_affine._use_onednn() is expected


def test_unknown_environment_value_warns_and_uses_auto(monkeypatch):
    monkeypatch.setenv("TORCHKERAS_CPU_MATMUL", "mkl")
    monkeypatch.setattr(cpu_affine, "_cpu_vendor", lambda: "GenuineIntel")
    with pytest.warns(UserWarning, match="TORCHKERAS_CPU_MATMUL='mkl'.*'onednn', 'blas'"):
        assert cpu_affine._use_onednn() is False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        monkeypatch.setenv("TORCHKERAS_CPU_MATMUL", "blas")
        cpu_affine._use_onednn()


@pytest.mark.parametrize(
    "equation, count",
    [("abc,cde->abde", 1), ("abcd,cde->abe", 2), ("...b,bc->...c", 1), ("ab,bcd->acd", 1),
     ("abc,dc->abd", None), ("aecd,abcd->acbe", None)],
)  # fmt: skip
def test_einsum_equations_that_are_matrix_products(equation, count):
    assert einsum_dense._trailing_contraction(equation) == count


@pytest.mark.parametrize(
    "equation, input_shape, output_shape",
    [("abc,cde->abde", (16, 64, 128), (None, 4, 16)),
     ("abcd,cde->abe", (16, 64, 4, 32), (None, 96)), ("...b,bc->...c", (16, 64, 128), (96,))],
)  # fmt: skip
def test_einsum_dense_on_onednn_equals_einsum(calls, equation, input_shape, output_shape):
    torch.manual_seed(0)
    layer = EinsumDense(equation, output_shape=output_shape, bias_axes=None)
    inputs = torch.randn(*input_shape, requires_grad=True)
    layer(inputs)
    calls[0] = 0
    found = layer(inputs)
    found_grads = torch.autograd.grad(found.square().sum(), [inputs, layer.kernel])
    assert calls[0] == 3  # forward, input gradient, kernel gradient
    expected = torch.einsum(equation, inputs, layer.kernel)
    expected_grads = torch.autograd.grad(expected.square().sum(), [inputs, layer.kernel])
    torch.testing.assert_close(found, expected, rtol=1e-5, atol=1e-4)
    for got, want in zip(found_grads, expected_grads):
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-3)
