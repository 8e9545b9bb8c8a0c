"""`keras.utils` and the internal helpers beneath every other module (level 0)."""

from torchkeras.config import set_random_seed
from torchkeras.utils.audio_dataset import audio_dataset_from_directory
from torchkeras.utils.config_container import Config
from torchkeras.utils.dataset_split import split_dataset
from torchkeras.utils.dtype_utils import standardize_dtype
from torchkeras.utils.file_utils import get_file
from torchkeras.utils.history_plot import plot_history
from torchkeras.utils.image_dataset import image_dataset_from_directory
from torchkeras.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from torchkeras.utils.io_utils import (
    disable_interactive_logging,
    enable_interactive_logging,
    is_interactive_logging_enabled,
)
from torchkeras.utils.naming import clear_session
from torchkeras.utils.numerical import normalize, to_categorical
from torchkeras.utils.progbar import Progbar
from torchkeras.utils.py_dataset import PyDataset
from torchkeras.utils.sequences import pad_sequences
from torchkeras.utils.text_dataset import text_dataset_from_directory
from torchkeras.utils.timeseries import timeseries_dataset_from_array

Sequence = PyDataset  # Keras' older name of the same class

__all__ = [
    "Config",
    "Progbar",
    "PyDataset",
    "Sequence",
    "array_to_img",
    "audio_dataset_from_directory",
    "clear_session",
    "disable_interactive_logging",
    "enable_interactive_logging",
    "get_file",
    "image_dataset_from_directory",
    "img_to_array",
    "is_interactive_logging_enabled",
    "load_img",
    "normalize",
    "pad_sequences",
    "plot_history",
    "save_img",
    "set_random_seed",
    "split_dataset",
    "standardize_dtype",
    "text_dataset_from_directory",
    "timeseries_dataset_from_array",
    "to_categorical",
]
