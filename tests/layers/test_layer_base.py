"""The Layer base: lazy build, add_weight naming, trainable, losses, training flag, errors."""

import copy

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers


class SimpleDense(keras.layers.Layer):
    """The seeds' custom layer, unchanged but for `@` in place of `tf.matmul`."""

    def __init__(self, units, activation=None):
        super().__init__()
        self.units = units
        self.activation = activation

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.W = self.add_weight(shape=(input_dim, self.units), initializer="random_normal")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        y = inputs @ self.W + self.b
        if self.activation is not None:
            y = self.activation(y)
        return y


class TrainingProbe(keras.layers.Layer):
    """Records the `training` value each call receives."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def call(self, inputs, training=None):
        self.seen.append(training)
        return inputs


def test_build_on_first_call_with_batch_none():
    layer = SimpleDense(32, activation=torch.relu)
    assert not layer.built and layer.weights == []
    output = layer(torch.ones(2, 784))
    assert output.shape == (2, 32)
    assert layer.built and layer._build_shapes == (None, 784)
    assert [tuple(w.shape) for w in layer.weights] == [(784, 32), (32,)]


def test_add_weight_takes_the_attribute_name_as_state_dict_key():
    layer = SimpleDense(4)
    layer(np.ones((1, 3)))
    assert list(layer.state_dict()) == ["W", "b"]
    assert isinstance(layer.W, torch.nn.Parameter)


def test_unassigned_weights_keep_unique_names():
    class TwoWeights(keras.layers.Layer):
        def build(self, input_shape):
            self.add_weight(shape=(2,), name="scale")
            self.add_weight(shape=(2,), name="scale")

    layer = TwoWeights()
    layer(torch.ones(1, 2))
    assert list(layer.state_dict()) == ["scale", "scale_1"]


def test_non_trainable_weight_is_a_buffer():
    class Counter(keras.layers.Layer):
        def build(self, input_shape):
            self.count = self.add_weight(shape=(), initializer="zeros", trainable=False)

        def call(self, inputs):
            return inputs

    layer = Counter()
    layer(torch.ones(1, 2))
    assert "count" in dict(layer.named_buffers())
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 1


def test_trainable_false_freezes_and_lists_weights_as_non_trainable():
    model = keras.Sequential([layers.Dense(3), layers.Dense(1)])
    model.build((None, 2))
    model.layers[0].trainable = False
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    assert not model.layers[0].kernel.requires_grad
    model.trainable = False
    assert model.trainable_weights == [] and not model.layers[1].trainable
    model.trainable = True
    assert len(model.trainable_weights) == 4


def test_numpy_in_tensor_out_and_float64_becomes_float32():
    layer = layers.Dense(2)
    output = layer(np.ones((3, 4)))
    assert isinstance(output, torch.Tensor) and output.dtype == torch.float32


def test_layers_start_in_inference_mode_and_training_propagates():
    probe = TrainingProbe()

    class Wrapper(keras.Model):
        def __init__(self):
            super().__init__()
            self.probe = probe

        def call(self, inputs):
            return self.probe(inputs)

    model = Wrapper()
    x = torch.ones(1, 1)
    model(x)
    model(x, training=True)
    model.train()
    model(x)
    model(x, training=False)
    assert probe.seen == [False, True, True, False]


def test_add_loss_is_per_call_and_regularizers_count():
    class Penalized(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(
                shape=(2,), initializer="ones", regularizer=keras.regularizers.L2(0.5)
            )

        def call(self, inputs):
            self.add_loss(inputs.sum())
            return inputs * self.w

    layer = Penalized()
    layer(torch.ones(2, 2))
    layer(torch.ones(2, 2))
    values = sorted(float(loss) for loss in layer.losses)
    assert values == [pytest.approx(1.0), pytest.approx(4.0)]  # 0.5 * (1 + 1); sum of ones


def test_activity_regularizer_adds_a_loss():
    layer = layers.Dense(2, kernel_initializer="ones", activity_regularizer="l2")
    layer(torch.ones(1, 2))
    assert len(layer.losses) == 1 and float(layer.losses[0]) == pytest.approx(0.01 * 8)


def test_wrong_last_dimension_names_layer_and_shapes():
    layer = layers.Dense(4, name="scorer")
    layer(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"scorer.*\(None, 3\).*\(2, 5\)"):
        layer(np.ones((2, 5)))


def test_set_weights_errors_name_the_weight():
    layer = layers.Dense(4)
    layer(np.ones((2, 3)))
    with pytest.raises(ValueError, match="expecting 2 weights"):
        layer.set_weights([np.ones((3, 4))])
    with pytest.raises(ValueError, match=r"'kernel'.*\(3, 4\).*\(3, 5\)"):
        layer.set_weights([np.ones((3, 5)), np.ones(4)])


def test_get_set_weights_round_trip():
    layer = layers.Dense(4)
    layer(np.ones((1, 3)))
    values = [np.full(w.shape, i + 1.0, dtype="float32") for i, w in enumerate(layer.weights)]
    layer.set_weights(values)
    for got, want in zip(layer.get_weights(), values):
        np.testing.assert_array_equal(got, want)


def test_unique_auto_names():
    names = [layers.Dense(1).name for _ in range(3)]
    assert names == ["dense", "dense_1", "dense_2"]
    keras.backend.clear_session()
    assert layers.Dense(1).name == "dense"


def test_unknown_constructor_argument_is_refused():
    with pytest.raises(ValueError, match="Unrecognized keyword arguments passed to Dense"):
        layers.Dense(2, unitz=3)


def test_count_params_needs_a_build():
    layer = layers.Dense(3)
    with pytest.raises(ValueError, match="isn't built"):
        layer.count_params()
    layer.build((None, 2))
    assert layer.built and layer.count_params() == 9


def test_compute_output_shape_and_config_round_trip():
    layer = SimpleDense(5)
    assert layer.compute_output_shape((None, 3)) == (None, 5)
    dense = layers.Dense(3, activation="relu", name="head")
    clone = layers.Dense.from_config(dense.get_config())
    assert clone.get_config() == dense.get_config()


def test_plain_list_of_layers_is_tracked():
    class Stack(keras.Model):
        def __init__(self):
            super().__init__()
            self.blocks = [layers.Dense(4) for _ in range(3)]

        def call(self, inputs):
            for block in self.blocks:
                inputs = block(inputs)
            return inputs

    model = Stack()
    model(np.ones((2, 4)))
    assert len(model.trainable_weights) == 6
    assert "blocks.2.kernel" in model.state_dict()


def test_get_weights_returns_copies():
    layer = layers.Dense(2)
    layer(np.ones((1, 2)))
    values = layer.get_weights()
    values[0][:] = 42.0
    assert not torch.any(layer.kernel == 42.0)


def test_input_of_an_input_layer_is_an_empty_list_as_in_keras():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    assert model.layers[0].input == []
    assert model.layers[1].input is inputs


def test_module_hooks_and_global_hooks_still_run():
    """Layers skip `nn.Module.__call__` only when it has nothing to do besides `forward`."""
    layer = layers.Dense(3)
    seen = []
    layer.register_forward_pre_hook(lambda module, args: seen.append("pre"))
    layer.register_forward_hook(lambda module, args, output: seen.append("post") or output * 0)
    out = layer(torch.ones(2, 4))
    assert seen == ["pre", "post"] and torch.equal(out, torch.zeros(2, 3))
    handle = torch.nn.modules.module.register_module_forward_hook(
        lambda module, args, output: seen.append(type(module).__name__)
    )
    try:
        layers.Dense(2)(torch.ones(1, 4))
    finally:
        handle.remove()
    assert seen[-1] == "Dense"
    built = layers.Dense(2)
    built(torch.ones(1, 4))
    traced = torch.jit.trace(built, torch.ones(1, 4))  # records through nn.Module's path
    torch.testing.assert_close(traced(torch.ones(3, 4)), built(torch.ones(3, 4)))


def test_trainable_weights_answer_keras_variable_methods():
    """`layer.kernel.numpy()`, `np.array(w)`, `w.assign(...)` and `w.value` work as in Keras,
    on what stays an `nn.Parameter` (plain tensors out of ops, plain `state_dict` values)."""
    layer = layers.Dense(2)
    layer(np.ones((1, 3), "float32"))
    kernel = layer.kernel
    assert isinstance(kernel, torch.nn.Parameter) and kernel.requires_grad
    np.testing.assert_array_equal(kernel.numpy(), layer.get_weights()[0])
    assert np.array(kernel).shape == (3, 2) and np.asarray(kernel, dtype="float64").dtype == "float64"
    copied = kernel.numpy()
    copied += 1  # a copy, as Keras' numpy() of a variable
    assert not np.array_equal(copied, kernel.numpy())
    kernel.assign(np.arange(6, dtype="float32").reshape(3, 2))
    layer.bias.assign_add(np.ones(2, "float32"))
    layer.bias.assign_sub(torch.full((2,), 0.5))
    np.testing.assert_array_equal(layer.get_weights()[1], [0.5, 0.5])
    np.testing.assert_array_equal(layer(np.ones((1, 3), "float32")).detach(), [[6.5, 9.5]])
    assert kernel.value is kernel and kernel.grad is None
    assert type(kernel * 2) is torch.Tensor and type(layer.state_dict()["kernel"]) is torch.Tensor
    assert type(copy.deepcopy(layer).kernel) is type(kernel)
    half = layers.Dense(2, dtype="bfloat16")
    half(torch.ones(1, 3, dtype=torch.bfloat16))
    assert half.kernel.numpy().dtype == np.float32  # numpy has no bfloat16
