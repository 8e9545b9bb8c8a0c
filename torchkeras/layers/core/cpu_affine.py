"""`inputs @ kernel + bias` for Dense, through oneDNN on AMD CPUs.

torch runs CPU matmuls on Intel MKL, which takes a slower code path on AMD processors: on the
benchmark machine (AMD EPYC) its float32 GEMMs reach about half the speed of oneDNN, which torch
also ships (benchmarks/RESULTS.md). There, large float32 products go through oneDNN's inner
product, forward and backward. Everything else keeps torch's `addmm`: other vendors, small
products, autocast, `torch.compile`, tracing, functorch transforms and tensor subclasses.
`TORCHKERAS_CPU_MATMUL=onednn` or `=blas` overrides the vendor check.
"""

import os
import platform
import warnings

import torch
from torch.utils._python_dispatch import _get_current_dispatch_mode

_MIN_MULTIPLY_ADDS = 1 << 22  # below ~4M multiply-adds oneDNN's per-call cost outweighs its speed
_CHOICES = ("auto", "onednn", "blas")


def affine(inputs, kernel, bias):
    """`inputs @ kernel + bias` over the last axis; `kernel` is `(input_dim, units)`, `bias`
    `(units,)` or None."""
    if _USE_ONEDNN and _onednn_fits(inputs, kernel):
        rows = inputs.reshape(-1, inputs.shape[-1]).contiguous()
        weight = kernel.t()  # (units, input_dim): oneDNN's and nn.Linear's weight order
        if torch.is_grad_enabled():
            outputs = _OneDnnAffine.apply(rows, weight, bias)
        else:
            outputs = _inner_product(rows, weight, bias)
        return outputs.reshape(*inputs.shape[:-1], kernel.shape[1])
    if bias is None:
        return inputs @ kernel
    if inputs.ndim == 2:
        return torch.addmm(bias, inputs, kernel)  # one fused kernel
    return inputs @ kernel + bias


def uses_onednn(inputs, kernel):
    """Whether `affine(inputs, kernel, ...)` runs on oneDNN (for layers with another fallback)."""
    return _USE_ONEDNN and _onednn_fits(inputs, kernel)


def _onednn_fits(inputs, kernel):
    """Whether this product can and should run on oneDNN (checked per call: modes change)."""
    return (
        not torch.compiler.is_compiling()  # first, so Dynamo folds the rest away
        and not torch._C._get_tracing_state()  # before the size test: traced sizes are tensors
        and inputs.numel() * kernel.shape[1] >= _MIN_MULTIPLY_ADDS  # early: most calls stop here
        and inputs.dtype == torch.float32
        and kernel.dtype == torch.float32
        and inputs.device.type == "cpu"
        and kernel.device.type == "cpu"
        and torch._C._get_mkldnn_enabled()
        and not torch.is_autocast_enabled("cpu")
        and not torch._C._are_functorch_transforms_active()
        and not torch.overrides.has_torch_function((inputs, kernel))
        and _get_current_dispatch_mode() is None
    )


def _inner_product(rows, weight, bias):
    """`rows @ weight.T + bias` by oneDNN; strided (transposed) operands are read in place."""
    return torch.ops.mkldnn._linear_pointwise(rows, weight, bias, "none", [], "")


class _OneDnnAffine(torch.autograd.Function):
    """The oneDNN product with its gradients also on oneDNN; under `create_graph=True` the
    gradients are torch matmuls, so second derivatives still work."""

    @staticmethod
    def forward(ctx, rows, weight, bias):
        ctx.save_for_backward(rows, weight)
        return _inner_product(rows, weight, bias)

    @staticmethod
    def backward(ctx, grad):
        rows, weight = ctx.saved_tensors
        grad = grad.contiguous()  # e.g. the expanded ones of `outputs.sum().backward()`
        keep_graph = torch.is_grad_enabled()
        grad_rows = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:  # (batch, units) @ (units, input_dim)
            grad_rows = grad @ weight if keep_graph else _inner_product(grad, weight.t(), None)
        if ctx.needs_input_grad[1]:  # (units, batch) @ (batch, input_dim)
            grad_weight = grad.t() @ rows if keep_graph else _inner_product(grad.t(), rows.t(), None)
        if ctx.needs_input_grad[2]:
            grad_bias = grad.sum(0)
        return grad_rows, grad_weight, grad_bias


def _cpu_vendor():
    """The CPU vendor string (`AuthenticAMD`, `GenuineIntel`, ...), or '' when unknown."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("vendor_id"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "AuthenticAMD" if "AuthenticAMD" in platform.processor() else ""


def _use_onednn():
    """The choice made once at import: the environment's, else oneDNN on AMD CPUs."""
    choice = os.environ.get("TORCHKERAS_CPU_MATMUL", "auto").strip().lower() or "auto"
    if choice not in _CHOICES:
        warnings.warn(
            f"TORCHKERAS_CPU_MATMUL={choice!r} is not one of {_CHOICES}; using 'auto'.",
            stacklevel=2,
        )
        choice = "auto"
    if choice == "blas" or not torch.backends.mkldnn.is_available():
        return False
    return choice == "onednn" or _cpu_vendor() == "AuthenticAMD"


_USE_ONEDNN = _use_onednn()
