"""print_msg: the one place callbacks write progress messages ("Epoch 5: early stopping")."""

import sys

from torchkeras import distribution


def print_msg(message):
    """Writes `message` and a newline to standard output and flushes it, as Keras' `io_utils`.

    Args:
        message: The text to write; Keras' messages keep their leading newline.
    """
    if not distribution.is_chief():  # under data parallelism rank 0 speaks for every rank
        return
    sys.stdout.write(message + "\n")
    sys.stdout.flush()
