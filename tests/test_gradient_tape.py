"""GradientTape, the migration aid for TF-style loops: the seed's examples and TF's semantics."""

import numpy as np
import pytest
import torch

import torchkeras as keras


def test_gradient_of_a_variable_as_in_the_seed():
    input_var = keras.Variable(3.0)  # the seed's tf.Variable(initial_value=3.)
    with keras.GradientTape() as tape:
        result = keras.ops.square(input_var)
    assert float(tape.gradient(result, input_var)) == 6.0


def test_constant_needs_watch():
    constant = torch.tensor(3.0)
    with keras.GradientTape() as tape:
        result = constant * constant
    assert tape.gradient(result, constant) is None
    with keras.GradientTape() as tape:
        tape.watch(constant)
        result = constant * constant
    assert float(tape.gradient(result, constant)) == 6.0


def test_second_derivative_with_nested_tapes_falling_apple():
    time = keras.Variable(0.0)
    with keras.GradientTape() as outer:
        with keras.GradientTape() as inner:
            position = 4.9 * time**2
        speed = inner.gradient(position, time)
    acceleration = outer.gradient(speed, time)
    assert float(acceleration) == pytest.approx(9.8)


def test_training_loop_with_apply_gradients_learns():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 2)).astype("float32")
    y = (x @ np.array([[2.0], [-1.0]], "float32") + 0.5).astype("float32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    optimizer = keras.optimizers.SGD(learning_rate=0.1)
    loss_fn = keras.losses.MeanSquaredError()
    first = None
    for _ in range(50):
        with keras.GradientTape() as tape:
            loss = loss_fn(torch.as_tensor(y), model(x, training=True))
        grads = tape.gradient(loss, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
        first = float(loss.detach()) if first is None else first
    assert float(loss.detach()) < 0.01 * first


def test_structures_lists_and_dicts_of_sources():
    w, b = keras.Variable(np.ones((2, 1), "float32")), keras.Variable(np.zeros(1, "float32"))
    x = torch.tensor([[1.0, 2.0]])
    with keras.GradientTape() as tape:
        loss = ((x @ w.value + b.value) ** 2).sum()
    grads = tape.gradient(loss, {"w": w, "b": [b]})
    torch.testing.assert_close(grads["w"], torch.tensor([[6.0], [12.0]]))
    torch.testing.assert_close(grads["b"][0], torch.tensor([6.0]))


def test_persistence_and_non_persistent_reuse_error():
    x = torch.tensor(2.0, requires_grad=True)
    with keras.GradientTape(persistent=True) as tape:
        y, z = x * x, x * x * x
    assert float(tape.gradient(y, x)) == 4.0
    assert float(tape.gradient(z, x)) == 12.0
    with keras.GradientTape() as tape:
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent GradientTape"):
        tape.gradient(y, x)


def test_several_targets_sum_and_output_gradients():
    x = torch.tensor(2.0, requires_grad=True)
    with keras.GradientTape(persistent=True) as tape:
        targets = [x * 3, x * x]
    assert float(tape.gradient(targets, x)) == 7.0
    weighted = tape.gradient(targets, x, output_gradients=[torch.tensor(2.0), torch.tensor(1.0)])
    assert float(weighted) == 10.0


def test_unconnected_sources_and_watch_accessed_variables():
    x, unused = torch.tensor(1.0, requires_grad=True), torch.tensor(5.0, requires_grad=True)
    with keras.GradientTape(persistent=True) as tape:
        y = x * 2
    assert tape.gradient(y, [x, unused])[1] is None
    assert float(tape.gradient(y, unused, unconnected_gradients="zero")) == 0.0
    with keras.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(x)
        y = x * unused
    grads = tape.gradient(y, [x, unused])
    assert float(grads[0]) == 5.0 and grads[1] is None
    assert tape.watched_variables() == [x]


def test_stop_recording_blocks_gradients():
    x = torch.tensor(3.0, requires_grad=True)
    with keras.GradientTape() as tape:
        with tape.stop_recording():
            frozen = x * 2
        y = frozen * x
    assert float(tape.gradient(y, x)) == 6.0


def test_jacobian_and_batch_jacobian():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    with keras.GradientTape(persistent=True) as tape:
        y = x**2
    jacobian = tape.jacobian(y, x)
    assert jacobian.shape == (2, 2, 2, 2)
    assert float(jacobian[1, 0, 1, 0]) == 6.0 and float(jacobian[1, 0, 0, 0]) == 0.0
    batch = tape.batch_jacobian(y, x)
    torch.testing.assert_close(batch, torch.stack([torch.diag(2 * row) for row in x.detach()]))


def test_bad_arguments_name_what_was_expected():
    x = torch.tensor(1.0, requires_grad=True)
    with keras.GradientTape() as tape:
        y = x * 2
    with pytest.raises(ValueError, match="unconnected_gradients"):
        tape.gradient(y, x, unconnected_gradients="ones")
    with pytest.raises(ValueError, match="expected tensors or Variables"):
        tape.watch("x")
