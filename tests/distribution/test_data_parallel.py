"""Data-parallel fit/evaluate/predict on 2 CPU processes (gloo) against 1 process."""

import json
import os

import numpy as np
import pytest
import torch

import dp_harness
import dp_scenarios
from torchkeras import distribution
from torchkeras.distribution.sharding import Shard


def _load(folder, name):
    with open(os.path.join(folder, f"{name}.json")) as file:
        return json.load(file)


def _weights(folder, name):
    with np.load(os.path.join(folder, f"{name}.npz")) as found:
        return {key: found[key] for key in found.files}


@pytest.fixture(scope="module")
def equivalence_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("equivalence")
    dp_harness.run_ranks(dp_scenarios.equivalence, folder, timeout=60)
    return folder


def test_two_processes_train_like_one_on_the_same_global_batches(equivalence_run, capsys):
    x, y = dp_scenarios.mnist_like()
    model = dp_scenarios.mnist_mlp()
    history, evaluation, predictions = dp_scenarios.train(model, x, y, verbose=0)
    for rank in (0, 1):
        found = _load(equivalence_run, f"arrays{rank}")
        assert found["history"].keys() == history.keys()
        for key, values in history.items():
            np.testing.assert_allclose(found["history"][key], values, rtol=1e-5, atol=1e-6)
        for key, value in evaluation.items():
            assert found["evaluation"][key] == pytest.approx(value, rel=1e-5, abs=1e-6)
        weights = _weights(equivalence_run, f"arrays{rank}")
        for index, expected in enumerate(model.get_weights()):
            np.testing.assert_allclose(weights[f"arr_{index}"], expected, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(weights["predictions"], predictions, rtol=1e-5, atol=1e-6)


def test_a_data_loader_is_sharded_like_arrays(equivalence_run):
    x, y = dp_scenarios.mnist_like()
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=16
    )
    model = dp_scenarios.mnist_mlp()
    history = model.fit(loader, epochs=2, verbose=0).history
    for rank in (0, 1):
        found = _load(equivalence_run, f"loader{rank}")
        for key, values in history.items():
            np.testing.assert_allclose(found[key], values, rtol=1e-5, atol=1e-6)
        weights = _weights(equivalence_run, f"loader{rank}")
        for index, expected in enumerate(model.get_weights()):
            np.testing.assert_allclose(weights[f"arr_{index}"], expected, rtol=1e-5, atol=1e-5)


def test_synchronized_batch_normalization_uses_global_batch_statistics(equivalence_run):
    model = dp_scenarios.batch_norm_model()
    model.fit(*dp_scenarios.regression(), batch_size=16, epochs=2, shuffle=False, verbose=0)
    for rank in (0, 1):
        weights = _weights(equivalence_run, f"batch_norm{rank}")
        for index, expected in enumerate(model.get_weights()):  # moving statistics included
            np.testing.assert_allclose(weights[f"arr_{index}"], expected, rtol=1e-5, atol=1e-5)


def test_only_rank_zero_prints_and_writes(equivalence_run):
    for written in ("log{}.csv", "best{}.weights.h5", "backup{}/checkpoint.json"):
        assert os.path.exists(equivalence_run / written.format(0))
        assert not os.path.exists(equivalence_run / written.format(1))
    assert "Epoch 3/3" in (equivalence_run / "stdout0.txt").read_text()
    assert (equivalence_run / "stdout1.txt").read_text() == ""
    assert "rank=1 of 2" in (equivalence_run / "distribution1.txt").read_text()


def test_shuffled_shards_are_disjoint_and_cover_the_data(tmp_path):
    dp_harness.run_ranks(dp_scenarios.shards, tmp_path, timeout=60)
    ranks = [_load(tmp_path, f"shards{rank}") for rank in (0, 1)]
    for source in ("arrays", "dataset"):
        orders = []
        for epoch in range(2):
            steps = [ranks[0][source][epoch], ranks[1][source][epoch]]
            assert len(steps[0]) == len(steps[1]) == 6  # ceil(45 / 8) global batches
            rows = [row for step in zip(*steps) for part in step for row in part]
            assert sorted(rows) == list(range(45))  # disjoint, and every sample once
            orders.append(rows)
        assert orders[0] != orders[1] and orders[0] != sorted(orders[0])  # reshuffled
    assert ranks[0]["weights"] == ranks[1]["weights"]  # the replicas stay identical


def test_uneven_data_finishes_without_deadlock(tmp_path):
    dp_harness.run_ranks(dp_scenarios.uneven, tmp_path, timeout=60)
    ranks = [_load(tmp_path, f"uneven{rank}") for rank in (0, 1)]
    for found in ranks:
        assert "between 30 and 47 samples" in found["sharded_arrays"]
        assert len(found["local_arrays"]) == 2 and len(found["generator"]) == 1
    assert ranks[0]["local_arrays"] == ranks[1]["local_arrays"]  # aggregated logs
    assert ranks[0]["batches"] == ranks[1]["batches"] == [0, 1]  # rank 1 stopped both
    assert ranks[0]["weights"] == ranks[1]["weights"]


@pytest.mark.parametrize("size, expected", [
    (16, [(0, 8, 8), (8, 16, 8)]),
    (5, [(0, 3, 3), (3, 5, 2)]),
    (1, [(0, 1, 1), (0, 1, 0)]),  # rank 1 runs a padding row that counts for nothing
])
def test_shard_rows(size, expected):
    assert [Shard(rank, 2).rows(size) for rank in (0, 1)] == expected


def test_single_process_has_no_distribution():
    assert distribution.distribution() is None
    assert distribution.sharding_mode() is None
    assert distribution.list_devices("cpu") == ["cpu:0"]
    with pytest.raises(ValueError, match="device_mesh"):
        distribution.DataParallel(device_mesh=[2])
    with pytest.raises(ValueError, match="device_type"):
        distribution.list_devices("tpu")


def test_backup_and_restore_resumes_every_rank_at_the_same_point(tmp_path):
    dp_harness.run_ranks(dp_scenarios.resume, tmp_path, timeout=60)
    for rank in (0, 1):
        found = _load(tmp_path, f"resume{rank}")
        assert found["same_weights"]
        for key, values in found["straight"].items():
            np.testing.assert_allclose(found["resumed"][key], values, rtol=1e-6)
