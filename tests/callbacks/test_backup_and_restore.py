"""BackupAndRestore: a fit killed and rerun ends exactly as an uninterrupted one."""

import inspect
import json
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

import torchkeras as keras
from torchkeras.callbacks.backup_and_restore import BackupAndRestore
from torchkeras.saving import weights_h5

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]

# The child: a seeded fit with Dropout, Adam, metrics, shuffling and a validation split. With a
# marker path it announces batch KILL_AFTER (batch 2 of epoch 2; the last backup was after
# batch 0) and sleeps until killed. `Noise` draws from NumPy and `random` during training.
SCRIPT = textwrap.dedent(
    """
    import json, random, sys, time
    import numpy as np
    import torch
    import torchkeras as keras
    from torchkeras.callbacks.backup_and_restore import BackupAndRestore

    backup_dir, out_path = sys.argv[1], sys.argv[2]
    marker = sys.argv[3] if len(sys.argv) > 3 else None
    KILL_AFTER = 17
    torch.set_num_threads(1)

    class Noise(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            np.random.rand()
            random.random()

    class Progress(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.batches, self.epoch, self.first = 0, None, None
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch
        def on_train_batch_begin(self, batch, logs=None):
            if self.first is None:
                self.first = [self.epoch, batch]
        def on_train_batch_end(self, batch, logs=None):
            self.batches += 1
            if marker and self.batches == KILL_AFTER:
                open(marker, "w").close()
                time.sleep(120)

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 8)).astype("float32")
    y = (x[:, :1] + 0.5 * x[:, 1:2] > 0).astype("float32")
    model = keras.Sequential([
        keras.Input((8,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
    progress = Progress()
    history = model.fit(
        x, y, batch_size=24, epochs=4, validation_split=0.2, shuffle=True, verbose=0,
        callbacks=[Noise(), BackupAndRestore(backup_dir, save_freq=3), progress],
    )
    arrays = {f"weight.{i}": w for i, w in enumerate(model.get_weights())}
    for i, variable in enumerate(model.optimizer.variables):
        arrays[f"optimizer.{i}"] = variable.cpu().numpy()
    arrays["draws"] = np.array([torch.rand(()).item(), np.random.rand(), random.random()])
    arrays["history"] = np.array(json.dumps([history.history, history.epoch]))
    arrays["first"] = np.array(progress.first)
    np.savez(out_path, **arrays)
    """
)


def _child(tmp_path, name, *args):
    script = tmp_path / "train.py"
    if not script.exists():
        script.write_text(SCRIPT)
    path = os.pathsep.join([str(REPOSITORY), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}
    out = tmp_path / f"{name}.npz"
    command = [sys.executable, str(script), str(tmp_path / f"{name}_backup"), str(out), *args]
    return subprocess.Popen(command, env=env, cwd=tmp_path), out


def _finish(process):
    assert process.wait(timeout=60) == 0


def _load(path):
    with np.load(path) as archive:
        return {key: archive[key] for key in archive.files}


def test_sigkill_mid_epoch_then_rerun_equals_uninterrupted_run(tmp_path):
    reference, reference_out = _child(tmp_path, "reference")
    marker = tmp_path / "killed_here"
    victim, victim_out = _child(tmp_path, "victim", str(marker))
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert victim.poll() is None, "the child ended before reaching the kill point"
        assert time.monotonic() < deadline, "the child never reached the kill point"
        time.sleep(0.01)
    os.kill(victim.pid, signal.SIGKILL)
    assert victim.wait(timeout=30) == -signal.SIGKILL
    assert not victim_out.exists()
    assert (tmp_path / "victim_backup" / "checkpoint.json").exists()
    rerun, _ = _child(tmp_path, "victim")  # the same script, same arguments minus the marker
    _finish(rerun)
    _finish(reference)
    expected, got = _load(reference_out), _load(victim_out)
    assert got["first"].tolist() == [2, 1]  # resumed at the batch after the backup
    assert expected["first"].tolist() == [0, 0]
    assert sorted(got) == sorted(expected)
    for key in expected:
        if key.startswith(("weight.", "optimizer.", "draws")):
            np.testing.assert_array_equal(got[key], expected[key], err_msg=key)
    history, epochs = json.loads(str(got["history"]))
    assert epochs == [0, 1, 2, 3]
    assert [history, epochs] == json.loads(str(expected["history"]))
    assert not (tmp_path / "victim_backup").exists()  # delete_checkpoint=True


# ---- in-process runs -----------------------------------------------------------------------
def _data():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 4)).astype("float32")
    return x, (x.sum(axis=1, keepdims=True) > 0).astype("float32")


def _model():
    keras.utils.set_random_seed(0)  # as a rerun of the script would
    model = keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
    return model


class _Recorder(keras.callbacks.Callback):
    """Records the (epoch, batch) of every training batch; raises at `stop_at` if given."""

    def __init__(self, stop_at=None):
        super().__init__()
        self.stop_at, self.seen, self.epoch = stop_at, [], None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        if (self.epoch, batch) == self.stop_at:
            raise KeyboardInterrupt
        self.seen.append((self.epoch, batch))


def _fit(model, backup, *extra, epochs=3, **kwargs):
    x, y = _data()
    return model.fit(
        x, y, batch_size=16, epochs=epochs, verbose=0, callbacks=[backup, *extra], **kwargs
    )


def _assert_same_run(model, history, reference, reference_history):
    for got, expected in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(got, expected)
    for got, expected in zip(model.optimizer.variables, reference.optimizer.variables):
        assert torch.equal(got, expected)
    assert history.history == reference_history.history
    assert history.epoch == reference_history.epoch


def _reference(tmp_path, **kwargs):
    model = _model()
    return model, _fit(model, BackupAndRestore(tmp_path / "reference"), **kwargs)


@pytest.mark.parametrize("failing", ["weights", "state"])
def test_failed_backup_write_leaves_previous_backup_loadable(tmp_path, monkeypatch, failing):
    reference, reference_history = _reference(tmp_path)
    calls = []

    def fail_midway(original):
        def write(*args, **kwargs):
            calls.append(1)
            if len(calls) == 2:  # the second backup dies while writing
                raise OSError("disk gone")
            return original(*args, **kwargs)
        return write

    if failing == "weights":
        original = weights_h5.write_model_weights
        monkeypatch.setattr(weights_h5, "write_model_weights", fail_midway(original))
    else:
        monkeypatch.setattr(np, "savez", fail_midway(np.savez))
    backup_dir = tmp_path / "backup"
    with pytest.raises(OSError, match="disk gone"):
        _fit(_model(), BackupAndRestore(backup_dir, save_freq=3))
    monkeypatch.undo()
    assert json.loads((backup_dir / "checkpoint.json").read_text()) == {"generation": 1}
    assert not [name for name in os.listdir(backup_dir) if name.endswith(".tmp")]
    model, recorder = _model(), _Recorder()
    history = _fit(model, BackupAndRestore(backup_dir, save_freq=3), recorder)
    assert recorder.seen[0] == (0, 3)  # after the first backup's batch
    _assert_same_run(model, history, reference, reference_history)


def test_double_checkpoint_falls_back_to_the_previous_backup(tmp_path):
    reference, reference_history = _reference(tmp_path)
    backup_dir = tmp_path / "backup"
    with pytest.raises(KeyboardInterrupt):
        _fit(_model(), BackupAndRestore(backup_dir, 2, double_checkpoint=True), _Recorder((1, 2)))
    kept = [f"backup-{g}.{kind}" for g in (2, 3) for kind in ("state.npz", "weights.h5")]
    assert sorted(os.listdir(backup_dir)) == kept + ["checkpoint.json"]
    (backup_dir / "backup-3.weights.h5").write_bytes(b"truncated")  # the latest is unreadable
    model, recorder = _model(), _Recorder()
    with pytest.warns(UserWarning, match="restoring the previous one"):
        history = _fit(model, BackupAndRestore(backup_dir, 2, double_checkpoint=True), recorder)
    # Backup 2 was taken after the last batch of epoch 0: only that epoch's end remained.
    assert recorder.seen[0] == (1, 0)
    _assert_same_run(model, history, reference, reference_history)


def test_shuffling_dataloader_resumes_mid_epoch_exactly(tmp_path):
    x, y = (torch.from_numpy(array) for array in _data())

    def fit(model, backup_dir, *extra):
        loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)
        backup = BackupAndRestore(backup_dir, save_freq=3)
        return model.fit(loader, epochs=3, verbose=0, callbacks=[backup, *extra])

    reference = _model()
    reference_history = fit(reference, tmp_path / "reference")
    with pytest.raises(KeyboardInterrupt):
        fit(_model(), tmp_path / "backup", _Recorder((1, 3)))
    model, recorder = _model(), _Recorder()
    history = fit(model, tmp_path / "backup", recorder)
    assert recorder.seen[0] == (1, 2)  # the loader's order is drawn again, two batches skipped
    _assert_same_run(model, history, reference, reference_history)


def test_epoch_backup_resumes_at_the_next_epoch(tmp_path):
    reference, reference_history = _reference(tmp_path, epochs=4)
    backup_dir = tmp_path / "backup"
    with pytest.raises(KeyboardInterrupt):
        _fit(_model(), BackupAndRestore(backup_dir), _Recorder((2, 1)), epochs=4)
    model, recorder = _model(), _Recorder()
    history = _fit(model, BackupAndRestore(backup_dir), recorder, epochs=4)
    assert recorder.seen[0] == (2, 0)  # Keras' rule: the interrupted epoch starts again
    _assert_same_run(model, history, reference, reference_history)
    assert not backup_dir.exists()


def test_delete_checkpoint_false_keeps_the_backup(tmp_path):
    backup_dir = tmp_path / "backup"
    first = _fit(_model(), BackupAndRestore(backup_dir, delete_checkpoint=False))
    assert sorted(os.listdir(backup_dir)) == [
        "backup-3.state.npz", "backup-3.weights.h5", "checkpoint.json"
    ]
    recorder = _Recorder()
    again = _fit(_model(), BackupAndRestore(backup_dir, delete_checkpoint=False), recorder)
    assert recorder.seen == []  # every epoch was already done
    assert again.history == first.history and again.epoch == [0, 1, 2]
    _fit(_model(), BackupAndRestore(backup_dir))
    assert not backup_dir.exists()


def test_arguments_follow_keras(tmp_path):
    names = list(inspect.signature(BackupAndRestore).parameters)
    assert names == ["backup_dir", "save_freq", "double_checkpoint", "delete_checkpoint"]
    with pytest.raises(ValueError, match="Empty `backup_dir`"):
        BackupAndRestore("")
    with pytest.raises(ValueError, match="save_freq"):
        BackupAndRestore(tmp_path, save_freq="batch")
    unbuilt = keras.Sequential([keras.layers.Dense(1)])
    unbuilt.compile("sgd", "mse")
    with pytest.raises(ValueError, match="must be built"):
        _fit(unbuilt, BackupAndRestore(tmp_path / "b"))
    backup = BackupAndRestore(tmp_path / "b")
    assert not backup.overrides("on_train_batch_end")
    assert BackupAndRestore(tmp_path / "b", save_freq=5).overrides("on_train_batch_end")
