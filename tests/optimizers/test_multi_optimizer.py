"""MultiOptimizer and OptimizerMap: routing by path or function, numbers and configs vs Keras."""

import os
import warnings

import numpy as np
import pytest
import torch

import torchkeras as tk
from torchkeras import optimizers
from torchkeras.optimizers import MultiOptimizer, OptimizerMap


def _data():
    rng = np.random.RandomState(0)
    return rng.randn(8, 3).astype("float32"), rng.randn(8, 2).astype("float32")


def _model(lib):
    return lib.Sequential(
        [lib.Input((3,)), lib.layers.Dense(4, name="d1"), lib.layers.Dense(2, name="d2")]
    )


def _two_groups(lib):
    adam = lib.optimizers.Adam(0.01)
    sgd = lib.optimizers.SGD(0.1, momentum=0.9)
    return lib.optimizers.MultiOptimizer(
        lib.optimizers.OptimizerMap(sgd, {"sequential/d1/.*": adam})
    )


def _without_names(config):
    if isinstance(config, dict):
        return {k: _without_names(v) for k, v in config.items() if k != "name"}
    return config


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    keras.backend.clear_session()  # Keras' names (hence paths) restart at "sequential"
    return keras


# ---- OptimizerMap ----------------------------------------------------------------------------
def test_optimizer_map_lookup_rules():
    adam, sgd, rms = optimizers.Adam(), optimizers.SGD(), optimizers.RMSprop()
    mapping = OptimizerMap(default_optimizer=rms)
    mapping["encoder/layer_0/dense"] = adam
    mapping["encoder/.*"] = sgd
    mapping["decoder"] = adam
    assert mapping["decoder"] is adam
    assert mapping["encoder/layer_0/dense"] is adam  # an exact key wins over patterns
    assert mapping["encoder/layer_0/attention/query"] is sgd
    assert mapping["decoder/layer_0/dense"] is rms  # patterns must match fully
    assert len(mapping) == 3 and list(mapping) == ["encoder/layer_0/dense", "encoder/.*", "decoder"]
    mapping["enc.*"] = adam
    with pytest.raises(ValueError, match="Multiple optimizers"):
        _ = mapping["encoder/x"]
    del mapping["enc.*"]
    assert mapping["encoder/x"] is sgd


def test_optimizer_map_refuses_bad_values():
    mapping = OptimizerMap(optimizers.SGD(), {"a": optimizers.Adam()})
    with pytest.raises(ValueError, match="already exists"):
        mapping["a"] = optimizers.SGD()
    with pytest.raises(ValueError, match="string"):
        mapping[3] = optimizers.SGD()
    with pytest.raises(ValueError, match="Optimizer instance"):
        mapping["b"] = "adam"
    with pytest.raises(ValueError, match="LossScaleOptimizer"):
        mapping["b"] = optimizers.LossScaleOptimizer(optimizers.SGD())
    with pytest.raises(ValueError, match="MultiOptimizer"):
        mapping["b"] = MultiOptimizer(OptimizerMap(optimizers.SGD()))
    with pytest.raises(TypeError, match="default_optimizer"):
        OptimizerMap("sgd")
    with pytest.raises(TypeError, match="optimizer_map"):
        OptimizerMap(optimizers.SGD(), [("a", optimizers.Adam())])


# ---- training ------------------------------------------------------------------------------
def test_fit_matches_keras_two_groups():
    keras = _keras()
    x, y = _data()
    theirs = _model(keras)
    ours = _model(tk)
    ours.set_weights(theirs.get_weights())
    theirs.compile(_two_groups(keras), "mse")
    ours.compile(_two_groups(tk), "mse")
    # 5 steps: batches of 4 over 8 samples, 3 epochs would be 6; use 5 explicit steps.
    for step in range(5):
        batch = slice(4 * (step % 2), 4 * (step % 2) + 4)
        theirs.train_on_batch(x[batch], y[batch])
        ours.train_on_batch(x[batch], y[batch])
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    opt = ours.optimizer
    assert int(opt.iterations) == 5
    assert [o.name for o in opt.optimizers] == ["adam", "sgd"]
    assert [int(o.iterations) for o in opt.optimizers] == [5, 5]
    assert [tuple(v.shape) for v in opt.variables] == [
        tuple(v.shape) for v in theirs.optimizer.variables
    ]
    for a, b in zip(opt.variables, theirs.optimizer.variables):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


def test_each_group_is_updated_by_its_own_optimizer():
    model = _model(tk)
    first = [w.detach().clone() for w in model.trainable_weights]
    frozen = optimizers.SGD(0.0)
    mover = optimizers.SGD(1.0)
    model.compile(MultiOptimizer(OptimizerMap(frozen, {"sequential/d2/kernel": mover})), "mse")
    model.fit(*_data(), epochs=1, batch_size=8, verbose=0)
    moved = [not torch.equal(a, b) for a, b in zip(first, model.trainable_weights)]
    assert moved == [False, False, True, False]
    assert mover._trainable_variables[0] is model.layers[1].kernel


def test_callable_map_and_functional_paths():
    inputs = tk.Input((3,))
    outputs = tk.layers.Dense(2, name="head")(tk.layers.Dense(4, name="body")(inputs))
    model = tk.Model(inputs, outputs)
    adam, sgd = optimizers.Adam(), optimizers.SGD()
    seen = []

    def select(variable):
        seen.append(variable.path)
        return adam if variable.path.startswith("head/") else sgd

    optimizer = MultiOptimizer(select)
    assert optimizer.optimizers == []
    model.compile(optimizer, "mse")
    model.fit(*_data(), epochs=1, batch_size=4, verbose=0)
    assert seen == ["body/kernel", "body/bias", "head/kernel", "head/bias"]  # Keras' paths
    assert optimizer.optimizers == [sgd, adam]
    assert int(adam.iterations) == int(sgd.iterations) == int(optimizer.iterations) == 2


def test_apply_directly_and_argument_checks():
    a = torch.nn.Parameter(torch.ones(2))
    b = torch.nn.Parameter(torch.ones(3))
    a.path, b.path = "x/a", "x/b"
    sgd, other = optimizers.SGD(0.5), optimizers.SGD(0.25)
    optimizer = MultiOptimizer(OptimizerMap(sgd, {"x/b": other}))
    with pytest.raises(ValueError, match="built"):
        optimizer.apply([torch.ones(2)])
    optimizer.apply([torch.ones(2), torch.ones(3)], [a, b])
    optimizer.apply([torch.ones(2), torch.ones(3)])  # the built variables
    torch.testing.assert_close(a.detach(), torch.zeros(2))
    torch.testing.assert_close(b.detach(), torch.full((3,), 0.5))
    with pytest.raises(ValueError, match="one-to-one"):
        optimizer.apply([torch.ones(2)], [a])
    with pytest.raises(AttributeError, match="Learning rate cannot be accessed"):
        _ = optimizer.learning_rate
    with pytest.raises(AttributeError, match="Learning rate cannot be set"):
        optimizer.learning_rate = 0.1
    with pytest.raises(ValueError, match="LossScaleOptimizer"):
        MultiOptimizer(lambda v: optimizers.LossScaleOptimizer(sgd)).build([a])


def test_loss_scale_factor_reaches_inner_optimizers():
    sgd, adam = optimizers.SGD(), optimizers.Adam()
    optimizer = MultiOptimizer(OptimizerMap(sgd, {"a": adam}), loss_scale_factor=8.0)
    assert sgd.loss_scale_factor == adam.loss_scale_factor == 8.0
    optimizer.loss_scale_factor = 2.0
    assert sgd.loss_scale_factor == adam.loss_scale_factor == 2.0
    model = _model(tk)
    model.compile(optimizer, "mse")
    reference = _model(tk)
    reference.set_weights(model.get_weights())
    reference.compile(_two_groups(tk), "mse")
    x, y = _data()
    model.train_on_batch(x, y)  # loss scaled by 2, gradients divided by 2: same update
    reference.compile(MultiOptimizer(OptimizerMap(optimizers.SGD(), {"a": optimizers.Adam()})),
                      "mse")
    reference.train_on_batch(x, y)
    for ours, theirs in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


# ---- config and saving -----------------------------------------------------------------------
def test_config_equals_keras_and_cross_loads():
    keras = _keras()
    ours = _two_groups(tk)
    theirs = _two_groups(keras)
    serialized = optimizers.serialize(ours)
    expected = keras.optimizers.serialize(theirs)
    inner = expected["config"]["optimizer_map"]["config"]
    for entry in [inner["default_optimizer"], *inner["optimizer_map"].values()]:
        # Keras names its torch-backend classes (module and registered name); both spellings load.
        entry["module"], entry["registered_name"] = "keras.optimizers", None
    assert _without_names(serialized) == _without_names(expected)  # Keras' counters are global
    back = optimizers.deserialize(keras.optimizers.serialize(theirs))
    assert isinstance(back, MultiOptimizer)
    assert _without_names(back.get_config()) == _without_names(ours.get_config())
    again = keras.optimizers.deserialize(serialized)
    assert keras.optimizers.serialize(again)["config"]["name"] == "multi_optimizer"


def test_save_and_load_model_restores_every_optimizer(tmp_path):
    x, y = _data()
    model = _model(tk)
    model.compile(_two_groups(tk), "mse")
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    path = str(tmp_path / "model.keras")
    model.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "Skipping variable loading" (Keras 3.15.1 skips)
        loaded = tk.models.load_model(path)
    assert isinstance(loaded.optimizer, MultiOptimizer)
    for a, b in zip(loaded.optimizer.variables, model.optimizer.variables):
        torch.testing.assert_close(a, b)
    model.fit(x, y, epochs=1, batch_size=4, verbose=0, shuffle=False)
    loaded.fit(x, y, epochs=1, batch_size=4, verbose=0, shuffle=False)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_weights_file_has_keras_layout(tmp_path):
    h5py = pytest.importorskip("h5py")
    model = _model(tk)
    model.compile(_two_groups(tk), "mse")
    model.fit(*_data(), epochs=1, batch_size=4, verbose=0)
    path = str(tmp_path / "model.weights.h5")
    model.save_weights(path)
    with h5py.File(path, "r") as h5:
        assert sorted(h5["optimizer/vars"]) == sorted(str(i) for i in range(12))
        assert sorted(h5["optimizer/optimizers"]) == ["adam", "sgd"]
        assert len(h5["optimizer/optimizers/adam/vars"]) == 6
        assert len(h5["optimizer/optimizers/sgd/vars"]) == 4


def test_ema_of_one_group_with_swap_ema_weights():
    model = _model(tk)
    ema = optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5)
    plain = optimizers.SGD(0.1)
    model.compile(MultiOptimizer(OptimizerMap(plain, {"sequential/d1/.*": ema})), "mse")
    swap = tk.callbacks.SwapEMAWeights()
    model.fit(*_data(), epochs=2, batch_size=4, verbose=0, callbacks=[swap])
    averages = ema._model_variables_moving_average
    torch.testing.assert_close(model.layers[0].kernel.detach(), averages[0])
    with pytest.raises(ValueError, match="at least one inner optimizer"):
        model.compile(_two_groups(tk), "mse")
        model.fit(*_data(), epochs=1, verbose=0, callbacks=[tk.callbacks.SwapEMAWeights(True)])


def test_fit_labels_paths_for_weight_decay_exclusion_as_keras():
    keras = _keras()
    x, y = _data()
    results = []
    for lib in (keras, tk):
        model = _model(lib)
        if results:
            model.set_weights(results[0][1])
        start = model.get_weights()
        optimizer = lib.optimizers.AdamW(0.1, weight_decay=0.5)
        optimizer.exclude_from_weight_decay(var_names=["bias", "d1"])  # names, not paths
        model.compile(optimizer, "mse")
        model.fit(x, y, epochs=2, batch_size=4, verbose=0, shuffle=False)
        results.append((model.get_weights(), start))
    for ours, theirs in zip(results[1][0], results[0][0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_keras_file_cross_loads(tmp_path):
    keras = _keras()
    x, y = _data()
    theirs = _model(keras)
    theirs.compile(_two_groups(keras), "mse")
    theirs.fit(x, y, epochs=2, batch_size=4, verbose=0)
    path = str(tmp_path / "keras.keras")
    theirs.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every optimizer variable found and loaded
        ours = tk.models.load_model(path)
    assert [int(o.iterations) for o in ours.optimizer.optimizers] == [4, 4]
    for a, b in zip(ours.optimizer.variables, theirs.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    ours.save(str(tmp_path / "ours.keras"))
    # Keras 3.15.1 reads the file, but (as with its own files) rebuilds the model's weights
    # with paths like "d1/kernel", so its regex map sends every weight to the default
    # optimizer and it skips the optimizer state with a warning.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = keras.models.load_model(str(tmp_path / "ours.keras"))
    assert type(again.optimizer).__name__ == "MultiOptimizer"
    for a, b in zip(again.get_weights(), ours.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_custom_loop_after_compile_and_warning_without_paths():
    model = _model(tk)
    optimizer = _two_groups(tk)
    model.compile(optimizer, "mse")  # a built model: its weights get their paths here
    x, y = (torch.from_numpy(a) for a in _data())
    loss = ((model(x) - y) ** 2).mean()
    grads = torch.autograd.grad(loss, model.trainable_weights)
    optimizer.apply(grads, model.trainable_weights)
    assert [len(o._trainable_variables) for o in optimizer.optimizers] == [2, 2]
    bare = [torch.nn.Parameter(torch.ones(2))]
    with pytest.warns(UserWarning, match="none of the variables has a `path`"):
        _two_groups(tk).build(bare)
