"""`keras.utils` and the internal helpers beneath every other module (level 0)."""

from torchkeras.config import set_random_seed
from torchkeras.utils.file_utils import get_file
from torchkeras.utils.naming import clear_session
from torchkeras.utils.numerical import normalize, to_categorical
from torchkeras.utils.py_dataset import PyDataset

__all__ = [
    "PyDataset",
    "clear_session",
    "get_file",
    "normalize",
    "set_random_seed",
    "to_categorical",
]
