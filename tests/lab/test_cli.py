"""``deepbasics lab``: list, run and report through the real command line (a subprocess), and the
exit statuses when an experiment raises (in-process, with ``deepbasics.lab.get`` monkeypatched)."""
import json
import os
import re
import shlex
import subprocess
import sys
import types

import pytest

from deepbasics import cli, lab
from deepbasics.lab import activations, perceptron
from lab.checks import PNG_MAGIC


def deepbasics(*args):
    """``python -m deepbasics.cli ARGS`` in a subprocess, with matplotlib on Agg."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-m", "deepbasics.cli", *args], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_list_names_every_experiment_in_order_with_its_title():
    done = deepbasics("lab", "list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(lab.EXPERIMENTS)
    assert lines[0].split(None, 1)[1] == perceptron.TITLE["en"]
    assert lines[1].split(None, 1)[1] == activations.TITLE["en"]


def test_run_one_experiment(tmp_path):
    done = deepbasics("lab", "run", "perceptron", "--quick", "--seed", "2", "--out", str(tmp_path),
                      "--set", "mlp_epochs=200", "--set", "learning_rate=0.1")
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"\[1/1\] perceptron \.\.\. held \(\d+\.\d s\)\n", done.stderr)
    record = json.loads((tmp_path / "perceptron.json").read_text())
    assert record["seed"] == 2 and record["knobs"]["mlp_epochs"] == 200 and record["knobs"]["learning_rate"] == 0.1
    assert record["result"]["note"]["en"] in done.stdout
    assert record["command"] == "deepbasics lab run perceptron --seed 2 --quick --set mlp_epochs=200 --set learning_rate=0.1"
    assert (tmp_path / "perceptron.png").read_bytes()[:8] == PNG_MAGIC

    again = deepbasics(*shlex.split(record["command"])[1:], "--out", str(tmp_path / "again"))
    assert again.returncode == 0, again.stderr
    assert json.loads((tmp_path / "again" / "perceptron.json").read_text())["result"] == record["result"]


def test_report_in_korean(tmp_path):
    done = deepbasics("lab", "report", "--quick", "--only", "activations", "--lang", "ko", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "[1/1] activations ... held" in done.stderr
    assert f"Wrote {tmp_path / 'index.html'}: 1 of 1 claims held" in done.stdout
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ko">' in page and activations.TITLE["ko"] in page
    assert json.loads((tmp_path / "results.json").read_text())["lang"] == "ko"


@pytest.mark.parametrize("args, message", [
    (["run", "perceptrons"], "argument NAME: unknown experiment 'perceptrons'; the lab has: perceptron, activations, "),
    (["run", "perceptron", "--seed", "-1"], "argument --seed: expected a non-negative integer, received -1"),
    (["run", "perceptron", "--set", "mlp_epochs"], "argument --set: expected KNOB=VALUE"),
    (["run", "perceptron", "--set", "epochs=3"], ("argument --set: Unknown knob(s) 'epochs' for experiment "
                                                  "'perceptron'; it accepts: max_epochs, hidden_units, mlp_epochs")),
    (["report", "--only", "perceptron,xor"], "argument --only: unknown experiment 'xor'; the lab has: perceptron"),
    (["report", "--lang", "fr"], "argument --lang: invalid choice: 'fr'"),
])
def test_usage_errors_exit_2_before_anything_runs(tmp_path, args, message):
    done = deepbasics("lab", *args, "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert message in done.stderr
    assert not (tmp_path / "out").exists()


def test_unknown_lab_command():
    done = deepbasics("lab", "frobnicate")
    assert done.returncode == 2 and "invalid choice: 'frobnicate'" in done.stderr


def test_out_must_be_a_folder(tmp_path):
    (tmp_path / "taken").write_text("")
    done = deepbasics("lab", "run", "perceptron", "--out", str(tmp_path / "taken"))
    assert done.returncode == 2 and "argument --out:" in done.stderr and "is not a folder" in done.stderr


def _raising(name):
    def run(seed=0):
        raise FloatingPointError("loss became NaN")

    return types.SimpleNamespace(NAME=name, TITLE={"en": name, "ko": name}, CLAIM={"en": "c", "ko": "c"},
                                 QUICK={}, run=run, plot=None)


def test_report_completes_and_exits_1_when_an_experiment_raises(monkeypatch, tmp_path, capsys):
    real_get = lab.get
    monkeypatch.setattr(lab, "get", lambda name: _raising(name) if name == "perceptron" else real_get(name))
    status = cli.main(["lab", "report", "--quick", "--only", "perceptron,activations", "--out", str(tmp_path)])
    assert status == 1
    captured = capsys.readouterr()
    assert "[1/2] perceptron ... failed (FloatingPointError" in captured.err
    assert "[2/2] activations ... held" in captured.err
    assert "1 of 2 claims held, 0 did not hold, 1 failed to run" in captured.out
    assert "FloatingPointError: loss became NaN" in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_run_exits_1_with_the_traceback_when_the_experiment_raises(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(lab, "get", _raising)
    assert cli.main(["lab", "run", "activations", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "FloatingPointError: loss became NaN" in err
    assert "deepbasics lab run: activations failed" in err
