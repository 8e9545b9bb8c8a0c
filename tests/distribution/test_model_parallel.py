"""ModelParallel (FSDP2 `fully_shard`) on 2 CPU processes (gloo) against 1 process."""

import importlib
import json
import os

import numpy as np
import pytest
from torch.multiprocessing import ProcessExitedException

import dp_harness
import mp_scenarios
import torchkeras as keras
from torchkeras import distribution
from torchkeras.distribution import fully_sharded

# Local shard shapes on each of 2 ranks: a layout cuts Dense kernels' columns and Conv2D
# kernels' filters; unmatched weights (the Conv2D bias) are cut along their first axis.
SHARDS = {
    "mlp": [[64, 8], [8], [16, 5], [5]],  # kernels (64, 16), (16, 10); biases (16,), (10,)
    "conv": [[3, 3, 1, 2], [2], [64, 5], [5]],  # kernel (3, 3, 1, 4), bias (4,); dense (64, 10)
    "batch_norm": [[8, 3], [3], [3], [6, 5], [5]],  # gamma, beta (6,): first axis
    "regularized": [[8, 8], [8], [16, 5], [5]],
    "hybrid_1x2": [[64, 8], [8], [16, 5], [5]],  # cut over the model axis (2)
    "hybrid_2x1": [[64, 16], [16], [16, 10], [10]],  # model axis of 1: whole, replicated
}


@pytest.fixture(scope="module")
def sharded_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sharded")
    try:
        dp_harness.run_ranks(mp_scenarios.sharded, folder, timeout=90)
    except ProcessExitedException as error:
        # An FSDP model alive at interpreter exit can abort a CPU process ("terminate called
        # without an active exception"; plain torch too). The scenario frees its models
        # first; should one still abort after writing all its results, accept the run.
        finished = all((folder / f"sharded{rank}.json").exists() for rank in (0, 1))
        if error.signal_name != "SIGABRT" or not finished:
            raise
    return folder, [_load(folder, f"sharded{rank}") for rank in (0, 1)]


@pytest.fixture(scope="module")
def single_runs():
    """Each model trained by 1 process on the same global batches: weights, history,
    predictions."""
    found = {}
    for name, (_, shape) in mp_scenarios.MODELS.items():
        x, y = mp_scenarios.data(shape)
        model = mp_scenarios.compiled(name)
        history = mp_scenarios.train(model, x, y)
        found[name] = (model.get_weights(), history, model.predict(x, batch_size=10, verbose=0))
    return found


def _load(folder, name):
    with open(os.path.join(folder, f"{name}.json")) as file:
        return json.load(file)


@pytest.mark.parametrize("name", sorted(mp_scenarios.MODELS))
def test_sharded_training_equals_one_process(sharded_run, single_runs, name):
    folder, ranks = sharded_run
    weights, history, predictions = single_runs[name]
    for rank in (0, 1):
        found = ranks[rank][name]
        assert found["history"].keys() == history.keys()
        for key, values in history.items():
            np.testing.assert_allclose(found["history"][key], values, rtol=1e-5, atol=1e-6)
        with np.load(os.path.join(folder, f"{name}{rank}.npz")) as saved:
            for index, expected in enumerate(weights):  # get_weights gathers full values
                np.testing.assert_allclose(saved[f"arr_{index}"], expected, rtol=1e-5, atol=1e-5)
            np.testing.assert_allclose(saved["predictions"], predictions, rtol=1e-5, atol=1e-6)


def test_an_even_split_trains_like_one_process(sharded_run):
    folder, ranks = sharded_run
    model = mp_scenarios.compiled("mlp")
    history = mp_scenarios.train(model, *mp_scenarios.data((8, 8), samples=32), batch_size=16)
    for rank in (0, 1):
        np.testing.assert_allclose(ranks[rank]["even"]["history"]["loss"], history["loss"],
                                   rtol=1e-5)
        with np.load(os.path.join(folder, f"even{rank}.npz")) as saved:
            for index, expected in enumerate(model.get_weights()):
                np.testing.assert_allclose(saved[f"arr_{index}"], expected, rtol=1e-5, atol=1e-5)


def test_checkpoint_callbacks_save_a_sharded_model_from_rank_0(sharded_run, single_runs):
    """ModelCheckpoint and BackupAndRestore gather on every rank (no deadlock); rank 0's files
    hold the full weights; the regularized fit equals one process'."""
    folder, ranks = sharded_run
    weights, history, _ = single_runs["regularized"]
    for rank in (0, 1):
        for key, values in history.items():
            np.testing.assert_allclose(ranks[rank]["checkpointed"]["history"][key], values,
                                       rtol=1e-5)
    last = keras.saving.load_model(os.path.join(folder, "ckpt-2.keras"))
    for found, expected in zip(last.get_weights(), weights):
        np.testing.assert_allclose(found, expected, rtol=1e-5, atol=1e-6)
    backups = sorted(os.listdir(folder / "backup"))
    assert "checkpoint.json" in backups and any(name.endswith(".weights.h5") for name in backups)


@pytest.mark.parametrize("mesh", sorted(mp_scenarios.MESHES))
def test_a_two_axis_mesh_is_hybrid_sharding(sharded_run, single_runs, mesh):
    folder, ranks = sharded_run
    weights, history, _ = single_runs["mlp"]
    for rank in (0, 1):
        for key, values in history.items():
            np.testing.assert_allclose(ranks[rank][mesh]["history"][key], values, rtol=1e-5)
        with np.load(os.path.join(folder, f"{mesh}{rank}.npz")) as saved:
            for index, expected in enumerate(weights):
                np.testing.assert_allclose(saved[f"arr_{index}"], expected, rtol=1e-5, atol=1e-5)
        assert ranks[rank][mesh]["weights"] == SHARDS[mesh]


@pytest.mark.parametrize("name", sorted(mp_scenarios.MODELS))
def test_each_rank_holds_only_its_shard_of_weights_and_adam_moments(sharded_run, name):
    _, ranks = sharded_run
    for rank in (0, 1):
        found = ranks[rank][name]
        for key in ("weights", "momentums", "velocities"):
            assert found[key] == SHARDS[name], key
        assert "Dense" in found["classes"]  # Keras' class names survive fully_shard


@pytest.mark.parametrize("name", sorted(mp_scenarios.MODELS))
def test_files_saved_sharded_load_in_one_process(sharded_run, name):
    folder, ranks = sharded_run
    x, _ = mp_scenarios.data(mp_scenarios.MODELS[name][1])
    with np.load(os.path.join(folder, f"{name}0.npz")) as saved:
        predictions = saved["predictions"]
    loaded = keras.saving.load_model(os.path.join(folder, f"{name}0.keras"))
    np.testing.assert_allclose(loaded.predict(x, verbose=0), predictions, rtol=1e-6, atol=1e-6)
    assert int(loaded.optimizer.iterations) == 8  # 2 epochs of 4 global batches
    plain = mp_scenarios.compiled(name)
    plain.load_weights(os.path.join(folder, f"{name}0.weights.h5"))
    np.testing.assert_allclose(plain.predict(x, verbose=0), predictions, rtol=1e-6, atol=1e-6)
    for rank in (0, 1):  # and back into a sharded model: load_weights, set_weights
        assert ranks[rank][name]["loaded"] == {
            "from_file": 0.0, "from_arrays": 0.0, "optimizer": 0.0
        }
    for written in (f"{name}1.keras", f"{name}1.weights.h5"):
        assert not os.path.exists(folder / written)  # rank 1 gathered but did not write


def test_real_keras_loads_a_sharded_runs_archive(sharded_run):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        real = importlib.import_module("keras")
    except ImportError:
        pytest.skip("real Keras is not installed")
    folder, _ = sharded_run
    x, _ = mp_scenarios.data((6, 6, 1))
    with np.load(os.path.join(folder, "conv0.npz")) as saved:
        predictions = saved["predictions"]
    theirs = real.models.load_model(os.path.join(folder, "conv0.keras"))
    np.testing.assert_allclose(theirs.predict(x, verbose=0), predictions, rtol=1e-6, atol=1e-6)


def test_bad_arguments_raise_value_errors_naming_them(sharded_run):
    _, ranks = sharded_run
    for rank in (0, 1):
        errors = ranks[rank]["errors"]
        assert "`layout_map`'s device_mesh has shape (4,)" in errors["mesh"]
        assert "2 process(es)" in errors["mesh"]
        assert "no key of the `layout_map` (['.*lstm.*kernel'])" in errors["layout_map"]
        assert "sequential/dense/kernel" in errors["layout_map"]
        assert "was sharded by ModelParallel" in errors["replicate"]


def test_api_checks_in_one_process():
    with pytest.raises(ValueError, match="same length"):
        distribution.DeviceMesh((2,), ("batch", "model"), devices=["cpu:0", "cpu:1"])
    with pytest.raises(ValueError, match="2 positions, but there are 1 devices"):
        distribution.DeviceMesh((2,), ("model",))  # one process: one device
    mesh = distribution.DeviceMesh((1,), ("model",))
    with pytest.raises(ValueError, match="not axes of the mesh"):
        distribution.TensorLayout(("batch",), mesh)
    layouts = distribution.LayoutMap(mesh)
    layouts[".*kernel"] = (None, "model")
    layouts["d.*"] = ("model",)
    assert layouts["dense/bias"].axes == ("model",) and layouts["x/bias"] is None
    with pytest.raises(ValueError, match="matches several keys"):
        layouts["dense/kernel"]
    with pytest.raises(ValueError, match="must be a LayoutMap"):
        distribution.ModelParallel(layout_map={".*": ("model",)})
    with pytest.raises(ValueError, match="`batch_dim_name` 'data'"):
        distribution.ModelParallel(layout_map=layouts, batch_dim_name="data")
    model = mp_scenarios.mlp()
    assert [path for _, _, path in fully_sharded.weight_paths(model)] == [
        "sequential/dense/kernel", "sequential/dense/bias",
        "sequential/dense_1/kernel", "sequential/dense_1/bias",
    ]  # Keras' variable.path
    layouts = mp_scenarios.layout_map(mesh)
    units, dims = fully_sharded.plan(model, layouts)
    assert units == [model.layers[2], model.layers[1]]  # children before parents
    assert [dims[id(w)] for w in model.trainable_weights] == [1, 0, 1, 0]


def test_model_parallel_is_a_distribution_but_not_data_parallel():
    layouts = mp_scenarios.layout_map(distribution.DeviceMesh((1,), ("model",)))
    current = distribution.ModelParallel(layout_map=layouts)
    assert not isinstance(current, distribution.DataParallel)
    with current.scope():
        assert distribution.distribution() is current
        assert distribution.sharding_mode() is None  # one process: nothing to shard
    assert current.num_model_replicas == 1 and current.shard_axis == "model"


def test_models_that_cannot_be_sharded_are_refused_before_any_collective():
    layouts = mp_scenarios.layout_map(distribution.DeviceMesh((1,), ("model",)))
    current = distribution.ModelParallel(layout_map=layouts)
    unbuilt = keras.Sequential([keras.layers.Dense(3)])
    with pytest.raises(ValueError, match="must be built before it is sharded"):
        fully_sharded.attach(unbuilt, current)
    trained = mp_scenarios.compiled("mlp")
    trained.fit(*mp_scenarios.data((8, 8), samples=4), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="call `compile\\(\\)` again"):
        fully_sharded.attach(trained, current)
    factored = mp_scenarios.mlp()
    factored.compile(optimizer="adafactor", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="compiled with Adafactor"):
        fully_sharded.attach(factored, current)
