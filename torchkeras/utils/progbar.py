"""`keras.utils.Progbar`: Keras' progress line for hand-written loops, drawn with tqdm.

`update(current, values)` averages each value over the steps it covered (Keras' rule) unless its
name is in `stateful_metrics`, which are shown as given. `verbose=1` draws a live bar in a
terminal (the final line only elsewhere), `verbose=2` prints one line when finished.
"""

import sys
import time

import tqdm

from torchkeras.utils import io_utils


def format_value(name, value):
    """` - name: 0.1234` (`4e` notation below 1e-3), as Keras prints a logged number."""
    return f" - {name}: {value:.4f}" if abs(value) >= 1e-3 else f" - {name}: {value:.4e}"


def interactive():
    """Whether stdout is a terminal (a live bar there; final lines only in files and logs) and
    interactive logging is on."""
    if not io_utils.is_interactive_logging_enabled():
        return False
    return hasattr(sys.stdout, "isatty") and sys.stdout.isatty()


def write_line(line):
    """One line to stdout, or to the `torchkeras` logger when interactive logging is off."""
    io_utils.print_msg(line)


class Progbar:
    """A progress bar with running averages.

    Args:
        target: Total number of steps, or None when unknown.
        width: Bar width in characters.
        verbose: 0 (silent), 1 (live bar) or 2 (one line at the end).
        interval: Minimum seconds between redraws.
        stateful_metrics: Names whose values are shown as given, not averaged.
        unit_name: Name of a step in the timing (`ms/step`).
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 unit_name="step"):
        self.target, self.width, self.verbose = target, width, verbose
        self.interval, self.unit_name = interval, unit_name
        self.stateful_metrics = set(stateful_metrics or ())
        self._values, self._values_order = {}, []
        self._seen_so_far = 0
        self._start = self._last_draw = time.time()
        self._bar = None
        self._done = False

    def update(self, current, values=None, finalize=None):
        """Sets the step reached to `current` and records `values`, `(name, value)` pairs."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or []:
            value = float(value)
            if name not in self._values_order:
                self._values_order.append(name)
            if name in self.stateful_metrics:
                self._values[name] = [value, 1]
            else:
                covered = max(current - self._seen_so_far, 1)
                total, count = self._values.get(name, [0.0, 0])
                self._values[name] = [total + value * covered, count + covered]
        self._seen_so_far = current
        self._draw(current, finalize)

    def add(self, n, values=None):
        """Advances by `n` steps."""
        self.update(self._seen_so_far + n, values)

    def _summary(self, current):
        elapsed = time.time() - self._start
        per_step = elapsed / max(current, 1)
        unit = f"{per_step * 1e3:.0f}ms" if per_step >= 1e-3 else f"{per_step * 1e6:.0f}us"
        text = f"{elapsed:.0f}s {unit}/{self.unit_name}"
        for name in self._values_order:
            total, count = self._values[name]
            text += format_value(name, total / max(count, 1))
        return text

    def _draw(self, current, finalize):
        if self.verbose == 0 or self._done:
            return
        now = time.time()
        if self.verbose == 1 and interactive():
            if self._bar is None:
                self._bar = tqdm.tqdm(total=self.target, file=sys.stdout, ascii=" ━",
                                      bar_format="{n_fmt}/{total_fmt} {bar:%d} {desc}" % self.width)
            if finalize or now - self._last_draw >= self.interval:
                self._last_draw = now
                self._bar.n = current
                self._bar.set_description_str(self._summary(current), refresh=True)
            if finalize:
                self._bar.close()
        elif finalize:
            target = self.target if self.target is not None else current
            write_line(f"{current}/{target} - {self._summary(current)}")
        self._done = finalize
