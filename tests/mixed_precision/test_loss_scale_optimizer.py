"""LossScaleOptimizer: Keras' dynamic schedule, skipped updates, variables and config."""

import numpy as np
import pytest
import torch
from live_keras import keras, needs_keras

import torchkeras
from torchkeras import mixed_precision, optimizers
from torchkeras.optimizers import SGD, Adam, LossScaleOptimizer

INF, NAN = float("inf"), float("nan")
# Scaled gradients of one (3,) variable per step: finite, overflowing and NaN steps mixed.
SCRIPT = [
    [8.0, -4.0, 2.0], [16.0, 8.0, -8.0], [INF, 1.0, 1.0], [4.0, 4.0, 4.0], [1.0, NAN, 1.0],
    [2.0, 2.0, -2.0], [1.0, 1.0, 1.0], [3.0, -3.0, 3.0], [-INF, 0.0, 0.0], [5.0, 5.0, 5.0],
]


def _run_ours(inner):
    optimizer = LossScaleOptimizer(inner, initial_scale=8.0, dynamic_growth_steps=2)
    variable = torch.nn.Parameter(torch.tensor([1.0, 2.0, 3.0]))
    trace = []
    for grad in SCRIPT:
        optimizer.apply([torch.tensor(grad)], [variable])
        trace.append((float(optimizer.dynamic_scale), int(optimizer.step_counter),
                       int(optimizer.iterations), variable.detach().numpy().copy()))
    return optimizer, trace


def _run_keras(inner):
    optimizer = keras.mixed_precision.LossScaleOptimizer(
        inner, initial_scale=8.0, dynamic_growth_steps=2
    )
    variable = keras.Variable(np.array([1.0, 2.0, 3.0], "float32"))
    trace = []
    for grad in SCRIPT:
        optimizer.apply([keras.ops.convert_to_tensor(np.array(grad, "float32"))], [variable])
        trace.append((float(optimizer.dynamic_scale.numpy()), int(optimizer.step_counter.numpy()),
                      int(optimizer.iterations.numpy()), variable.numpy().copy()))
    return optimizer, trace


EXPECTED_SCALES = [8.0, 16.0, 8.0, 8.0, 4.0, 4.0, 8.0, 8.0, 4.0, 4.0]


def test_schedule_halves_on_non_finite_and_doubles_after_growth_steps():
    optimizer, trace = _run_ours(SGD(0.1, momentum=0.9))
    assert [scale for scale, *_ in trace] == EXPECTED_SCALES
    assert [count for _, count, *_ in trace] == [1, 0, 0, 1, 0, 1, 0, 1, 0, 1]
    assert [steps for _, _, steps, _ in trace] == [1, 2, 2, 3, 3, 4, 5, 6, 6, 7]
    assert np.isfinite(trace[-1][3]).all()
    np.testing.assert_array_equal(trace[2][3], trace[1][3])  # a skipped step changes nothing


@needs_keras
@pytest.mark.parametrize("inner", ["sgd", "adam"])
def test_schedule_and_updates_match_keras(inner):
    make = {"sgd": lambda lib: lib.optimizers.SGD(0.1, momentum=0.9),
            "adam": lambda lib: lib.optimizers.Adam(0.01)}[inner]
    ours, our_trace = _run_ours(make(torchkeras))
    theirs, their_trace = _run_keras(make(keras))
    for mine, reference in zip(our_trace, their_trace):
        assert mine[:3] == reference[:3]
        np.testing.assert_allclose(mine[3], reference[3], rtol=1e-6, atol=1e-7)
    assert [tuple(v.shape) for v in ours.variables] == [tuple(v.shape) for v in theirs.variables]
    for mine, reference in zip(ours.variables, theirs.variables):
        np.testing.assert_allclose(mine.detach().numpy(), keras.ops.convert_to_numpy(reference),
                                   rtol=1e-6)


@needs_keras
def test_config_matches_keras():
    ours = LossScaleOptimizer(Adam(0.01), initial_scale=128.0, dynamic_growth_steps=10)
    theirs = keras.mixed_precision.LossScaleOptimizer(
        keras.optimizers.Adam(0.01), initial_scale=128.0, dynamic_growth_steps=10
    )
    mine, reference = ours.get_config(), theirs.get_config()
    assert mine["inner_optimizer"]["config"] == reference["inner_optimizer"]["config"]
    assert {k: v for k, v in mine.items() if k != "inner_optimizer"} == {
        k: v for k, v in reference.items() if k != "inner_optimizer"
    }
    loaded = optimizers.deserialize(keras.optimizers.serialize(theirs))
    assert isinstance(loaded, LossScaleOptimizer) and isinstance(loaded.inner_optimizer, Adam)
    assert loaded.get_config() == mine


def test_scale_loss_learning_rate_and_errors():
    optimizer = LossScaleOptimizer(SGD(0.5), initial_scale=4.0)
    assert float(optimizer.scale_loss(torch.tensor(2.0))) == 8.0
    assert float(optimizer.learning_rate) == 0.5
    optimizer.learning_rate = 0.25
    assert float(optimizer.inner_optimizer.learning_rate) == 0.25
    with pytest.raises(ValueError, match="does not support `clipnorm`"):
        LossScaleOptimizer(SGD(), clipnorm=1.0)
    with pytest.raises(ValueError, match="dynamic=False"):
        LossScaleOptimizer(SGD(), dynamic=False)
    with pytest.raises(ValueError, match="does not support arguments"):
        LossScaleOptimizer(SGD(), foo=1)


def _model():
    return torchkeras.Sequential([torchkeras.Input((4,)), torchkeras.layers.Dense(1)])


def test_compile_wraps_the_optimizer_for_mixed_float16_only():
    mixed_precision.set_global_policy("mixed_float16")
    model = _model()
    model.compile("sgd", "mse")
    assert isinstance(model.optimizer, LossScaleOptimizer)
    assert model.optimizer.name == "loss_scale_optimizer"
    assert model.get_compile_config()["optimizer"]["class_name"] == "SGD"  # as Keras stores it
    model.compile("sgd", "mse", auto_scale_loss=False)
    assert not isinstance(model.optimizer, LossScaleOptimizer)
    mixed_precision.set_global_policy("mixed_bfloat16")
    model = _model()
    model.compile("sgd", "mse")
    assert not isinstance(model.optimizer, LossScaleOptimizer)


def test_train_step_skips_an_overflowing_step_then_applies_the_unscaled_update():
    """Exactly representable values: the float16 update equals the float32 one."""
    mixed_precision.set_global_policy("mixed_float16")
    x, y = np.ones((8, 4), "float32"), np.full((8, 1), 2.0, "float32")
    model = _model()
    model.compile(SGD(0.125), "mse")
    model.layers[0].set_weights([np.zeros((4, 1), "float32"), np.zeros(1, "float32")])
    # d(loss)/d(kernel) = -4 per weight, times 2**15 summed in float16 over 8 rows: overflow.
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert not model.layers[0].kernel.detach().numpy().any()
    assert float(model.optimizer.dynamic_scale) == 2.0**14
    assert int(model.optimizer.iterations) == 0
    model.compile(LossScaleOptimizer(SGD(0.125), initial_scale=1024.0), "mse")
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    np.testing.assert_array_equal(model.layers[0].kernel.detach().numpy(), np.full((4, 1), 0.5))
    assert float(model.optimizer.dynamic_scale) == 1024.0


def test_loss_scale_factor_of_a_plain_optimizer_scales_the_loss():
    x, y = np.ones((8, 4), "float32"), np.full((8, 1), 2.0, "float32")
    model = _model()
    model.compile(SGD(0.125, loss_scale_factor=64.0), "mse")
    model.layers[0].set_weights([np.zeros((4, 1), "float32"), np.zeros(1, "float32")])
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    np.testing.assert_array_equal(model.layers[0].kernel.detach().numpy(), np.full((4, 1), 0.5))
