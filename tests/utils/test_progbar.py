"""Progbar: Keras 3's line format, clean output in log files, cheap throttled updates."""
import io
import re
import sys
import time

import numpy as np
import pytest

from deepbasics.utils.progbar import Progbar

BAR = "━" * 20
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now=0.0):
        self.now = now

    def __call__(self):
        return self.now


class TTY(io.StringIO):
    def isatty(self):
        return True


def run_epoch(bar, clock, steps, first=0.4, per_step=0.003, values=None):
    """Step 1 takes ``first`` seconds, every later step ``per_step``."""
    clock.now += first
    for step in range(1, steps + 1):
        if step > 1:
            clock.now += per_step
        bar.update(step, values)


def test_final_line_matches_keras_capture():
    out, clock = io.StringIO(), FakeClock()
    bar = Progbar(200, file=out, dynamic=False, clock=clock)
    run_epoch(bar, clock, 200, values=[("loss", 2.34), ("accuracy", 0.0964)])
    assert out.getvalue() == f"200/200 {BAR} 1s 3ms/step - accuracy: 0.0964 - loss: 2.3400\n"


def test_not_dynamic_prints_one_clean_line(monkeypatch):
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    out, clock = io.StringIO(), FakeClock()  # StringIO.isatty() is False, like a log file
    bar = Progbar(1875, file=out, clock=clock)
    run_epoch(bar, clock, 1875, per_step=0.1, values={"loss": 0.5})
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    assert "\x1b" not in text and "\r" not in text and "\b" not in text
    assert text.startswith(f"1875/1875 {BAR} ")


def test_dynamic_redraws_with_carriage_return_and_no_backspace(monkeypatch):
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    out, clock = TTY(), FakeClock()  # detected as a terminal
    bar = Progbar(10, file=out, clock=clock)
    run_epoch(bar, clock, 10, per_step=0.1, values={"loss": 0.5})
    text = out.getvalue()
    assert text.count("\r") == 10 and "\b" not in text
    assert text.endswith("\n") and text.count("\n") == 1
    final = text.rsplit("\r", 1)[1]
    assert final.startswith(f"\x1b[1m10/10\x1b[0m \x1b[32m{BAR}\x1b[0m \x1b[1m1s\x1b[0m 100ms/step")
    assert ANSI.sub("", final) == f"10/10 {BAR} 1s 100ms/step - loss: 0.5000\n"


def test_in_progress_line_has_bold_count_coloured_bar_and_bold_eta():
    out, clock = io.StringIO(), FakeClock()
    bar = Progbar(100, file=out, dynamic=True, clock=clock)
    run_epoch(bar, clock, 25, first=1.0, per_step=2.0)  # ETA = 75 steps * 2 s
    last = out.getvalue().rsplit("\r", 1)[1]
    assert last == ("\x1b[1m 25/100\x1b[0m \x1b[32m" + "━" * 5 + "\x1b[0m\x1b[37m" + "━" * 15
                    + "\x1b[0m \x1b[1m2:30\x1b[0m 2s/step")


def test_ipykernel_means_dynamic(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipykernel", object())
    out, clock = io.StringIO(), FakeClock()
    run_epoch(Progbar(3, file=out, clock=clock), clock, 3, per_step=0.1)
    assert out.getvalue().count("\r") == 3


def test_shorter_redraw_pads_over_the_previous_line():
    out, clock = io.StringIO(), FakeClock()
    bar = Progbar(None, file=out, dynamic=True, clock=clock)
    bar.update(1, {"loss": 123456.0})
    clock.now += 1.0
    bar.update(2, {"loss": 1.0})
    first, second = out.getvalue().split("\r")[1:]
    assert len(ANSI.sub("", second)) == len(ANSI.sub("", first))
    assert second.endswith("loss: 1.0000" + " " * 5)


@pytest.mark.parametrize("step_seconds, shown", [
    (45.9, "45s 46s/step"), (125.0, "2:05 125s/step"), (3725.0, "1:02:05 3725s/step")])
def test_eta_formats(step_seconds, shown):
    out, clock = io.StringIO(), FakeClock()
    bar = Progbar(2, file=out, dynamic=True, clock=clock)
    clock.now = step_seconds  # one step done, one left: ETA = one step's time
    bar.update(1)
    assert ANSI.sub("", out.getvalue()) == f"\r1/2 {BAR} {shown}"


@pytest.mark.parametrize("per_step, shown", [
    (2.0, "2s/step"), (0.0031, "3ms/step"), (0.00085, "850us/step")])
def test_step_time_formats_and_first_step_excluded(per_step, shown):
    out, clock = io.StringIO(), FakeClock()
    bar = Progbar(5, file=out, dynamic=False, clock=clock, unit_name="step")
    run_epoch(bar, clock, 5, first=7.0, per_step=per_step)  # a slow first step
    assert f" {shown}" in out.getvalue()


def test_unit_name():
    out, clock = io.StringIO(), FakeClock()
    bar = Progbar(4, file=out, dynamic=False, clock=clock, unit_name="sample")
    run_epoch(bar, clock, 4, first=0.002, per_step=0.002)
    assert out.getvalue() == f"4/4 {BAR} 0s 2ms/sample\n"


def test_small_values_use_e_notation_and_arrays_their_mean():
    out, clock = io.StringIO(), FakeClock()
    bar = Progbar(1, file=out, dynamic=False, clock=clock)
    clock.now = 0.5
    bar.update(1, [("lr", 1e-4), ("loss", np.float32(0.25)), ("mae", np.array([1.0, 2.0])),
                   ("zero", 0.0), ("neg", -2.5)])
    assert out.getvalue().endswith(
        " - loss: 0.2500 - lr: 1.0000e-04 - mae: 1.5000 - neg: -2.5000 - zero: 0.0000e+00\n")


def test_keys_sorted_with_val_keys_last():
    out, clock = io.StringIO(), FakeClock()
    bar = Progbar(1, file=out, dynamic=False, clock=clock)
    clock.now = 0.5
    bar.update(1, {"val_loss": 1.0, "z_metric": 2.0, "loss": 3.0, "val_accuracy": 0.5})
    assert out.getvalue().endswith(
        " - loss: 3.0000 - z_metric: 2.0000 - val_accuracy: 0.5000 - val_loss: 1.0000\n")


def test_values_persist_from_earlier_updates():
    out, clock = io.StringIO(), FakeClock()
    bar = Progbar(2, file=out, dynamic=False, clock=clock)
    bar.update(1, {"loss": 0.5})
    bar.update(2)
    assert out.getvalue().endswith(" - loss: 0.5000\n")


def test_verbose_2_prints_one_summary_line():
    out, clock = io.StringIO(), FakeClock()
    bar = Progbar(160, verbose=2, file=out, dynamic=True, clock=clock)
    logs = {"loss": 2.3037, "accuracy": 0.1119}
    clock.now = 0.01
    for step in range(1, 161):  # as fit does: batch ends never finalize, epoch end does
        clock.now += 0.003 if step > 1 else 0.0
        bar.update(step, logs, finalize=False)
    assert out.getvalue() == ""
    bar.update(160, {**logs, "val_loss": 2.2954, "val_accuracy": 0.1227}, finalize=True)
    assert out.getvalue() == ("160/160 - 0s - 3ms/step - accuracy: 0.1119 - loss: 2.3037"
                              " - val_accuracy: 0.1227 - val_loss: 2.2954\n")


def test_verbose_0_prints_nothing():
    out, clock = io.StringIO(), FakeClock()
    run_epoch(Progbar(10, verbose=0, file=out, dynamic=True, clock=clock), clock, 10)
    assert out.getvalue() == ""


def test_bad_verbose():
    with pytest.raises(ValueError, match="received verbose=3"):
        Progbar(10, verbose=3)


def test_throttling_draws_at_most_once_per_interval():
    out, clock = io.StringIO(), FakeClock()
    bar = Progbar(1000, file=out, dynamic=True, clock=clock)
    for step in range(1, 1001):
        clock.now += 0.001  # 1000 updates in 1 s, interval 0.05 s
        bar.update(step, {"loss": 1.0})
    draws = out.getvalue().count("\r")
    assert 15 <= draws <= 22  # about 1 s / 0.05 s, plus the final line


def test_throttled_updates_are_cheap():
    bar = Progbar(10 ** 9, file=io.StringIO(), dynamic=True, interval=3600.0)
    bar.update(1, {"loss": 1.0})
    logs = {"loss": 1.0, "accuracy": 0.5}
    best = float("inf")
    for _ in range(3):  # best of three, so a busy machine does not fail the test
        start = time.perf_counter()
        for step in range(2, 100_002):
            bar.update(step, logs)
        best = min(best, time.perf_counter() - start)
    assert best < 0.1  # about 0.03 s on a laptop core: 100k updates, 1875 per epoch


def test_unknown_target():
    out, clock = io.StringIO(), FakeClock()
    bar = Progbar(None, file=out, dynamic=True, clock=clock)
    run_epoch(bar, clock, 3, first=1.0, per_step=1.0, values={"loss": 0.5})
    bar.update(3, finalize=True)
    last = out.getvalue().rsplit("\r", 1)[1]
    assert ANSI.sub("", last) == "      3/Unknown 3s 1s/step - loss: 0.5000\n"


def test_unknown_target_verbose_2_and_not_dynamic():
    out, clock = io.StringIO(), FakeClock()
    bar = Progbar(None, verbose=2, file=out, clock=clock)
    run_epoch(bar, clock, 3, first=1.0, per_step=1.0)
    assert out.getvalue() == ""
    bar.update(3, finalize=True)
    assert out.getvalue() == "3/Unknown - 3s - 1s/step\n"


def test_add_advances_the_count():
    out, clock = io.StringIO(), FakeClock()
    bar = Progbar(4, file=out, dynamic=False, clock=clock)
    clock.now = 0.4
    bar.add(2)
    bar.add(2, [("loss", 1.5)])
    assert out.getvalue().startswith(f"4/4 {BAR} 0s ")
    assert out.getvalue().endswith(" - loss: 1.5000\n")


def test_default_file_is_stdout_at_call_time(capsys):
    clock = FakeClock()
    bar = Progbar(2, dynamic=False, clock=clock)
    run_epoch(bar, clock, 2, first=0.5, per_step=0.5)
    assert capsys.readouterr().out == f"2/2 {BAR} 1s 500ms/step\n"


def test_closed_or_plain_file_is_not_dynamic(monkeypatch):
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)

    class NoIsatty:
        def __init__(self):
            self.parts = []

        def write(self, text):
            self.parts.append(text)

        def flush(self):
            pass

    out, clock = NoIsatty(), FakeClock()
    run_epoch(Progbar(3, file=out, clock=clock), clock, 3)
    assert len(out.parts) == 1 and "\r" not in out.parts[0]
