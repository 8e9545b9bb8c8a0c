"""Optimizers and schedules against real Keras 3.15.1 (`optimizers.npz`).

Each case of `tests/optimizers/optimizer_cases.py` (every optimizer with its own options and every
base option: weight decay, the three clippings, gradient accumulation, a schedule, EMA, loss
scaling, missing gradients) applies six seeded gradient steps; compared are the final variables,
`optimizer.variables` (count, order and values) and, with EMA, the finalized variables. Tolerance
rtol 1e-6, atol 1e-7 (values near zero), except Ftrl: rtol 1e-5, because its weights are
`-(linear - sign(linear) * l1) / (denominator)` where `linear` sums terms far larger than the
result, so a few float32 ulps of rounding in the fused `_foreach` order show as ~2e-5 relative on
weights of ~6e-3 (`Ftrl/clipnorm`, 1.2e-7 absolute). For the same reason the state's absolute
floor is a few float32 ulps of its largest entry. Schedules match within 1e-6 for int, tensor
and float steps.
LossScaleOptimizer runs scripted gradients, finite and non-finite, through each inner optimizer
of `LOSS_SCALE_CASES`; compared after every step are its dynamic scale, step counter and
iterations, then the final weights, state and config (same tolerances).
ScheduleFreeAdamW has no case: Keras 3.15.1's torch backend reads its `z` slot after updating it
in place, unlike its JAX and TensorFlow backends; torchkeras follows the paper and those.
"""

import numpy as np
import pytest
import torch

from compat.conformance import check, check_equal
from compat.tables import optimizer_cases
from torchkeras import optimizers
from torchkeras.optimizers import schedules

# The "missing_grads" cases leave a variable without a gradient on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:Gradients do not exist")
RTOL, ATOL = 1e-6, 1e-7
CLASS_RTOL = {"Ftrl": 1e-5}  # see the module docstring


def _atol(kind, want):
    """ATOL, or for the state a few float32 ulps of its largest entry (module docstring)."""
    if kind == "state" and want.size:
        return max(ATOL, 4 * np.finfo(np.float32).eps * float(np.abs(want).max()))
    return ATOL


def _ours(name):
    def parameter(value):
        return torch.nn.Parameter(torch.tensor(value))

    def numpy(value):
        return value.detach().cpu().numpy().copy()

    record = optimizer_cases.run_case(optimizers, name, parameter, torch.from_numpy, numpy)
    return {kind: optimizer_cases.flat(arrays) for kind, arrays in record.items()}


@pytest.mark.parametrize("name", sorted(optimizer_cases.CASES))
def test_optimizer(name, references):
    refs = references("optimizers")
    ours = _ours(name)
    kinds = sorted(key.rsplit("/", 1)[1] for key in refs if key.startswith(name + "/"))
    public = f"optimizers.{optimizer_cases.CASES[name][0]}"
    case = name.split("/", 1)[1]
    assert sorted(ours) == kinds, f"{public} [{case}]: records {sorted(ours)}, Keras {kinds}"
    for kind in kinds:
        want = refs[f"{name}/{kind}"]
        atol = _atol(kind, want)
        rtol = CLASS_RTOL.get(optimizer_cases.CASES[name][0], RTOL)
        check(public, case, kind, ours[kind], want, rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", sorted(optimizer_cases.LOSS_SCALE_CASES))
def test_loss_scale_optimizer(name, references):
    """The dynamic scale, its step counter and the iterations after every scripted step (finite
    and non-finite gradients), the final weights and state, and the config."""
    refs = references("optimizers")

    def numpy(value):
        return value.detach().cpu().numpy().copy()

    def parameter(value):
        return torch.nn.Parameter(torch.tensor(value))

    record = optimizer_cases.run_loss_scale_case(
        optimizers, name, parameter, torch.from_numpy, numpy
    )
    public, case = "optimizers.LossScaleOptimizer", name.split("/", 1)[1]
    for kind, arrays in sorted(record.items()):
        want = refs[f"{name}/{kind}"]
        got = optimizer_cases.flat(arrays)
        check(public, case, kind, got, want, rtol=RTOL, atol=_atol(kind, want))
    (inner_name, inner_kwargs), kwargs = optimizer_cases.LOSS_SCALE_CASES[name]
    inner = optimizer_cases.build_optimizer(optimizers, inner_name, inner_kwargs)
    config = optimizer_cases.comparable_config(optimizers.LossScaleOptimizer(inner, **kwargs))
    check_equal(public, case, "config", config, str(refs[f"{name}/config"]))


STEP_KINDS = {"int": int, "tensor": torch.tensor, "float": lambda step: torch.tensor(float(step))}


@pytest.mark.parametrize("name", sorted(optimizer_cases.SCHEDULES))
def test_schedule(name, references):
    refs = references("optimizers")
    np.testing.assert_array_equal(refs["schedules/steps"], optimizer_cases.SCHEDULE_STEPS)
    public = f"optimizers.schedules.{optimizer_cases.SCHEDULES[name][0]}"
    for kind, to_step in STEP_KINDS.items():
        got = optimizer_cases.schedule_values(schedules, name, to_step, np.asarray)
        check(public, name, f"values ({kind} steps)", got, refs[f"schedules/{name}"], atol=1e-12)


def test_reference_was_written_by_keras_3_15_1(references, live):
    if not live:
        assert str(references("optimizers")["keras_version"]) == "3.15.1"
