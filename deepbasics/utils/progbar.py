"""The training progress bar, in Keras 3's format, that behaves in log files.

``Progbar`` prints Keras 3's line (``keras/src/utils/progbar.py``)::

    200/200 ━━━━━━━━━━━━━━━━━━━━ 1s 3ms/step - accuracy: 0.0964 - loss: 2.3400

What differs from Keras, on purpose:

- The line is redrawn in place only where that works: a real terminal (``file.isatty()``) or an
  IPython kernel. Keras also redraws whenever ``posix`` is importable, i.e. always on Linux and
  macOS, which fills log files with ``^H`` (keras-team/keras#1007, #7523). Elsewhere (a pipe, a
  log file) it prints nothing during the epoch and one clean line, without colours, at the end.
- A redraw is ``\\r`` + the line + spaces over the rest of the previous one: no backspaces.
- Values are displayed as given: the caller passes running means (Keras 3's ``fit`` does the
  same through ``stateful_metrics``), so nothing is averaged here.
- Keys are sorted like Keras 3's ``pythonify_logs``, except that ``val_*`` keys come last.
- Values use ``{v:.4f}`` when ``abs(v) > 1e-3``, else ``{v:.4e}``, with verbose=2 too (Keras
  tests ``v > 1e-3`` there, which prints a negative loss as ``-9.8765e-01``).
"""
import math
import re
import sys
import time

import numpy as np

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_BOLD, _GREEN, _WHITE, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"


class Progbar:
    """Displays a progress bar.

    Args:
        target: total number of steps expected, None if unknown.
        width: bar width in characters.
        verbose: 0 silent, 1 progress bar, 2 one line at the end.
        interval: minimum time in seconds between two redraws.
        stateful_metrics: accepted for Keras compatibility; every value is shown as given.
        unit_name: the unit of the per-step time, ``step`` or ``sample``.
        file: where to write; None means ``sys.stdout`` at the time of each write.
        dynamic: redraw in place (True) or print one line at the end (False); None detects it.
        clock: a function returning seconds, ``time.perf_counter`` by default (tests inject one).

    >>> bar = Progbar(3, dynamic=False, clock=iter([0.0, 0.4, 0.9, 1.4]).__next__)
    >>> for step in (1, 2, 3):
    ...     bar.update(step, [("loss", 0.25)])
    3/3 ━━━━━━━━━━━━━━━━━━━━ 1s 500ms/step - loss: 0.2500
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 unit_name="step", file=None, dynamic=None, clock=None):
        if verbose not in (0, 1, 2):
            raise ValueError(f"Expected verbose to be 0, 1 or 2, received verbose={verbose!r}.")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.stateful_metrics = set(stateful_metrics or ())
        self.unit_name = unit_name
        self.file = file
        self.dynamic = dynamic
        self._clock = clock or time.perf_counter
        self._values = {}
        self._seen_so_far = 0
        self._start = self._clock()
        self._time_after_first_step = None
        self._last_update = -math.inf
        self._prev_width = 0

    def update(self, current, values=None, finalize=None):
        """Record step ``current`` and its values (``(name, value)`` pairs or a dict); redraw at
        most every ``interval`` seconds. ``finalize`` defaults to ``current >= target``."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        if values:
            self._values.update(values)
        self._seen_so_far = current
        if self.verbose == 0:
            return
        now = self._clock()
        if current == 1:  # the first step (compilation, caches) is left out of the estimate
            self._time_after_first_step = now
        if not finalize and (self.verbose == 2 or now - self._last_update < self.interval):
            return  # the cheap path: most calls stop here, before any formatting
        self._last_update = now
        self._draw(current, now, finalize)

    def _draw(self, current, now, finalize):
        file = self.file if self.file is not None else sys.stdout
        if self.verbose == 2:
            self._write(file, self._summary_line(current, now) + "\n")
        elif self._is_dynamic(file):
            self._redraw(file, self._line(current, now, finalize), end="\n" if finalize else "")
        elif finalize:  # a log file or a pipe: one line, no colours
            self._write(file, _ANSI.sub("", self._line(current, now, finalize)) + "\n")

    def add(self, n, values=None):
        """Advance by ``n`` steps."""
        self.update(self._seen_so_far + n, values)

    def _is_dynamic(self, file):
        if self.dynamic is not None:
            return self.dynamic
        if "ipykernel" in sys.modules:
            return True
        try:
            return bool(file.isatty())
        except (AttributeError, ValueError, OSError):  # no isatty, or a closed file
            return False

    def _redraw(self, file, line, end):
        width = len(_ANSI.sub("", line))
        padding = " " * max(self._prev_width - width, 0)
        self._prev_width = width
        self._write(file, "\r" + line + padding + end)

    @staticmethod
    def _write(file, text):
        file.write(text)
        file.flush()

    def _line(self, current, now, finalize):
        """verbose=1: count, bar, ETA (or elapsed time at the end), time per step, values."""
        per_step = self._step_duration(current, now)
        if self.target is None or self.target <= 0:
            head = "%7d/Unknown" % current
        else:
            head = f"{_BOLD}{self._count(current)}{_RESET} {self._bar(current)}"
        if finalize or self.target is None or self.target <= 0:
            clock = f"{now - self._start:.0f}s"
        else:
            clock = _format_eta(per_step * (self.target - current))
        return (f"{head} {_BOLD}{clock}{_RESET} {_format_step_time(per_step, self.unit_name)}"
                f"{self._format_values()}")

    def _summary_line(self, current, now):
        """verbose=2: ``160/160 - 0s - 3ms/step - accuracy: 0.1119 - loss: 2.3037``."""
        count = "%d/Unknown" % current if self.target is None else self._count(current)
        per_step = _format_step_time(self._step_duration(current, now), self.unit_name)
        return f"{count} - {now - self._start:.0f}s - {per_step}{self._format_values()}"

    def _count(self, current):
        digits = len(str(int(self.target)))
        return "%*d/%d" % (digits, current, self.target)

    def _bar(self, current):
        done = min(max(int(self.width * current / self.target), 0), self.width)
        bar = f"{_GREEN}{'━' * done}{_RESET}" if done else ""
        if done < self.width:
            bar += f"{_WHITE}{'━' * (self.width - done)}{_RESET}"
        return bar

    def _format_values(self):
        keys = sorted(self._values, key=lambda k: (str(k).startswith("val_"), str(k)))
        return "".join(f" - {k}: {_format_value(self._values[k])}" for k in keys)

    def _step_duration(self, current, now):
        """Seconds per step, leaving out the first step once later ones exist (Keras)."""
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            return (now - self._time_after_first_step) / (current - 1)
        return (now - self._start) / current


def _format_eta(seconds):
    """``45s``, ``2:05`` or ``1:02:05``, truncated to the second like Keras's ``%d``."""
    if seconds > 3600:
        return "%d:%02d:%02d" % (seconds // 3600, seconds % 3600 // 60, seconds % 60)
    if seconds > 60:
        return "%d:%02d" % (seconds // 60, seconds % 60)
    return "%ds" % seconds


def _format_step_time(seconds, unit_name):
    """``2s/step``, ``3ms/step`` or ``85us/step``."""
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit_name}"
    return f"{seconds * 1e6:.0f}us/{unit_name}"


def _format_value(value):
    """``2.3400``; ``1.2346e-04`` when ``abs(value) <= 1e-3``; an array by its mean (Keras);
    text as it is."""
    if isinstance(value, str):
        return value
    try:
        value = float(np.mean(value))
    except (TypeError, ValueError):
        return str(value)
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"
