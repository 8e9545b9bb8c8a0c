"""What `BackupAndRestore` keeps beside the weights: random generator states and a resume point.

A state file is one `.npz` (no pickles) written through `atomic_write`: a JSON `metadata`
string plus arrays, the random generator states under a prefix (`epoch.torch`,
`step.numpy`, ...) and the metrics' running state as `metrics.0`, `metrics.1`, ...
"""

import json
import math
import random
import warnings

import numpy as np
import torch

from torchkeras.utils.atomic_io import atomic_write


def capture_rng():
    """The states of torch's CPU (and, once initialised, CUDA) generators, NumPy and `random`.

    Returns:
        A dict of numpy arrays (copies), restorable with `restore_rng`.
    """
    states = {"torch": torch.get_rng_state().numpy().copy()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        for index, state in enumerate(torch.cuda.get_rng_state_all()):
            states[f"cuda.{index}"] = state.numpy().copy()
    _, keys, pos, has_gauss, cached = np.random.get_state()
    states["numpy"] = np.array(keys, dtype=np.uint32)
    states["numpy_extra"] = np.array([pos, has_gauss, cached], dtype=np.float64)
    version, internal, gauss_next = random.getstate()
    states["python"] = np.array(internal, dtype=np.int64)
    gauss = math.nan if gauss_next is None else gauss_next
    states["python_extra"] = np.array([version, gauss], dtype=np.float64)
    return states


def restore_rng(states):
    """Sets every generator `capture_rng` recorded back to its recorded state."""
    torch.set_rng_state(torch.from_numpy(np.asarray(states["torch"], dtype=np.uint8).copy()))
    cuda = sorted((key for key in states if key.startswith("cuda.")), key=_index)
    if cuda and torch.cuda.is_available():
        if len(cuda) != torch.cuda.device_count():
            warnings.warn(
                f"The backup holds {len(cuda)} CUDA generator states but "
                f"{torch.cuda.device_count()} devices are visible; CUDA states not restored.",
                stacklevel=3,
            )
        else:
            torch.cuda.set_rng_state_all(
                [torch.from_numpy(np.asarray(states[key], dtype=np.uint8).copy()) for key in cuda]
            )
    pos, has_gauss, cached = states["numpy_extra"].tolist()
    np.random.set_state(("MT19937", states["numpy"], int(pos), int(has_gauss), cached))
    version, gauss = states["python_extra"].tolist()
    internal = tuple(int(value) for value in states["python"])
    random.setstate((int(version), internal, None if math.isnan(gauss) else gauss))


def write_state(path, metadata, rng=None, metric_values=()):
    """Writes a state file atomically.

    Args:
        path: Destination `.npz` path.
        metadata: JSON-serialisable dict (position, history, ...).
        rng: `{prefix: capture_rng() result}`.
        metric_values: Numpy arrays, one per metric variable, in `model.metrics_variables` order.
    """
    arrays = {"metadata": np.array(json.dumps(metadata, default=_jsonable))}
    for prefix, states in (rng or {}).items():
        arrays.update({f"{prefix}.{key}": value for key, value in states.items()})
    arrays.update({f"metrics.{i}": value for i, value in enumerate(metric_values)})
    with atomic_write(path, "w+b") as file:
        np.savez(file, **arrays)


def read_state(path):
    """Reads a state file: `(metadata, {prefix: rng states}, [metric values])`."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    metadata = json.loads(str(arrays.pop("metadata")))
    metric_values = [arrays.pop(f"metrics.{i}") for i in range(metadata["metric_count"])]
    rng = {}
    for key, value in arrays.items():
        prefix, _, name = key.partition(".")
        rng.setdefault(prefix, {})[name] = value
    return metadata, rng, metric_values


class TrainingResume:
    """Where a restored `fit` continues, handed to the trainer through the model.

    `fit` reads it once, after `on_train_begin`: it starts at `epoch`, fills its History with
    the backed-up epochs and, when `step > 0`, skips the epoch's first `step` batches (drawing
    the same order) and calls `restore_running_state` before the next batch.

    Args:
        epoch: Epoch to continue (0-based).
        step: Index of the next batch in that epoch (0: the epoch starts afresh).
        history: History's `{key: [values]}` of the epochs already finished.
        epochs: Their epoch indices.
        step_rng: Generator states right after batch `step - 1` (None when `step` is 0).
        metric_values: The metrics' running state then, in `model.metrics_variables` order.
    """

    def __init__(self, epoch, step, history, epochs, step_rng=None, metric_values=()):
        self.epoch = epoch
        self.step = step
        self.history = history
        self.epochs = epochs
        self.step_rng = step_rng
        self.metric_values = list(metric_values)

    def restore_running_state(self, model):
        """Puts the metrics' running state and the random generators back as they were."""
        variables = model.metrics_variables
        if len(variables) == len(self.metric_values):
            for variable, value in zip(variables, self.metric_values):
                variable.assign(value)
        else:
            model.reset_metrics()
            warnings.warn(
                f"The backup holds {len(self.metric_values)} metric variables but the model "
                f"has {len(variables)}; the epoch's metrics restart from this batch.",
                stacklevel=2,
            )
        if self.step_rng is not None:
            restore_rng(self.step_rng)


def _index(key):
    return int(key.rpartition(".")[2])


def _jsonable(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"Cannot write {type(value).__name__} {value!r} to a backup.")
