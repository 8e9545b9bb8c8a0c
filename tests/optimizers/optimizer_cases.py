"""Optimizer and schedule cases shared by `compat/make_optimizer_references.py` and the tests.

Every case starts from the same seeded float32 variables, a (3, 4) matrix and a (4,) vector,
and applies `STEPS` seeded gradients with `apply_gradients`. `run_case` works with any module
that has Keras' optimizer API (real `keras.optimizers` or `torchkeras.optimizers`); only the
tensor conversions differ, and the caller passes them.
"""

import json

import numpy as np
import torch

SEED = 1234
STEPS = 6
SHAPES = [(3, 4), (4,)]
MISSING_STEPS = (1, 3)  # steps where the "missing_grads" cases give the vector no gradient

SCHEDULE = {
    "class_name": "ExponentialDecay",
    "config": {"initial_learning_rate": 0.01, "decay_steps": 2, "decay_rate": 0.5},
}

# Options of the base class, tried with every optimizer.
COMMON = {
    "default": {},
    "weight_decay": {"weight_decay": 0.05},
    "clipnorm": {"clipnorm": 0.5},
    "clipvalue": {"clipvalue": 0.2},
    "global_clipnorm": {"global_clipnorm": 0.8},
    "accumulate": {"gradient_accumulation_steps": 2},
    "schedule": {"learning_rate": SCHEDULE},
    "ema": {"use_ema": True},
    "ema_overwrite": {"use_ema": True, "ema_overwrite_frequency": 2},
    "loss_scale": {"loss_scale_factor": 8.0},
    "missing_grads": {},
}

# Each optimizer's own options.
VARIANTS = {
    "SGD": {
        "momentum": {"momentum": 0.9},
        "nesterov": {"momentum": 0.9, "nesterov": True},
        "momentum_decay": {"momentum": 0.5, "weight_decay": 0.5, "learning_rate": 0.1},
    },
    "RMSprop": {
        "centered": {"centered": True},
        "momentum": {"momentum": 0.5},
        "centered_momentum": {"centered": True, "momentum": 0.5, "rho": 0.8},
    },
    "Adam": {
        "amsgrad": {"amsgrad": True},
        "accumulate_ema": {
            "gradient_accumulation_steps": 2,
            "use_ema": True,
            "ema_overwrite_frequency": 2,
        },
        "accumulate_schedule": {"gradient_accumulation_steps": 2, "learning_rate": SCHEDULE},
    },
    "AdamW": {
        "amsgrad": {"amsgrad": True},
        "strong_decay": {"weight_decay": 0.5, "learning_rate": 0.05},
    },
    "Adagrad": {"accumulator": {"initial_accumulator_value": 0.5, "epsilon": 1e-5}},
    "Adadelta": {"rho": {"learning_rate": 1.0, "rho": 0.9}},
    "Adamax": {"betas": {"beta_1": 0.8, "beta_2": 0.99}},
    "Nadam": {
        "betas": {"beta_1": 0.8, "beta_2": 0.99},
        "accumulate_decay": {"gradient_accumulation_steps": 2, "weight_decay": 0.1},
    },
    "Lion": {"betas": {"beta_1": 0.5, "beta_2": 0.9}},
    "Ftrl": {
        "regularized": {
            "learning_rate": 0.1,
            "l1_regularization_strength": 0.01,
            "l2_regularization_strength": 0.02,
            "l2_shrinkage_regularization_strength": 0.01,
            "beta": 0.1,
        },
        "power": {"learning_rate": 0.1, "learning_rate_power": -0.3},
    },
    "Lamb": {"large_lr": {"learning_rate": 0.1}},
    "Adafactor": {
        "large_lr": {"learning_rate": 0.5},
        "clipped": {"learning_rate": 0.5, "clip_threshold": 0.5, "epsilon_2": 0.01},
    },
    "Muon": {
        "plain": {"nesterov": False, "learning_rate": 0.1},
        "no_rms": {"rms_rate": None, "ns_steps": 3, "learning_rate": 0.05},
    },
}

CASES = {
    f"{class_name}/{variant}": (class_name, kwargs)
    for class_name, own in VARIANTS.items()
    for variant, kwargs in {**COMMON, **own}.items()
}

# ScheduleFreeAdamW's reference comes from Keras' JAX backend: its torch and TensorFlow backends
# read the `z` slot after updating it in place (compat/make_schedule_free_references.py).
SCHEDULE_FREE_CASES = {
    f"ScheduleFreeAdamW/{variant}": ("ScheduleFreeAdamW", kwargs)
    for variant, kwargs in {
        **{key: COMMON[key] for key in ("default", "weight_decay", "clipnorm", "accumulate",
                                        "schedule", "ema", "missing_grads")},
        "warmup": {"warmup_steps": 3},
        "betas": {"beta_1": 0.8, "beta_2": 0.99, "learning_rate": 0.01},
    }.items()
}

SCHEDULES = {
    "exponential": (
        "ExponentialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.9},
    ),
    "exponential_staircase": (
        "ExponentialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.9, "staircase": True},
    ),
    "piecewise": (
        "PiecewiseConstantDecay",
        {"boundaries": [3, 8, 15], "values": [1.0, 0.5, 0.1, 0.01]},
    ),
    "polynomial": ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 12}),
    "polynomial_cycle": (
        "PolynomialDecay",
        {
            "initial_learning_rate": 0.1,
            "decay_steps": 6,
            "end_learning_rate": 0.01,
            "power": 2.0,
            "cycle": True,
        },
    ),
    "inverse_time": (
        "InverseTimeDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 5, "decay_rate": 0.5},
    ),
    "inverse_time_staircase": (
        "InverseTimeDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 5, "decay_rate": 0.5, "staircase": True},
    ),
    "cosine": ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 15}),
    "cosine_alpha": (
        "CosineDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 15, "alpha": 0.1},
    ),
    "cosine_warmup": (
        "CosineDecay",
        {"initial_learning_rate": 0.0, "decay_steps": 10, "warmup_target": 0.1, "warmup_steps": 5},
    ),
    "restarts": ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 3}),
    "restarts_constant_period": (
        "CosineDecayRestarts",
        {
            "initial_learning_rate": 0.1,
            "first_decay_steps": 4,
            "t_mul": 1.0,
            "m_mul": 0.5,
            "alpha": 0.1,
        },
    ),
    "restarts_geometric": (
        "CosineDecayRestarts",
        {"initial_learning_rate": 0.1, "first_decay_steps": 5, "t_mul": 1.5, "m_mul": 0.9},
    ),
}
SCHEDULE_STEPS = np.array(list(range(21)) + [50, 100, 1000, 12345, 1000000], dtype=np.int64)


def initial_values():
    """The starting variables: float32 arrays of `SHAPES`."""
    rng = np.random.default_rng(SEED)
    return [rng.standard_normal(shape).astype(np.float32) for shape in SHAPES]


def gradients():
    """`STEPS` lists of float32 gradients, one per variable."""
    rng = np.random.default_rng(SEED + 1)
    return [
        [rng.standard_normal(shape).astype(np.float32) for shape in SHAPES] for _ in range(STEPS)
    ]


def build_optimizer(optimizers, class_name, kwargs):
    """`optimizers.<class_name>(**kwargs)`, a schedule config becoming that module's schedule."""
    kwargs = dict(kwargs)
    if isinstance(kwargs.get("learning_rate"), dict):
        kwargs["learning_rate"] = optimizers.schedules.deserialize(kwargs["learning_rate"])
    return getattr(optimizers, class_name)(**kwargs)


def run_case(optimizers, name, make_variable, to_tensor, to_numpy):
    """Applies the case's gradients; returns `{"weights", "state", "finalized"}` as NumPy arrays.

    Args:
        optimizers: `keras.optimizers` or `torchkeras.optimizers`.
        name: Key of `CASES` or `SCHEDULE_FREE_CASES`.
        make_variable: NumPy array -> the library's variable.
        to_tensor: NumPy array -> a gradient tensor.
        to_numpy: Variable or state tensor -> NumPy array.
    """
    class_name, kwargs = {**CASES, **SCHEDULE_FREE_CASES}[name]
    optimizer = build_optimizer(optimizers, class_name, kwargs)
    variables = [make_variable(value) for value in initial_values()]
    for step, grads in enumerate(gradients()):
        grads = [to_tensor(grad) for grad in grads]
        if name.endswith("/missing_grads") and step in MISSING_STEPS:
            grads[1] = None
        optimizer.apply_gradients(zip(grads, variables))
    record = {
        "weights": [to_numpy(variable) for variable in variables],
        "state": [to_numpy(value) for value in optimizer.variables],
    }
    if optimizer.use_ema:
        optimizer.finalize_variable_values(variables)
        record["finalized"] = [to_numpy(variable) for variable in variables]
    return record


def flat(arrays):
    """Arrays as one float32 vector (exact: the values are float32 or small step counts)."""
    return np.concatenate([np.asarray(a, dtype=np.float32).ravel() for a in arrays])


def schedule_values(schedules, name, to_step, to_numpy):
    """The schedule's values at `SCHEDULE_STEPS` (steps converted by `to_step`) as float32."""
    class_name, kwargs = SCHEDULES[name]
    schedule = getattr(schedules, class_name)(**kwargs)
    return np.array([to_numpy(schedule(to_step(step))) for step in SCHEDULE_STEPS], np.float32)


# LossScaleOptimizer cases: inner optimizer (class, kwargs) and the wrapper's kwargs. Their
# gradients are scripted (`loss_scale_gradients`): seeded finite steps and non-finite ones, so
# the dynamic scale halves, skips the update, and doubles after `dynamic_growth_steps`.
LOSS_SCALE_CASES = {
    "LossScaleOptimizer/sgd_momentum": (
        ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
        {"initial_scale": 8.0, "dynamic_growth_steps": 2},
    ),
    "LossScaleOptimizer/adam": (
        ("Adam", {"learning_rate": 0.01}), {"initial_scale": 8.0, "dynamic_growth_steps": 2},
    ),
    "LossScaleOptimizer/adamw_growth_3": (
        ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.1}),
        {"initial_scale": 2.0, "dynamic_growth_steps": 3},
    ),
    "LossScaleOptimizer/defaults_rmsprop": (("RMSprop", {}), {}),
}
LOSS_SCALE_STEPS = 12
# step -> (variable index, flat element, value): the non-finite entries of the script.
NON_FINITE = {2: (0, 5, float("inf")), 5: (1, 2, float("nan")), 6: (0, 0, float("-inf")),
              10: (1, 3, float("nan"))}


def loss_scale_gradients():
    """`LOSS_SCALE_STEPS` lists of float32 gradients (scaled by 8), some non-finite."""
    rng = np.random.default_rng(SEED + 2)
    steps = []
    for step in range(LOSS_SCALE_STEPS):
        grads = [8 * rng.standard_normal(shape).astype(np.float32) for shape in SHAPES]
        if step in NON_FINITE:
            index, element, value = NON_FINITE[step]
            grads[index].reshape(-1)[element] = value
        steps.append(grads)
    return steps


def run_loss_scale_case(optimizers, name, make_variable, to_tensor, to_numpy):
    """Applies the script; returns `{"weights", "state", "scale", "step_counter",
    "iterations"}`: the last three per step, the state at the end."""
    (inner_name, inner_kwargs), kwargs = LOSS_SCALE_CASES[name]
    inner = build_optimizer(optimizers, inner_name, inner_kwargs)
    optimizer = optimizers.LossScaleOptimizer(inner, **kwargs)
    variables = [make_variable(value) for value in initial_values()]
    record = {"scale": [], "step_counter": [], "iterations": []}
    for grads in loss_scale_gradients():
        optimizer.apply_gradients(zip([to_tensor(grad) for grad in grads], variables))
        record["scale"].append(to_numpy(optimizer.dynamic_scale))
        record["step_counter"].append(to_numpy(optimizer.step_counter))
        record["iterations"].append(to_numpy(optimizer.iterations))
    record["weights"] = [to_numpy(variable) for variable in variables]
    record["state"] = [to_numpy(value) for value in optimizer.variables]
    return record


def comparable_config(optimizer):
    """`optimizer.get_config()` as JSON without the names (numbered per session) and the inner
    optimizer's module and registered name (Keras records its backend-specific class there)."""
    config = {k: v for k, v in optimizer.get_config().items() if k != "name"}
    inner = config["inner_optimizer"]
    inner_config = {k: v for k, v in inner["config"].items() if k != "name"}
    config["inner_optimizer"] = {"class_name": inner["class_name"], "config": inner_config}
    return json.dumps(config, sort_keys=True, default=float)


def keras_references(keras):
    """Every optimizer case and schedule run with real Keras, as flat `{key: array}`."""
    def numpy(value):
        return np.array(keras.ops.convert_to_numpy(value))

    refs = {}
    for name in CASES:
        record = run_case(keras.optimizers, name, keras.Variable, torch.from_numpy, numpy)
        refs.update({f"{name}/{kind}": flat(arrays) for kind, arrays in record.items()})
    for name, ((inner_name, inner_kwargs), kwargs) in LOSS_SCALE_CASES.items():
        record = run_loss_scale_case(
            keras.optimizers, name, keras.Variable, torch.from_numpy, numpy
        )
        refs.update({f"{name}/{kind}": flat(arrays) for kind, arrays in record.items()})
        inner = build_optimizer(keras.optimizers, inner_name, inner_kwargs)
        wrapper = keras.optimizers.LossScaleOptimizer(inner, **kwargs)
        refs[f"{name}/config"] = np.array(comparable_config(wrapper))
    refs["schedules/steps"] = SCHEDULE_STEPS
    for name in SCHEDULES:
        refs[f"schedules/{name}"] = schedule_values(keras.optimizers.schedules, name, int, numpy)
    return refs
