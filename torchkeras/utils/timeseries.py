"""`timeseries_dataset_from_array`: sliding windows over a series, batched for `fit`."""

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset


class TimeseriesWindows(Dataset):
    """Window `i` is `data[p_i + k * sampling_rate]` for `k < sequence_length` (with its target
    `targets[p_i]`), `p_i` the `i`-th start position (offsets from `start_index`)."""

    def __init__(self, data, targets, starts, sequence_length, sampling_rate):
        self.data, self.targets, self.starts = data, targets, starts
        self.steps = np.arange(sequence_length) * sampling_rate

    def __len__(self):
        return len(self.starts)

    def __getitem__(self, index):
        window = torch.as_tensor(np.asarray(self.data[self.starts[index] + self.steps]))
        if self.targets is None:
            return window
        return window, torch.as_tensor(np.asarray(self.targets[self.starts[index]]))

    def __getitems__(self, indices):
        """A whole batch in one gather (the `DataLoader` asks for batches this way)."""
        starts = self.starts[np.asarray(indices)]
        windows = torch.as_tensor(np.asarray(self.data[starts[:, None] + self.steps]))
        if self.targets is None:
            return windows
        return windows, torch.as_tensor(np.asarray(self.targets[starts]))


def _already_batched(batch):
    return batch


def _check(data, start_index, end_index, sampling_rate, sequence_stride):
    if start_index is not None and not 0 <= start_index < len(data):
        raise ValueError(
            "`start_index` must be 0 or greater and lower than the length of the data. "
            f"Received: start_index={start_index}, for data of length {len(data)}"
        )
    if end_index is not None and not (max(start_index or 0, 0) < end_index < len(data)):
        raise ValueError(
            "`end_index` must be higher than `start_index` and 0, and lower than the length of "
            f"the data. Received: start_index={start_index}, end_index={end_index}, for data "
            f"of length {len(data)}"
        )
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if not 0 < value < len(data):
            raise ValueError(
                f"`{name}` must be higher than 0 and lower than the length of the data. "
                f"Received: {name}={value}, for data of length {len(data)}"
            )


def timeseries_dataset_from_array(
    data,
    targets,
    sequence_length,
    sequence_stride=1,
    sampling_rate=1,
    batch_size=128,
    shuffle=False,
    seed=None,
    start_index=None,
    end_index=None,
    format="tf",
):
    """Sliding windows of `data` (and the target of each window's first step), batched.

    Keras returns a `tf.data.Dataset`; here the result is a torch `DataLoader` of
    `(windows, targets)` batches (windows alone when `targets` is None), which `fit`,
    `evaluate` and `predict` take as Keras' take that dataset. Window starts are the same as
    Keras'; with `shuffle` their order is a seeded shuffle of its own.

    Args:
        data: Array of timesteps, `(steps, ...)`.
        targets: Array with one target per step, or None.
        sequence_length: Number of timesteps in each window.
        sequence_stride: Steps between the starts of consecutive windows.
        sampling_rate: Steps between consecutive timesteps within a window.
        batch_size: Windows per batch; None for single windows.
        shuffle: Whether to shuffle the windows.
        seed: Seed of the shuffle.
        start_index, end_index: Only steps in `[start_index, end_index)` are used.
        format: `"tf"`, `"grain"` or `"torch"`: all give the torch `DataLoader`.
    """
    if format not in ("tf", "grain", "torch"):
        raise ValueError(f'`format` should be "tf", "grain" or "torch". Received: format={format}')
    _check(data, start_index, end_index, sampling_rate, sequence_stride)
    start = start_index or 0
    end = len(data) if end_index is None else end_index
    count = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        count = min(count, len(targets))
    starts = np.arange(0, max(count, 0), sequence_stride)
    if shuffle:
        rng = np.random.RandomState(np.random.randint(1e6) if seed is None else seed)
        rng.shuffle(starts)
    windows = TimeseriesWindows(
        data[start:end], None if targets is None else targets[start:end], starts,
        sequence_length, sampling_rate,
    )
    if batch_size is None:
        return windows
    return DataLoader(windows, batch_size=batch_size, shuffle=False, collate_fn=_already_batched)
