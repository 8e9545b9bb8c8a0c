"""`compile(jit_compile=...)`: steps compiled as single graphs, bounded recompiles, Keras' config.

Most tests swap `trainer.jit.BACKEND` for a counting backend that runs the captured graph as it
is: Dynamo's tracing (graph breaks, guards, recompiles) is exactly what inductor would get, at a
fraction of the cost. One mixed-precision test compiles with the real inductor backend.
"""

import copy
import os
import warnings

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import config, layers, mixed_precision
from torchkeras.optimizers import Adam, LossScaleOptimizer
from torchkeras.trainer import jit

os.environ.setdefault("KERAS_BACKEND", "torch")  # for the real-Keras comparison below


class CountingBackend:
    """A `torch.compile` backend that counts the graphs it gets and runs them unchanged."""

    def __init__(self):
        self.graphs = 0

    def __call__(self, graph_module, example_inputs):
        self.graphs += 1
        return graph_module.forward

    def take(self):
        """The graphs compiled since the last `take()`."""
        count, self.graphs = self.graphs, 0
        return count


@pytest.fixture
def backend(monkeypatch):
    counting = CountingBackend()
    monkeypatch.setattr(jit, "BACKEND", counting)
    torch._dynamo.reset()  # forget automatic-dynamic decisions of earlier tests
    return counting


def _classes(samples, shape, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((samples, *shape), dtype=np.float32), rng.integers(0, 3, size=(samples,))


def _mlp():
    return keras.Sequential([
        keras.Input((6,)), layers.Dense(8, activation="relu"), layers.Dropout(0.25),
        layers.BatchNormalization(), layers.Dense(3, activation="softmax"),
    ])


def _cnn():
    return keras.Sequential([
        keras.Input((6, 6, 2)), layers.Conv2D(4, 3, padding="same"),
        layers.BatchNormalization(), layers.Activation("relu"), layers.MaxPooling2D(),
        layers.Dropout(0.25), layers.Conv2D(4, 3, strides=2, padding="same"),
        layers.AveragePooling2D(2), layers.Flatten(), layers.Dense(3, activation="softmax"),
    ])


def _two_inputs():
    numbers, tokens = keras.Input((6,)), keras.Input((5,), dtype="int64")
    embedded = layers.Embedding(10, 4)(tokens)
    merged = layers.Concatenate()([
        layers.Dense(4, activation="relu")(numbers), layers.LSTM(3)(embedded),
        layers.GRU(3)(embedded),
    ])
    return keras.Model([numbers, tokens], layers.Dense(3, activation="softmax")(merged))


def _two_inputs_data(samples):
    x, y = _classes(samples, (6,))
    tokens = np.random.default_rng(1).integers(0, 10, size=(samples, 5))
    return [x, tokens], y


def _data_for(name, samples):
    if name == "two_inputs":
        return _two_inputs_data(samples)
    return _classes(samples, (6, 6, 2) if name == "cnn" else (6,))


def _first(x, count):
    if isinstance(x, list):
        return [torch.as_tensor(part[:count]) for part in x]
    return torch.as_tensor(x[:count])


@pytest.mark.parametrize("name, build", [("mlp", _mlp), ("cnn", _cnn), ("two_inputs", _two_inputs)])
def test_train_test_predict_steps_are_single_graphs(backend, name, build):
    x, y = _data_for(name, 24)
    model = build()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"], jit_compile=True)
    model.fit(x, y, batch_size=12, epochs=1, verbose=0)  # the first batch builds, eagerly
    assert backend.take() == 1
    xb, yb = _first(x, 12), torch.as_tensor(y[:12])
    model.train()
    explained = [torch._dynamo.explain(model._train_forward)(xb, yb, None)]
    model.eval()
    with torch.no_grad():
        explained.append(torch._dynamo.explain(model._test_update)(xb, yb, None))
        explained.append(torch._dynamo.explain(model._predict_forward)(xb))
    for explanation in explained:
        assert explanation.graph_count == 1 and explanation.graph_break_count == 0, (
            explanation.break_reasons
        )


def _noise():
    return keras.Sequential([
        keras.Input((4, 6)), layers.SpatialDropout1D(0.2), layers.GaussianNoise(0.1),
        layers.GaussianDropout(0.1), layers.AlphaDropout(0.1), layers.Flatten(), layers.Dense(3),
    ])


def _reshape():
    return keras.Sequential([
        keras.Input((4, 6)), layers.Reshape((6, 4)), layers.Permute((2, 1)), layers.Flatten(),
        layers.Dense(3),
    ])


def _masked_lstm():
    return keras.Sequential([
        keras.Input((4,), dtype="int64"), layers.Embedding(10, 3, mask_zero=True),
        layers.LSTM(3), layers.Dense(3),
    ])


@pytest.mark.parametrize("build", [_noise, _reshape, _masked_lstm])
def test_random_reshaping_and_masked_layers_train_in_one_graph(build):
    model = build()
    model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.default_rng(0)
    if build is _masked_lstm:
        x = torch.as_tensor(rng.integers(0, 10, size=(8, 4)))
    else:
        x = torch.as_tensor(rng.random((8, 4, 6), dtype=np.float32))
    y = torch.as_tensor(rng.integers(0, 3, size=(8,)))
    model.train_on_batch(x, y)  # builds the model and the loss
    torch._dynamo.mark_dynamic(x, 0)  # as after a partial batch
    torch._dynamo.mark_dynamic(y, 0)
    model.train()
    explanation = torch._dynamo.explain(model._train_forward)(x, y, None)
    assert explanation.graph_count == 1 and explanation.graph_break_count == 0


def test_partial_batches_recompile_once_per_step(backend):
    x, y = _classes(40, (6,))  # batches of 16, 16 and 8
    model = _mlp()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"], jit_compile=True)
    history = model.fit(
        x, y, batch_size=16, epochs=3, validation_data=(x[:20], y[:20]), verbose=0
    )
    # train: full batch, then the partial one with a dynamic batch axis; validation likewise
    assert backend.take() == 4
    assert len(history.history["val_loss"]) == 3
    model.evaluate(x, y, batch_size=16, verbose=0)
    model.fit(x[:36], y[:36], batch_size=16, epochs=2, verbose=0)  # a new partial size: 4
    assert backend.take() == 0
    for _ in range(2):
        predictions = model.predict(x, batch_size=16, verbose=0)
    assert backend.take() == 2 and predictions.shape == (40, 3)
    # Unshuffled batches are views; a new size starting at offset 0 adds at most one graph
    model.evaluate(x, y, batch_size=7, verbose=0)
    model.evaluate(x, y, batch_size=9, verbose=0)
    assert backend.take() <= 1


def test_compiled_steps_compute_what_eager_steps_compute(backend):
    x, y = _classes(40, (6,))
    results = []
    for jit_compile in (False, True):
        keras.utils.set_random_seed(1)
        model = _mlp()
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"],
                      jit_compile=jit_compile)
        history = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
        results.append((history.history, model.evaluate(x, y, verbose=0),
                        model.predict(x, verbose=0)))
    (eager_history, eager_eval, eager_pred), (jit_history, jit_eval, jit_pred) = results
    for key in eager_history:
        np.testing.assert_allclose(jit_history[key], eager_history[key], rtol=1e-5)
    np.testing.assert_allclose(jit_eval, eager_eval, rtol=1e-5)
    np.testing.assert_allclose(jit_pred, eager_pred, rtol=1e-5, atol=1e-6)


def test_compile_config_holds_the_resolved_value_as_keras_does():
    keras_module = pytest.importorskip("keras")
    expected = {}
    for arguments in ({}, {"jit_compile": True}, {"jit_compile": True, "run_eagerly": True}):
        reference = keras_module.Sequential(
            [keras_module.Input((3,)), keras_module.layers.Dense(2)]
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reference.compile("sgd", "mse", **arguments)
        expected[tuple(arguments.items())] = reference.get_compile_config()["jit_compile"]
    assert list(expected.values()) == [False, True, False]  # Keras 3.15.1, torch backend, CPU
    for arguments, value in expected.items():
        model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.compile("sgd", "mse", **dict(arguments))
        assert model.get_compile_config()["jit_compile"] is value
        assert model.jit_compile is value
        assert any("overrides `jit_compile=True`" in str(w.message) for w in caught) == (
            dict(arguments).get("run_eagerly", False)
        )


def test_run_eagerly_wins_and_bad_values_are_refused(backend):
    x, y = _classes(24, (6,))
    model = _mlp()
    with pytest.warns(UserWarning, match="`run_eagerly=True` overrides `jit_compile=True`"):
        model.compile("sgd", "sparse_categorical_crossentropy", run_eagerly=True, jit_compile=True)
    model.fit(x, y, batch_size=8, verbose=0)
    assert backend.take() == 0 and model.get_compile_config()["run_eagerly"] is True
    with pytest.raises(ValueError, match="`jit_compile` must be True, False or 'auto'.*'yes'"):
        model.compile("sgd", "mse", jit_compile="yes")


def test_auto_compiles_on_cuda_only(monkeypatch):
    model = _mlp()
    model.compile("sgd", "mse")
    assert model.jit_compile is False  # CPU: eager
    monkeypatch.setattr(config, "default_device", lambda: torch.device("cuda"))
    model.compile("sgd", "mse")
    assert model.jit_compile is True
    model.compile("sgd", "mse", run_eagerly=True)
    assert model.jit_compile is False


class BreaksTheGraph(layers.Layer):
    """A custom layer Dynamo cannot trace in one graph (data-dependent Python control flow)."""

    def call(self, inputs):
        if float(inputs.sum()) > 1e9:
            return -inputs
        return inputs


def _breaking_model():
    return keras.Sequential([keras.Input((6,)), BreaksTheGraph(), layers.Dense(3)])


def test_auto_falls_back_to_eager_when_a_step_does_not_compile(backend, monkeypatch):
    x, y = _classes(24, (6,))
    model = _breaking_model()
    with monkeypatch.context() as patch:  # "auto" as it resolves on a CUDA machine
        patch.setattr(config, "default_device", lambda: torch.device("cuda"))
        model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    assert model.jit_compile is True
    with pytest.warns(UserWarning, match="Model 'sequential'.*train step.*runs eagerly"):
        history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()
    assert backend.take() == 0


def test_explicit_jit_compile_tolerates_graph_breaks(backend):
    x, y = _classes(24, (6,))
    model = _breaking_model()
    model.compile("sgd", "sparse_categorical_crossentropy", jit_compile=True)
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert backend.take() >= 2  # the pieces around the break


def test_a_failing_compilation_names_the_model_and_the_way_out(monkeypatch):
    def failing_backend(graph_module, example_inputs):
        raise RuntimeError("no kernels today")

    monkeypatch.setattr(jit, "BACKEND", failing_backend)
    x, y = _classes(24, (6,))
    model = _mlp()
    model.compile("sgd", "sparse_categorical_crossentropy", jit_compile=True)
    with pytest.raises(RuntimeError, match="Model 'sequential'.*train step.*jit_compile=False"):
        model.fit(x, y, batch_size=8, verbose=0)


def test_user_errors_surface_as_eager_raises_them(backend):
    x, y = _classes(24, (6,))
    model = _mlp()
    model.compile("sgd", "sparse_categorical_crossentropy", jit_compile=True)
    model.fit(x, y, batch_size=8, verbose=0)
    model.predict(x[:8], batch_size=8, verbose=0)
    with pytest.raises(ValueError, match="incompatible with the layer"):
        model.predict(np.ones((8, 5), "float32"), batch_size=8, verbose=0)


def test_a_custom_train_step_is_not_compiled(backend):
    class Custom(keras.Model):
        def train_step(self, data):
            x, y = data
            loss = self.compute_loss(x=x, y=y, y_pred=self(x, training=True))
            self._apply_gradients(loss)
            self._loss_tracker.update_state(loss.detach())
            return {"loss": self._loss_tracker.result()}

    inputs = keras.Input((6,))
    model = Custom(inputs, layers.Dense(1)(inputs))
    model.compile("sgd", "mse", jit_compile=True)
    x, y = _classes(24, (6,))
    history = model.fit(x, y[:, None].astype("float32"), batch_size=8, epochs=2, verbose=0)
    assert backend.take() == 0 and history.history["loss"][1] < history.history["loss"][0]


@pytest.fixture
def mixed_bfloat16():
    mixed_precision.set_global_policy("mixed_bfloat16")
    yield
    mixed_precision.set_global_policy("float32")


def test_mixed_bfloat16_and_loss_scaling_with_inductor(mixed_bfloat16):
    x, y = _classes(32, (6,))
    histories = []
    graphs = torch._dynamo.utils.counters["stats"]["unique_graphs"]
    for jit_compile in (False, True):
        keras.utils.set_random_seed(2)
        model = keras.Sequential([keras.Input((6,)), layers.Dense(8, activation="relu"),
                                  layers.Dense(3)])
        model.compile(LossScaleOptimizer(Adam(0.01)),
                      keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      jit_compile=jit_compile)
        histories.append(model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0))
        assert model.layers[0].kernel.dtype == torch.float32
    assert torch._dynamo.utils.counters["stats"]["unique_graphs"] == graphs + 1
    # bfloat16 matmuls: inductor may fuse (and round) differently from eager
    np.testing.assert_allclose(histories[1].history["loss"], histories[0].history["loss"],
                               rtol=2e-2)


def test_mixed_float16_scales_the_loss_of_a_compiled_step(backend):
    x, y = _classes(40, (6,))
    histories = []
    mixed_precision.set_global_policy("mixed_float16")
    try:
        for jit_compile in (False, True):
            keras.utils.set_random_seed(2)
            model = keras.Sequential([keras.Input((6,)), layers.Dense(8, activation="relu"),
                                      layers.Dense(3)])
            model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                          jit_compile=jit_compile)
            histories.append(model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0))
            assert isinstance(model.optimizer, LossScaleOptimizer)
    finally:
        mixed_precision.set_global_policy("float32")
    assert backend.take() == 2
    np.testing.assert_allclose(histories[1].history["loss"], histories[0].history["loss"],
                               rtol=1e-5)


@pytest.mark.cuda
def test_auto_compiles_the_steps_on_cuda(backend):
    x, y = _classes(40, (6,))
    model = _mlp()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    assert model.jit_compile is True
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback to eager
        history = model.fit(x, y, batch_size=16, epochs=3, validation_split=0.25, verbose=0)
        model.predict(x, batch_size=16, verbose=0)
    assert backend.take() <= 6 and history.history["loss"][-1] < history.history["loss"][0]


def test_a_copied_model_compiles_its_own_steps(backend):
    x, y = _classes(24, (6,))
    model = _mlp()
    model.compile("sgd", "sparse_categorical_crossentropy", jit_compile=True)
    model.fit(x, y, batch_size=8, verbose=0)
    before = [weight.detach().clone() for weight in model.trainable_weights]
    clone = copy.deepcopy(model)
    clone.fit(x, y, batch_size=8, epochs=2, verbose=0)
    for weight, kept in zip(model.trainable_weights, before):
        torch.testing.assert_close(weight.detach(), kept)
    assert any(not torch.equal(w.detach(), k) for w, k in zip(clone.trainable_weights, before))


def test_a_cnn_compiles_after_an_mlp_in_the_same_process():
    """Dynamo remembers changed input dimensions per code name: an MLP's partial batch must
    not make a later CNN's image dimensions dynamic (inductor cannot compile those convs).
    Keras 3.15.1's torch backend fails this; each torchkeras model names its own steps."""
    torch._dynamo.reset()
    mlp = keras.Sequential([keras.Input((6,)), layers.Dense(3, activation="softmax")])
    mlp.compile("adam", "sparse_categorical_crossentropy", jit_compile=True)
    mlp.fit(*_classes(10, (6,)), batch_size=4, verbose=0)  # 4, 4, 2: the batch axis goes dynamic
    cnn = keras.Sequential([
        keras.Input((6, 6, 1)), layers.Conv2D(2, 3, activation="relu"), layers.MaxPooling2D(),
        layers.Flatten(), layers.Dense(3, activation="softmax"),
    ])
    cnn.compile("adam", "sparse_categorical_crossentropy", jit_compile=True)
    history = cnn.fit(*_classes(8, (6, 6, 1)), batch_size=4, verbose=0)
    assert np.isfinite(history.history["loss"][0])
