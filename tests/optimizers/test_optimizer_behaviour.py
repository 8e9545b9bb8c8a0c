"""Optimizer behaviour beyond the reference numbers: no host syncs, weight-decay exclusion, EMA,
saving and loading state, argument checks, ScheduleFreeAdamW's formula and custom subclasses."""

import numpy as np
import pytest
import torch

from torchkeras import optimizers
from torchkeras.optimizers import schedules

HOST_READS = ("item", "tolist", "numpy", "__float__", "__int__", "__bool__", "__index__")

NO_SYNC_CASES = {
    "Adam": {},
    "Adam/schedule": {
        "learning_rate": schedules.CosineDecay(0.0, 10, warmup_target=0.1, warmup_steps=3)
    },
    "Adam/amsgrad_clipnorm": {"amsgrad": True, "clipnorm": 0.5},
    "AdamW/global_clipnorm": {"global_clipnorm": 0.5},
    "SGD/nesterov_clipvalue": {"momentum": 0.9, "nesterov": True, "clipvalue": 0.1},
    "RMSprop/centered": {"centered": True, "momentum": 0.5},
    "Adagrad": {},
    "Adadelta": {},
    "Adamax": {},
    "Nadam/accumulate": {"gradient_accumulation_steps": 2},
    "Lion/ema": {"use_ema": True, "ema_overwrite_frequency": 2},
    "Ftrl": {"l1_regularization_strength": 0.01},
    "Lamb/loss_scale": {"loss_scale_factor": 4.0},
    "Adafactor": {},
    "Muon": {},
    "ScheduleFreeAdamW": {"warmup_steps": 2},
    "SGD/piecewise": {
        "learning_rate": schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.05, 0.01])
    },
    "SGD/restarts": {"learning_rate": schedules.CosineDecayRestarts(0.1, 2)},
    "SGD/polynomial": {"learning_rate": schedules.PolynomialDecay(0.1, 3, cycle=True)},
    "SGD/inverse_time": {"learning_rate": schedules.InverseTimeDecay(0.1, 2, 0.5, staircase=True)},
    "SGD/exponential": {"learning_rate": schedules.ExponentialDecay(0.1, 2, 0.5)},
}


def _params():
    generator = torch.Generator().manual_seed(0)
    return [
        torch.nn.Parameter(torch.randn(6, 5, generator=generator)),
        torch.nn.Parameter(torch.randn(5, generator=generator)),
    ]


def _grads(params, seed):
    generator = torch.Generator().manual_seed(seed)
    return [torch.randn(p.shape, generator=generator) for p in params]


@pytest.mark.parametrize("name", sorted(NO_SYNC_CASES))
def test_apply_never_reads_a_tensor_on_the_host(name, monkeypatch):
    optimizer = getattr(optimizers, name.split("/")[0])(**NO_SYNC_CASES[name])
    params = _params()
    optimizer.apply(_grads(params, 1), params)  # the first call builds; later ones must not read

    def refuse(*args, **kwargs):
        raise RuntimeError("host read of a tensor during optimizer.apply")

    with monkeypatch.context() as patch:
        for attribute in HOST_READS:
            patch.setattr(torch.Tensor, attribute, refuse)
        for seed in range(2, 6):
            optimizer.apply(_grads(params, seed), params)
    assert int(optimizer._iterations) == 5
    assert all(torch.isfinite(p).all() for p in params)


def test_state_lives_on_the_variables_dtype_and_device():
    params = [torch.nn.Parameter(torch.ones(3, dtype=torch.float64))]
    optimizer = optimizers.Adam(amsgrad=True)
    optimizer.apply([torch.ones(3, dtype=torch.float64)], params)
    slots = optimizer.variables[2:]
    assert len(slots) == 3 and all(s.dtype == torch.float64 for s in slots)
    assert all(not s.requires_grad for s in optimizer.variables)


def test_subsets_and_orders_of_the_built_variables():
    params = _params()
    reference = [p.detach().clone().requires_grad_() for p in params]
    ours, theirs = optimizers.Adam(), optimizers.Adam()
    ours.build(params)
    theirs.build(reference)
    grads = _grads(params, 1)
    ours.apply(grads[::-1], params[::-1])
    theirs.apply(grads, reference)
    for a, b in zip(params, reference):
        torch.testing.assert_close(a, b)
    with pytest.raises(ValueError, match="Unknown variable"):
        ours.apply([torch.ones(2)], [torch.nn.Parameter(torch.ones(2))])


def test_missing_gradients_are_skipped_with_a_warning():
    params = _params()
    before = params[1].detach().clone()
    optimizer = optimizers.SGD(momentum=0.9)
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        optimizer.apply([torch.ones(6, 5), None], params)
    torch.testing.assert_close(params[1].detach(), before)
    with pytest.raises(ValueError, match="No gradients provided"):
        optimizer.apply([None, None], params)


# ---- weight decay ----------------------------------------------------------------------------
def _decayed_after_one_step(optimizer, params):
    with torch.no_grad():
        optimizer.apply([torch.zeros_like(p) for p in params], params)
    return [p.detach().clone() for p in params]


def test_weight_decay_is_decoupled_and_applied_before_the_update():
    params = [torch.nn.Parameter(torch.full((2,), 2.0))]
    optimizer = optimizers.SGD(learning_rate=0.1, weight_decay=0.5)
    optimizer.apply([torch.ones(2)], params)
    # w = 2 * (1 - 0.5 * 0.1) - 0.1 * 1
    torch.testing.assert_close(params[0].detach(), torch.full((2,), 1.8))


def test_exclude_from_weight_decay_by_variable_and_by_name():
    params = _params()
    params[0].path = "dense/kernel"
    params[1].path = "dense/bias"
    start = [p.detach().clone() for p in params]
    optimizer = optimizers.AdamW(learning_rate=0.1, weight_decay=0.5)
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    kernel, bias = _decayed_after_one_step(optimizer, params)
    torch.testing.assert_close(kernel, start[0] * (1 - 0.05))
    torch.testing.assert_close(bias, start[1])

    params = _params()
    optimizer = optimizers.AdamW(learning_rate=0.1, weight_decay=0.5)
    optimizer.exclude_from_weight_decay(var_list=[params[0]])
    kernel, bias = _decayed_after_one_step(optimizer, params)
    torch.testing.assert_close(kernel, start[0])
    torch.testing.assert_close(bias, start[1] * (1 - 0.05))


# ---- EMA -------------------------------------------------------------------------------------
def test_finalize_variable_values_swaps_in_the_average():
    params = [torch.nn.Parameter(torch.zeros(2))]
    optimizer = optimizers.SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.5)
    for _ in range(3):
        optimizer.apply([-torch.ones(2)], params)  # w: 1, 2, 3; average: 1, 1.5, 2.25
    torch.testing.assert_close(params[0].detach(), torch.full((2,), 3.0))
    optimizer.finalize_variable_values(params)
    torch.testing.assert_close(params[0].detach(), torch.full((2,), 2.25))


# ---- saving ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{}, {"gradient_accumulation_steps": 3}, {"use_ema": True}])
def test_saved_state_resumes_exactly(kwargs):
    params = _params()
    optimizer = optimizers.Nadam(**kwargs)
    for seed in range(4):
        optimizer.apply(_grads(params, seed), params)
    store = {}
    optimizer.save_own_variables(store)
    assert sorted(store, key=int) == [str(i) for i in range(len(optimizer.variables))]
    copies = [p.detach().clone().requires_grad_() for p in params]
    restored = optimizers.Nadam(**kwargs)
    restored.build(copies)
    restored.load_own_variables(store)
    for seed in range(4, 9):
        optimizer.apply(_grads(params, seed), params)
        restored.apply(_grads(copies, seed), copies)
    for a, b in zip(params, copies):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_set_weights_checks_shapes_and_build():
    optimizer = optimizers.Adam()
    with pytest.raises(ValueError, match="not yet been built"):
        optimizer.set_weights([])
    optimizer.build(_params())
    weights = [np.asarray(v) for v in optimizer.variables]
    weights[2] = np.zeros((1, 1), np.float32)
    with pytest.raises(ValueError, match="not compatible"):
        optimizer.set_weights(weights)


def test_load_with_a_different_variable_count_warns_and_skips():
    optimizer = optimizers.Adam()
    optimizer.build(_params())
    with pytest.warns(UserWarning, match="Skipping variable loading"):
        optimizer.load_own_variables({"0": np.array(3)})
    assert int(optimizer.iterations) == 0


# ---- argument checks ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: optimizers.Adam(clipnorm=1.0, clipvalue=1.0), "Only one of"),
        (lambda: optimizers.Adam(gradient_accumulation_steps=1), ">= 2"),
        (lambda: optimizers.Adam(use_ema=True, ema_momentum=1.5), "ema_momentum"),
        (lambda: optimizers.Adam(use_ema=True, ema_overwrite_frequency=0.5), "overwrite"),
        (lambda: optimizers.Adam(betas=(0.9, 0.99)), "not recognized"),
        (lambda: optimizers.AdamW(weight_decay=None), "weight_decay"),
        (lambda: optimizers.SGD(momentum=1.5), "momentum"),
        (lambda: optimizers.Lion(beta_1=0.0), "beta_1"),
        (lambda: optimizers.Ftrl(learning_rate_power=0.5), "learning_rate_power"),
        (lambda: optimizers.Ftrl(l1_regularization_strength=-1.0), "l1_regularization"),
        (lambda: schedules.ExponentialDecay(0.1, 0, 0.5), "decay_steps"),
        (lambda: schedules.PiecewiseConstantDecay([1, 2], [0.1]), "boundaries"),
    ],
)
def test_bad_arguments_raise_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_decay_argument_is_ignored_with_a_warning():
    with pytest.warns(UserWarning, match="no longer supported"):
        optimizers.SGD(decay=0.1)


# ---- ScheduleFreeAdamW -------------------------------------------------------------------------
def _schedule_free_numpy(weights, grads, lr=0.0025, b1=0.9, b2=0.999, eps=1e-8, warmup=0):
    """The published schedule-free AdamW, in float64, with `x` taken from `z` before the step."""
    y = [w.astype(np.float64) for w in weights]
    z = [w.copy() for w in y]
    v = [np.zeros_like(w) for w in y]
    for t, step in enumerate(grads, start=1):
        rate = lr * min(t / warmup, 1.0) if warmup else lr
        for i, g in enumerate(step):
            x = (y[i] - (1 - b1) * z[i]) / b1
            v[i] = b2 * v[i] + (1 - b2) * g * g
            z[i] = z[i] - rate * g / (np.sqrt(v[i] / (1 - b2**t)) + eps)
            x = (1 - 1 / t) * x + z[i] / t
            y[i] = (1 - b1) * z[i] + b1 * x
    return y


@pytest.mark.parametrize("warmup", [0, 3])
def test_schedule_free_adamw_follows_the_published_algorithm(warmup):
    params = _params()
    start = [p.detach().numpy().copy() for p in params]
    steps = [_grads(params, seed) for seed in range(6)]
    optimizer = optimizers.ScheduleFreeAdamW(warmup_steps=warmup)
    for grads in steps:
        optimizer.apply(grads, params)
    expected = _schedule_free_numpy(start, [[g.numpy() for g in s] for s in steps], warmup=warmup)
    for param, want in zip(params, expected):
        np.testing.assert_allclose(param.detach().numpy(), want, rtol=1e-5, atol=1e-7)


# ---- custom optimizers with Keras' per-variable protocol ---------------------------------------
class _MomentumDescent(optimizers.Optimizer):
    """A Keras-style custom optimizer: `build` + per-variable `update_step`."""

    def __init__(self, learning_rate=0.01, momentum=0.9, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum = momentum

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.momentums = [self.add_variable_from_reference(v, "momentum") for v in variables]

    def update_step(self, gradient, variable, learning_rate):
        m = self.momentums[self._get_variable_index(variable)]
        self.assign(m, m * self.momentum - gradient * learning_rate)
        self.assign_add(variable, m)


def test_custom_per_variable_update_step_matches_builtin():
    params = _params()
    copies = [p.detach().clone().requires_grad_() for p in params]
    custom = _MomentumDescent(clipnorm=1.0)
    builtin = optimizers.SGD(momentum=0.9, clipnorm=1.0)
    for seed in range(4):
        custom.apply(_grads(params, seed), params)
        builtin.apply(_grads(copies, seed), copies)
    for a, b in zip(params, copies):
        torch.testing.assert_close(a, b)
    assert len(custom.variables) == 2 + len(params)


def test_optimizer_without_update_rule_raises_type_error():
    optimizer = optimizers.Optimizer(learning_rate=0.1)
    with pytest.raises(TypeError, match="update_step"):
        optimizer.apply([torch.ones(2)], [torch.nn.Parameter(torch.ones(2))])


def test_scale_loss():
    assert optimizers.Adam(loss_scale_factor=4.0).scale_loss(2.0) == 8.0
    assert optimizers.Adam().scale_loss(2.0) == 2.0


# ---- torch.compile -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, kwargs, graphs",
    [
        ("Adam", {}, 1),
        ("AdamW", {"global_clipnorm": 1.0}, 1),
        ("SGD", {"learning_rate": schedules.CosineDecay(0.1, 10), "momentum": 0.9}, 1),
        ("Adam", {"gradient_accumulation_steps": 2}, 2),  # one graph per accumulation phase
    ],
)
def test_apply_compiles_to_one_graph_that_sees_learning_rate_changes(name, kwargs, graphs):
    testing = pytest.importorskip("torch._dynamo.testing")
    torch._dynamo.reset()
    params, copies = _params(), _params()
    compiled_optimizer = getattr(optimizers, name)(**kwargs)
    eager_optimizer = getattr(optimizers, name)(**kwargs)
    compiled_optimizer.build(params)
    counter = testing.CompileCounter()
    step = torch.compile(
        lambda g: compiled_optimizer.apply(g, params), backend=counter, fullgraph=True
    )
    for seed in range(6):
        if seed == 3 and "learning_rate" not in kwargs:
            compiled_optimizer.learning_rate = eager_optimizer.learning_rate = 0.05
        step(_grads(params, seed))
        eager_optimizer.apply(_grads(copies, seed), copies)
    assert counter.frame_count == graphs
    for a, b in zip(params, copies):
        torch.testing.assert_close(a, b)


# ---- CUDA --------------------------------------------------------------------------------------
@pytest.mark.cuda
@pytest.mark.parametrize("name", ["Adam", "Adam/schedule", "Nadam/accumulate", "Lion/ema"])
def test_cuda_apply_does_not_synchronize(name):
    optimizer = getattr(optimizers, name.split("/")[0])(**NO_SYNC_CASES[name])
    params = [torch.nn.Parameter(p.detach().cuda()) for p in _params()]
    optimizer.apply(_grads(params, 1), params)
    assert optimizer.iterations.device.type == "cuda"
    assert all(v.device.type == "cuda" for v in optimizer.variables)
    grads = [[g.cuda() for g in _grads(params, seed)] for seed in range(2, 6)]
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for step in grads:
            optimizer.apply(step, params)
    finally:
        torch.cuda.set_sync_debug_mode("default")
    assert int(optimizer._iterations) == 5
