"""`keras.datasets.cifar100`: 60,000 32x32 colour images of 100 classes (20 coarse groups)."""

import os

from torchkeras.datasets.cifar import as_column, load_batch, to_image_format
from torchkeras.utils.file_utils import get_file

_ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
_SHA256 = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"


def load_data(label_mode="fine"):
    """Returns `(x_train, y_train), (x_test, y_test)` as cifar10's, with 100 `"fine"` or 20
    `"coarse"` labels.

    Args:
        label_mode: `"fine"` or `"coarse"`.
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(
            f"`label_mode` must be one of `'fine'`, `'coarse'`. Received: label_mode={label_mode}."
        )
    root = get_file(fname="cifar-100-python-target", origin=_ORIGIN, extract=True,
                    file_hash=_SHA256)
    folder = os.path.join(root, "cifar-100-python")
    x_train, y_train = load_batch(os.path.join(folder, "train"), f"{label_mode}_labels")
    x_test, y_test = load_batch(os.path.join(folder, "test"), f"{label_mode}_labels")
    x_train, x_test = to_image_format(x_train, x_test)
    return (x_train, as_column(y_train, "int64")), (x_test, as_column(y_test, "int64"))
