"""PyDataset: Keras' base class for a Python data source that serves whole batches by index."""


class PyDataset:
    """Subclass it and define `__len__` (number of batches) and `__getitem__(index)` (a batch).

    A batch is `x`, `(x, y)` or `(x, y, sample_weight)`, as numpy arrays or tensors. `fit`
    calls `on_epoch_end()` after each pass. Worker arguments are accepted for compatibility;
    batches are read in the training process (use a torch `DataLoader` for parallel loading).

    Args:
        workers: Number of workers Keras would use (recorded only).
        use_multiprocessing: Whether Keras would use processes (recorded only).
        max_queue_size: Keras' prefetch queue size (recorded only).
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    @property
    def num_batches(self):
        """Number of batches per epoch (`len(self)`)."""
        return len(self)

    def on_epoch_begin(self):
        """Called before each epoch; override to reshuffle or reload."""

    def on_epoch_end(self):
        """Called after each epoch; override to reshuffle or reload."""
