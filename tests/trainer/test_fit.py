"""compile / fit / evaluate / predict as the seeds use them, with Keras' keys and orders."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers


def point_clouds(samples_per_class=200, seed=0):
    """The seeds' two Gaussian point clouds, labelled 0 and 1."""
    rng = np.random.default_rng(seed)
    cov = [[1, 0.5], [0.5, 1]]
    negative = rng.multivariate_normal([0, 3], cov, size=samples_per_class)
    positive = rng.multivariate_normal([3, 0], cov, size=samples_per_class)
    inputs = np.vstack((negative, positive)).astype(np.float32)
    targets = np.vstack(
        (np.zeros((samples_per_class, 1), "float32"), np.ones((samples_per_class, 1), "float32"))
    )
    return inputs, targets


def test_compile_with_strings_and_fit_history():
    inputs, targets = point_clouds()
    model = keras.Sequential([keras.layers.Dense(1)])
    model.compile(optimizer="rmsprop", loss="mean_squared_error", metrics=["accuracy"])
    history = model.fit(inputs, targets, epochs=5, batch_size=128, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss"]
    assert len(history.history["loss"]) == 5 and history.epoch == [0, 1, 2, 3, 4]
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert all(isinstance(v, float) for v in history.history["loss"])


def test_compile_with_objects_validation_evaluate_predict():
    inputs, targets = point_clouds()
    model = keras.Sequential([keras.layers.Dense(1)])
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.1),
        loss=keras.losses.MeanSquaredError(),
        metrics=[keras.metrics.BinaryAccuracy()],
    )
    order = np.random.default_rng(1).permutation(len(inputs))
    inputs, targets = inputs[order], targets[order]
    split = int(0.3 * len(inputs))
    history = model.fit(
        inputs[split:], targets[split:], epochs=5, batch_size=16,
        validation_data=(inputs[:split], targets[:split]), verbose=0,
    )
    assert sorted(history.history) == ["binary_accuracy", "loss", "val_binary_accuracy", "val_loss"]
    assert history.history["val_binary_accuracy"][-1] > 0.9
    loss, accuracy = model.evaluate(inputs[:split], targets[:split], batch_size=128, verbose=0)
    assert loss == pytest.approx(history.history["val_loss"][-1], rel=1e-5)
    predictions = model.predict(inputs[:split], batch_size=128, verbose=0)
    assert isinstance(predictions, np.ndarray) and predictions.shape == (split, 1)
    direct = model(inputs[:split])
    np.testing.assert_allclose(predictions, direct.detach().numpy(), rtol=1e-6)


def test_custom_loss_and_metric_functions():
    def my_custom_loss(y_true, y_pred):
        return torch.mean(torch.square(y_true - y_pred), dim=-1)

    def my_custom_metric_1(y_true, y_pred):
        return torch.mean(torch.abs(y_true - y_pred), dim=-1)

    inputs, targets = point_clouds()
    model = keras.Sequential([keras.layers.Dense(1)])
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=1e-4),
        loss=my_custom_loss,
        metrics=[my_custom_metric_1, "mae"],
    )
    history = model.fit(inputs, targets, epochs=1, verbose=0)
    assert sorted(history.history) == ["loss", "mae", "my_custom_metric_1"]
    assert history.history["mae"][0] == pytest.approx(history.history["my_custom_metric_1"][0])


def test_validation_split_takes_the_last_fraction():
    inputs, targets = point_clouds()
    model = keras.Sequential([keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(inputs, targets, validation_split=0.25, epochs=1, shuffle=False, verbose=0)
    # The last quarter is all class 1: the untrained-ish model's validation loss is its error there.
    expected = model.evaluate(inputs[300:], targets[300:], verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(expected, rel=1e-5)


def news_model(news_size=40, tag_size=6, departments=5):
    title = keras.Input(shape=(news_size,), name="title")
    content = keras.Input(shape=(news_size,), name="content")
    tags = keras.Input(shape=(tag_size,), name="tags")
    features = layers.Concatenate()([title, content, tags])
    features = layers.Dense(64, activation="relu")(features)
    priority = layers.Dense(1, activation="sigmoid", name="priority")(features)
    department = layers.Dense(departments, activation="softmax", name="department")(features)
    return keras.Model(inputs=[title, content, tags], outputs=[priority, department])


def news_data(n=64, news_size=40, tag_size=6, departments=5):
    rng = np.random.default_rng(0)
    x = [rng.integers(0, 2, size=(n, news_size)), rng.integers(0, 2, size=(n, news_size)),
         rng.integers(0, 2, size=(n, tag_size))]
    y = [rng.random(size=(n, 1)), rng.integers(0, 2, size=(n, departments))]
    return x, y


def test_multi_output_with_list_losses_and_metrics():
    model = news_model()
    x, y = news_data()
    model.compile(
        optimizer="rmsprop",
        loss=["mean_squared_error", "categorical_crossentropy"],
        metrics=[["mean_absolute_error"], ["accuracy"]],
    )
    history = model.fit(x, y, epochs=1, verbose=0)
    assert sorted(history.history) == [
        "department_accuracy", "department_loss", "loss", "priority_loss",
        "priority_mean_absolute_error",
    ]
    values = model.evaluate(x, y, verbose=0)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert values == [
        logs["loss"], logs["priority_loss"], logs["department_loss"],
        logs["department_accuracy"], logs["priority_mean_absolute_error"],
    ]
    assert model.metrics_names == ["loss", "compile_metrics", "priority_loss", "department_loss"]
    priority_preds, department_preds = model.predict(x, verbose=0)
    assert priority_preds.shape == (64, 1) and department_preds.shape == (64, 5)


def test_multi_output_with_dict_losses_metrics_and_data():
    model = news_model()
    x, y = news_data()
    model.compile(
        optimizer="rmsprop",
        loss={"priority": "mean_squared_error", "department": "categorical_crossentropy"},
        metrics={"priority": ["mean_absolute_error"], "department": ["accuracy"]},
    )
    history = model.fit(
        {"title": x[0], "content": x[1], "tags": x[2]},
        {"priority": y[0], "department": y[1]},
        epochs=1, verbose=0, validation_split=0.25,
    )
    assert "val_priority_mean_absolute_error" in history.history
    assert len(history.history) == 10


def test_subclassed_news_model_trains_with_keras_keys():
    class NewsModel(keras.Model):
        def __init__(self, n):
            super().__init__()
            self.concat_layer = layers.Concatenate()
            self.mixing_layer = layers.Dense(64, activation="relu")
            self.priority_scorer = layers.Dense(1, activation="sigmoid")
            self.department_scorer = layers.Dense(n, activation="softmax")

        def call(self, inputs):
            features = self.concat_layer([inputs["title"], inputs["content"], inputs["tags"]])
            features = self.mixing_layer(features)
            return self.priority_scorer(features), self.department_scorer(features)

    x, y = news_data()
    model = NewsModel(n=5)
    model.compile(
        optimizer="rmsprop",
        loss=["mean_squared_error", "categorical_crossentropy"],
        metrics=[["mean_absolute_error"], ["accuracy"]],
    )
    data = {"title": x[0], "content": x[1], "tags": x[2]}
    history = model.fit(data, y, epochs=1, verbose=0)
    assert sorted(history.history) == [
        "accuracy", "categorical_crossentropy_loss", "loss", "mean_absolute_error",
        "mean_squared_error_loss",
    ]
    assert len(model.evaluate(data, y, verbose=0)) == 5


def test_sparse_labels_resolve_accuracy_and_crossentropy():
    rng = np.random.default_rng(0)
    x, y = rng.random((40, 4)).astype("float32"), rng.integers(0, 3, size=(40,))
    model = keras.Sequential([layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, verbose=0, epochs=2)
    assert sorted(history.history) == ["accuracy", "loss"]
    model.compile("adam", "categorical_crossentropy", metrics=["acc"])
    history = model.fit(x, np.eye(3)[y], verbose=0)
    assert sorted(history.history) == ["acc", "loss"]


def test_sample_and_class_weights_and_weighted_metrics():
    inputs, targets = point_clouds()
    model = keras.Sequential([layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"], weighted_metrics=["accuracy"])
    history = model.fit(
        inputs, targets, sample_weight=np.linspace(0.1, 1.0, len(inputs)), verbose=0
    )
    assert sorted(history.history) == ["accuracy", "loss", "weighted_accuracy"]
    history = model.fit(inputs, targets, class_weight={0: 1.0, 1: 3.0}, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_dataloader_and_generator_inputs():
    inputs, targets = point_clouds()
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(inputs), torch.from_numpy(targets))
    model = keras.Sequential([layers.Dense(1)])
    model.compile("sgd", "mse")
    loader = torch.utils.data.DataLoader(dataset, batch_size=50, shuffle=True)
    assert len(model.fit(loader, epochs=2, verbose=0).history["loss"]) == 2
    assert np.isfinite(model.evaluate(loader, verbose=0))

    def batches():
        while True:
            yield inputs[:50], targets[:50]

    history = model.fit(batches(), steps_per_epoch=3, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_train_test_predict_on_batch():
    inputs, targets = point_clouds()
    model = keras.Sequential([layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"])
    loss, mae = model.train_on_batch(inputs[:32], targets[:32])
    assert np.isfinite(loss) and np.isfinite(mae)
    logs = model.test_on_batch(inputs[:32], targets[:32], return_dict=True)
    assert sorted(logs) == ["loss", "mae"]
    assert model.predict_on_batch(inputs[:8]).shape == (8, 1)


def test_bad_input_is_named():
    inputs, targets = point_clouds()
    model = keras.Sequential([layers.Dense(1)])
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(inputs, targets, verbose=0)
    with pytest.raises(ValueError, match="Did you mean"):
        model.compile("rmsprop", loss="mean_square_error")
    model.compile("rmsprop", "mse")
    with pytest.raises(ValueError, match=r"'x' sizes: \[400\].*'y' sizes: \[399\]"):
        model.fit(inputs, targets[:-1], verbose=0)
    broken = inputs.copy()
    broken[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        model.fit(broken, targets, verbose=0)


def test_stop_training_and_callback_hooks():
    seen = []

    class Recorder(keras.callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append(logs.get("loss"))

        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = epoch == 1

    inputs, targets = point_clouds()
    model = keras.Sequential([layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(inputs, targets, epochs=5, batch_size=100, callbacks=[Recorder()], verbose=0)
    assert history.epoch == [0, 1] and len(seen) == 8 and all(isinstance(v, float) for v in seen)


def test_training_step_makes_no_host_sync(monkeypatch):
    inputs, targets = point_clouds()
    model = keras.Sequential([layers.Dense(8, activation="relu"), layers.Dense(1)])
    model.compile("adam", "mse", metrics=["mae"])
    model.fit(inputs[:64], targets[:64], verbose=0)  # builds everything once

    reads = []
    for name in ("item", "tolist", "numpy", "cpu", "__bool__", "__float__", "__int__"):
        original = getattr(torch.Tensor, name)

        def counting(self, *args, _original=original, **kwargs):
            reads.append(1)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, name, counting)
    model.fit(inputs, targets, batch_size=8, epochs=1, verbose=0, shuffle=True)  # 50 steps
    few_steps = len(reads)
    reads.clear()
    model.fit(inputs[:16], targets[:16], batch_size=8, epochs=1, verbose=0)  # 2 steps
    assert few_steps == len(reads), "host reads grew with the number of steps"


def test_custom_train_step_in_keras_on_torch_style():
    class CustomModel(keras.Model):
        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            loss.backward()
            weights = self.trainable_weights
            with torch.no_grad():
                self.optimizer.apply([w.grad for w in weights], weights)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    inputs = keras.Input(shape=(2,))
    model = CustomModel(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    x, y = point_clouds()
    history = model.fit(x, y, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_fully_custom_loop_with_torchkeras_optimizer_and_loss():
    x, y = (torch.from_numpy(a) for a in point_clouds())
    model = keras.Sequential([layers.Dense(8, activation="relu"), layers.Dense(1, activation="sigmoid")])
    optimizer = keras.optimizers.Adam(learning_rate=0.05)
    loss_fn = keras.losses.BinaryCrossentropy()
    losses = []
    for _ in range(30):
        model.zero_grad()
        loss = loss_fn(y, model(x, training=True))
        loss.backward()
        optimizer.apply([w.grad for w in model.trainable_weights], model.trainable_weights)
        losses.append(float(loss))
    assert losses[-1] < 0.5 * losses[0]


def test_py_dataset_and_steps_per_execution():
    x, y = point_clouds()

    class Batches(keras.utils.PyDataset):
        epochs_seen = 0

        def __len__(self):
            return 4

        def __getitem__(self, index):
            return x[index * 100 : (index + 1) * 100], y[index * 100 : (index + 1) * 100]

        def on_epoch_end(self):
            Batches.epochs_seen += 1

    batch_ends = []

    class Counter(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            batch_ends.append(batch)

    model = keras.Sequential([layers.Dense(1)])
    model.compile("sgd", "mse", steps_per_execution=3)
    model.fit(Batches(), epochs=2, callbacks=[Counter()], verbose=0)
    assert Batches.epochs_seen == 2 and batch_ends == [2, 3, 2, 3]


def test_jit_compile_trains_like_eager():
    x, y = point_clouds(50)
    results = []
    for jit in (False, True):
        keras.utils.set_random_seed(3)
        model = keras.Sequential([layers.Dense(4, activation="relu"), layers.Dense(1)])
        model.compile("sgd", "mse", jit_compile=jit)
        results.append(model.fit(x, y, epochs=2, batch_size=20, shuffle=False, verbose=0))
    np.testing.assert_allclose(
        results[0].history["loss"], results[1].history["loss"], rtol=1e-5
    )


def test_ema_weights_are_swapped_in_at_the_end():
    x, y = point_clouds(50)
    model = keras.Sequential([layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5), "mse")
    model.fit(x, y, epochs=2, verbose=0)
    averages = model.optimizer._model_variables_moving_average
    for average, weight in zip(averages, model.trainable_weights):
        torch.testing.assert_close(average, weight.detach())


def test_seed_001_regression_script_names():
    """The y = A·X + b seed: tf.keras 2 names `metrics.mae` and `RMSprop(lr=...)` still work."""
    from torchkeras import losses, metrics, models, optimizers

    rng = np.random.default_rng(0)
    x = np.array([np.linspace(-1, 1, 100) for _ in range(10)]).T
    y = x @ rng.integers(20, 100, size=10) + 3 + rng.normal(size=100)
    inputs = layers.Input(shape=(10,))
    outputs = layers.Dense(1)(layers.Dense(64)(layers.Dense(64)(inputs)))
    model = models.Model(inputs=inputs, outputs=outputs)
    with pytest.warns(DeprecationWarning, match="learning_rate"):
        optimizer = optimizers.RMSprop(lr=0.01)
    model.compile(optimizer=optimizer, loss=losses.mean_squared_error, metrics=[metrics.mae])
    history = model.fit(x, y, epochs=3, validation_data=[x[:30], y[:30]], verbose=0)
    assert sorted(history.history) == [
        "loss", "mean_absolute_error", "val_loss", "val_mean_absolute_error",
    ]
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_dataset_initial_epoch_validation_freq_and_torch_optimizer():
    x, y = point_clouds()
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    model = keras.Sequential([layers.Dense(1)])
    model.build((None, 2))
    model.compile(torch.optim.SGD(model.parameters(), lr=0.01), "mse")
    history = model.fit(
        dataset, batch_size=64, epochs=4, initial_epoch=1, validation_data=dataset,
        validation_freq=2, verbose=0,
    )
    assert history.epoch == [1, 2, 3]
    assert len(history.history["loss"]) == 3 and len(history.history["val_loss"]) == 2
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_targets_that_cannot_match_the_output_are_named():
    x, y = point_clouds()
    model = keras.Sequential([layers.Dense(3, activation="softmax")])
    model.compile("adam", "categorical_crossentropy")
    with pytest.raises(ValueError, match=r"shape"):
        model.fit(x, np.ones((len(x), 5), "float32"), verbose=0)
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"label value of 7"):
        model.fit(x, np.full((len(x),), 7), verbose=0)


def test_crossentropy_on_a_softmax_output_equals_keras_clipped_formula():
    """The logits handle a softmax output carries gives Keras' clipped numbers and gradients."""
    logits = torch.tensor([[2.0, -1.0, 0.5], [40.0, -40.0, 0.0], [-30.0, 30.0, 0.0]])
    labels = torch.tensor([0, 1, 1])
    loss = keras.losses.SparseCategoricalCrossentropy()
    fused_logits = logits.clone().requires_grad_()
    plain_logits = logits.clone().requires_grad_()
    fused = loss(labels, keras.activations.softmax(fused_logits))
    plain = loss(labels, torch.softmax(plain_logits, dim=-1))  # no handle: Keras' own formula
    fused.backward()
    plain.backward()
    torch.testing.assert_close(fused, plain, rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(fused_logits.grad, plain_logits.grad, rtol=1e-5, atol=1e-7)


def test_categorical_crossentropy_on_a_softmax_output_equals_keras_formula():
    logits = torch.tensor([[2.0, -1.0, 0.5], [40.0, -40.0, 0.0], [-30.0, 30.0, 0.0]])
    targets = torch.tensor([[0.8, 0.1, 0.1], [0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
    loss = keras.losses.CategoricalCrossentropy(label_smoothing=0.1)
    fused_logits = logits.clone().requires_grad_()
    plain_logits = logits.clone().requires_grad_()
    fused = loss(targets, keras.activations.softmax(fused_logits))
    plain = loss(targets, torch.softmax(plain_logits, dim=-1))
    fused.backward()
    plain.backward()
    torch.testing.assert_close(fused, plain, rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(fused_logits.grad, plain_logits.grad, rtol=1e-5, atol=1e-7)
