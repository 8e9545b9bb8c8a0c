"""ProgbarLogger: Keras' progress line (`32/32 ━━━━ 1s 3ms/step - loss: 0.69`), drawn with tqdm."""

import sys
import time

import tqdm

from torchkeras.callbacks.callback import Callback
from torchkeras.registry import CALLBACKS
from torchkeras.utils.progbar import format_value, interactive, write_line

_REFRESH_SECONDS = 0.1  # the bar reads (and so syncs on) log values at most this often


@CALLBACKS.register()
class ProgbarLogger(Callback):
    """Prints progress: a live bar per epoch with `verbose=1`, one line per epoch with `verbose=2`.

    Log values are read (a host sync on GPU) only when the bar redraws, at most ten times a
    second, and at the end of each epoch. Outside a terminal, `verbose=1` prints the final
    line of each epoch only, so log files stay readable.
    """

    def __init__(self):
        super().__init__()
        self._bar = None
        self._last_draw = 0.0
        self._started = 0.0
        self._steps_done = 0
        self._in_fit = False

    def set_params(self, params):
        super().set_params(params)
        self.verbose = params.get("verbose", 1)
        self.epochs = params.get("epochs", 1)
        self._live = self.verbose == 1 and interactive()

    def on_train_begin(self, logs=None):
        self._in_fit = True

    def on_train_end(self, logs=None):
        self._in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose:
            write_line(f"Epoch {epoch + 1}/{self.epochs}")
        self._begin()

    def on_train_batch_end(self, batch, logs=None):
        self._update(batch + 1, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._finish(logs)

    def on_test_begin(self, logs=None):
        if not self._in_fit:  # validation inside fit shows in the epoch's line instead
            self._begin()

    def on_test_batch_end(self, batch, logs=None):
        if not self._in_fit:
            self._update(batch + 1, logs)

    def on_test_end(self, logs=None):
        if not self._in_fit:
            self._finish(logs)

    def on_predict_begin(self, logs=None):
        self._begin()

    def on_predict_batch_end(self, batch, logs=None):
        self._update(batch + 1, None)

    def on_predict_end(self, logs=None):
        self._finish(None)

    def _begin(self):
        self._started = self._last_draw = time.perf_counter()
        self._steps_done = 0
        if self._live:
            self._bar = tqdm.tqdm(
                total=self.params.get("steps"),
                file=sys.stdout,
                ascii=" ━",
                bar_format="{n_fmt}/{total_fmt} {bar:20} {desc}",
                leave=True,
                mininterval=_REFRESH_SECONDS,
            )

    def _update(self, steps_done, logs):
        self._steps_done = steps_done
        if self._bar is None:
            return
        now = time.perf_counter()
        if now - self._last_draw < _REFRESH_SECONDS:
            return
        self._last_draw = now
        self._bar.n = steps_done
        self._bar.set_description_str(self._timing() + _format_logs(logs), refresh=True)

    def _finish(self, logs):
        if not self.verbose:
            return  # an explicit ProgbarLogger in a `verbose=0` call prints nothing, as Keras
        line = self._timing() + _format_logs(logs)
        if self._bar is not None:
            self._bar.n = self._steps_done
            self._bar.set_description_str(line, refresh=True)
            self._bar.close()
            self._bar = None
        else:
            steps = self.params.get("steps") or self._steps_done
            write_line(f"{self._steps_done}/{steps} - {self._timing(' - ')}{_format_logs(logs)}")

    def _timing(self, separator=" "):
        elapsed = time.perf_counter() - self._started
        per_step = elapsed / max(self._steps_done, 1)
        unit = f"{per_step * 1e3:.0f}ms" if per_step >= 1e-3 else f"{per_step * 1e6:.0f}us"
        return f"{elapsed:.0f}s{separator}{unit}/step"


def _format_logs(logs):
    if not logs:
        return ""
    return "".join(
        format_value(key, logs[key]) for key in sorted(logs) if isinstance(logs[key], (int, float))
    )
