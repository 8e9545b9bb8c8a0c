"""Where messages go: stdout while interactive logging is on (Keras' default), else `logging`.

`disable_interactive_logging()` suits jobs on servers: progress lines and messages such as
"Found 10 files belonging to 2 classes." then go to the `torchkeras` logger at INFO level (Keras
sends them to `absl.logging`), and no live progress bar is drawn. `clear_session` turns it back
on, as Keras' does.
"""

import logging
import sys

from torchkeras import config

LOGGER = logging.getLogger("torchkeras")
_KEY = "interactive_logging"


def enable_interactive_logging():
    """Sends logs and progress bars to stdout (the default)."""
    config.session_state()[_KEY] = True


def disable_interactive_logging():
    """Sends logs and progress lines to the `torchkeras` Python logger (INFO) instead of stdout."""
    config.session_state()[_KEY] = False


def is_interactive_logging_enabled():
    """Whether logs go to stdout (True) or to the `torchkeras` logger (False)."""
    return config.session_state().get(_KEY, True)


def print_msg(message, line_break=True):
    """Writes `message` to stdout, or logs it at INFO when interactive logging is off."""
    message = str(message)
    if not is_interactive_logging_enabled():
        LOGGER.info(message)
        return
    message = f"{message}\n" if line_break else message
    try:
        sys.stdout.write(message)
    except UnicodeEncodeError:  # a non-UTF-8 stdout: Keras' fallback, '━' drawn as '='
        encoding = sys.stdout.encoding or "utf-8"
        message = message.replace("━", "=").encode(encoding, errors="ignore").decode(encoding)
        sys.stdout.write(message)
    sys.stdout.flush()
