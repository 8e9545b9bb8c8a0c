"""ScheduleFreeAdamW against real Keras 3.15.1 on its JAX backend (`schedule_free.npz`).

Keras 3.15.1's torch and TensorFlow backends read the `z` slot after updating it in place, so
their `x_old` comes from the new `z`; its JAX backend (immutable arrays) follows the published
algorithm, as torchkeras does (`compat/make_schedule_free_references.py`). Each case of
`SCHEDULE_FREE_CASES` in `tests/optimizers/optimizer_cases.py` applies the six seeded gradient
steps of the other optimizer cases; compared are the final variables, `optimizer.variables` and,
with EMA, the finalized variables. Tolerance as `test_optimizers.py`: rtol 1e-6, atol 1e-7, the
state's absolute floor a few float32 ulps of its largest entry (XLA and torch round the
velocity's `(g^2 - v) * (1 - beta_2)` differently: ~1e-5 relative on entries of ~1e-4).
"""

import numpy as np
import pytest
import torch

from compat.conformance import check
from compat.tables import optimizer_cases
from torchkeras import optimizers

# The "missing_grads" case leaves a variable without a gradient on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:Gradients do not exist")
RTOL, ATOL = 1e-6, 1e-7
CASES = sorted(optimizer_cases.SCHEDULE_FREE_CASES)


def _ours(name):
    def parameter(value):
        return torch.nn.Parameter(torch.tensor(value))

    def numpy(value):
        return value.detach().cpu().numpy().copy()

    record = optimizer_cases.run_case(optimizers, name, parameter, torch.from_numpy, numpy)
    return {kind: optimizer_cases.flat(arrays) for kind, arrays in record.items()}


@pytest.mark.parametrize("name", CASES)
def test_schedule_free_adamw(name, references):
    refs = references("schedule_free")
    ours = _ours(name)
    kinds = sorted(key.rsplit("/", 1)[1] for key in refs if key.startswith(name + "/"))
    case = name.split("/", 1)[1]
    assert sorted(ours) == kinds, f"ScheduleFreeAdamW [{case}]: {sorted(ours)}, Keras {kinds}"
    for kind in kinds:
        want = refs[f"{name}/{kind}"]
        atol = ATOL
        if kind == "state" and want.size:
            atol = max(ATOL, 4 * np.finfo(np.float32).eps * float(np.abs(want).max()))
        check("optimizers.ScheduleFreeAdamW", case, kind, ours[kind], want, rtol=RTOL, atol=atol)


def test_reference_was_written_by_keras_3_15_1_on_jax(references):
    refs = references("schedule_free")
    assert str(refs["keras_version"]) == "3.15.1"
    assert str(refs["keras_backend"]) == "jax"
