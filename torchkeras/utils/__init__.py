"""`keras.utils` and the internal helpers beneath every other module (level 0)."""

from torchkeras.config import set_random_seed
from torchkeras.utils.dataset_split import split_dataset
from torchkeras.utils.file_utils import get_file
from torchkeras.utils.history_plot import plot_history
from torchkeras.utils.naming import clear_session
from torchkeras.utils.numerical import normalize, to_categorical
from torchkeras.utils.progbar import Progbar
from torchkeras.utils.py_dataset import PyDataset
from torchkeras.utils.sequences import pad_sequences
from torchkeras.utils.timeseries import timeseries_dataset_from_array

Sequence = PyDataset  # Keras' older name of the same class

__all__ = [
    "Progbar",
    "PyDataset",
    "Sequence",
    "clear_session",
    "get_file",
    "normalize",
    "pad_sequences",
    "plot_history",
    "set_random_seed",
    "split_dataset",
    "timeseries_dataset_from_array",
    "to_categorical",
]
