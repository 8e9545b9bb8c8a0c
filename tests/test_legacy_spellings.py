"""Older Keras spellings used by the seeds and tf.keras 2 scripts: accepted, and warning with the
Keras 3 spelling to use (`DeprecationWarning` for spellings Keras 3 removed)."""

import warnings

import numpy as np
import pytest

import torchkeras as keras
from torchkeras import layers


def _functional():
    inputs = keras.Input(shape=(3,))
    return inputs, layers.Dense(2)(inputs)


def _data(samples=12):
    rng = np.random.default_rng(0)
    return rng.normal(size=(samples, 3)).astype("float32"), rng.normal(size=(samples, 2)).astype(
        "float32"
    )


def _batches(x, y, batch_size=4):
    """An endless tf.keras 2 style generator of `(x, y)` batches."""
    while True:
        for start in range(0, len(x), batch_size):
            yield x[start:start + batch_size], y[start:start + batch_size]


def _compiled(weights=None):
    model = keras.Model(*_functional())
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    if weights is not None:
        model.set_weights(weights)
    return model


# ---- Model(input=..., output=...) -------------------------------------------------------------
def test_model_input_output_keywords_warn_and_build_the_functional_model():
    inputs, outputs = _functional()
    with pytest.warns(DeprecationWarning) as record:
        model = keras.Model(input=inputs, output=outputs)
    assert [str(w.message) for w in record] == [
        "`Model(input=...)` is the Keras 1 spelling: use `Model(inputs=...)`.",
        "`Model(output=...)` is the Keras 1 spelling: use `Model(outputs=...)`.",
    ]
    assert record[0].filename == __file__  # the warning points at the user's line
    reference = keras.Model(inputs=inputs, outputs=outputs)
    assert model.get_config()["input_layers"] == reference.get_config()["input_layers"]
    x, _ = _data()
    np.testing.assert_array_equal(model.predict(x, verbose=0), reference.predict(x, verbose=0))


def test_model_input_and_inputs_together_is_an_error():
    inputs, outputs = _functional()
    with pytest.raises(ValueError, match="both `input`"):
        keras.Model(input=inputs, inputs=inputs, outputs=outputs)


def test_models_namespace_has_the_seeds_names():
    # `from tensorflow.keras import layers, models, optimizers, losses, metrics` (seed 001).
    from torchkeras import layers as layers_module
    from torchkeras import losses, metrics, models, optimizers

    assert models.Model is keras.Model and models.Sequential is keras.Sequential
    assert callable(models.load_model) and callable(models.model_from_json)
    assert layers_module.Dense is layers.Dense
    assert optimizers.RMSprop and losses.mean_squared_error and metrics.mae


# ---- fit_generator / evaluate_generator / predict_generator -----------------------------------
def test_fit_generator_warns_and_trains_like_fit():
    x, y = _data()
    first = _compiled()
    second = _compiled(first.get_weights())
    with pytest.warns(DeprecationWarning, match=r"`Model.fit_generator` .* use `Model.fit`"):
        old = first.fit_generator(_batches(x, y), 3, 2, verbose=0)  # tf.keras 2 positional order
    new = second.fit(_batches(x, y), steps_per_epoch=3, epochs=2, verbose=0)
    assert old.history == new.history
    assert old.params == new.params == {"verbose": 0, "epochs": 2, "steps": 3}
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_fit_generator_accepts_validation_and_the_worker_arguments():
    x, y = _data()
    model = _compiled()
    with pytest.warns(DeprecationWarning):
        history = model.fit_generator(
            _batches(x, y), steps_per_epoch=3, epochs=1, verbose=0,
            validation_data=_batches(x, y), validation_steps=2,
            max_queue_size=4, workers=2, use_multiprocessing=True,
        )
    assert sorted(history.history) == ["loss", "mae", "val_loss", "val_mae"]


def test_evaluate_and_predict_generator_warn_and_match():
    x, y = _data()
    model = _compiled()
    with pytest.warns(DeprecationWarning, match=r"use `Model.evaluate`"):
        old = model.evaluate_generator(_batches(x, y), steps=3)
    assert old == model.evaluate(x, y, batch_size=4, verbose=0)
    with pytest.warns(DeprecationWarning, match=r"use `Model.predict`"):
        predictions = model.predict_generator(_batches(x, y), steps=3)
    np.testing.assert_array_equal(predictions, model.predict(x, batch_size=4, verbose=0))


def test_generator_methods_point_the_warning_at_the_caller():
    x, y = _data()
    model = _compiled()
    with pytest.warns(DeprecationWarning) as record:
        model.evaluate_generator(_batches(x, y), steps=1)
    assert record[0].filename == __file__


# ---- save("x.h5"), metrics_names, lr= -----------------------------------------------------------
def test_save_h5_round_trip(tmp_path):
    x, y = _data()
    model = _compiled()
    model.fit(x, y, verbose=0)
    path = str(tmp_path / "model.h5")
    with pytest.warns(UserWarning, match="legacy"):  # as Keras 3 warns
        model.save(path)
    restored = keras.models.load_model(path)
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0))


def test_metrics_names_is_keras_3s():
    # What Keras 3.15 returns (tf.keras 2 listed each compiled metric; Keras 3 groups them in
    # "compile_metrics", and `evaluate(..., return_dict=True)` gives the per-metric names).
    x, y = _data()
    model = keras.Model(*_functional())
    assert model.metrics_names == []
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    assert model.metrics_names == ["loss", "compile_metrics"]
    model.fit(x, y, verbose=0)
    assert model.metrics_names == ["loss", "compile_metrics"]
    assert sorted(model.evaluate(x, y, verbose=0, return_dict=True)) == ["loss", "mae"]


def test_optimizer_lr_is_accepted_with_a_warning():
    # tf.keras 2's `lr=` (Keras 3 refuses it): a warning that names `learning_rate`.
    with pytest.warns(DeprecationWarning, match="use `learning_rate`"):
        optimizer = keras.optimizers.SGD(lr=0.05)
    assert float(optimizer.learning_rate) == pytest.approx(0.05)


def test_current_spellings_do_not_warn():
    inputs, outputs = _functional()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        model = keras.Model(inputs=inputs, outputs=outputs)
        model.compile(optimizer="sgd", loss="mse")
        x, y = _data()
        model.fit(_batches(x, y), steps_per_epoch=2, verbose=0)


def test_sequential_models_have_the_generator_methods():
    x, y = _data()
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.warns(DeprecationWarning):
        history = model.fit_generator(_batches(x, y), steps_per_epoch=2, epochs=1, verbose=0)
    assert list(history.history) == ["loss"]
