"""The ``deepbasics`` command: ``train`` (help, a small real run, usage errors) and ``run``.

The real runs read the MNIST IDX files from ``$DEEPBASICS_DATA_DIR`` (default: the shared data
folder next to the repository) and use ``--limit`` to stay quick.
"""
import json
import os
import subprocess
import sys

import pytest

from deepbasics import cli, keras_alias

from mnist_data import DATA_DIR, HAVE_DATA  # noqa: E402 - tests/ is on pytest's pythonpath
needs_data = pytest.mark.skipif(not HAVE_DATA, reason=f"the MNIST IDX files are not in {DATA_DIR}")
KNOBS = ["--epochs", "--batch-size", "--optimizer", "--learning-rate", "--hidden-units",
         "--activation", "--out", "--seed", "--verbose", "--validation-split", "--limit"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def deepbasics(*args, cwd=None, env_extra=None):
    """``python -m deepbasics.cli ARGS`` in a subprocess, with the MNIST folder and no network."""
    env = {**os.environ, "DEEPBASICS_DATA_DIR": DATA_DIR, "DEEPBASICS_DOWNLOAD_TIMEOUT": "2",
           "MPLBACKEND": "Agg", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "deepbasics.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_train_help_lists_every_knob():
    done = deepbasics("train", "--help")
    assert done.returncode == 0, done.stderr
    for knob in KNOBS:
        assert knob in done.stdout
    assert "{0,1,2}" in done.stdout  # --verbose choices
    assert "(default: 5)" in done.stdout and "(default: 32)" in done.stdout


@needs_data
def test_small_real_run_writes_history_and_curves(tmp_path):
    out = tmp_path / "run"
    done = deepbasics("train", "--limit", "2000", "--epochs", "2", "--validation-split", "0.25",
                      "--out", str(out), "--verbose", "2")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(f"Output folder: {out}") == 2  # named at the start and the end
    assert "Test accuracy:" in done.stdout

    record = json.loads((out / "history.json").read_text())
    history = record["history"]
    assert set(history) == {"accuracy", "loss", "val_accuracy", "val_loss"}
    assert all(len(values) == 2 for values in history.values())
    assert record["params"] == {"verbose": 2, "epochs": 2, "steps": 47}  # ceil(1500 / 32)
    assert 0.0 <= record["test"]["accuracy"] <= 1.0 and record["test"]["loss"] > 0
    assert len(record["seconds_per_epoch"]) == 2
    assert record["args"]["epochs"] == 2 and record["args"]["optimizer"] == "sgd"
    assert record["args"]["out"] == str(out)
    assert f"{record['test']['accuracy']:.4f}" in done.stdout

    png = out / "curves.png"
    assert png.read_bytes()[:8] == PNG_MAGIC
    image = pytest.importorskip("matplotlib.image").imread(png)
    assert image.shape[0] >= 200 and image.shape[1] >= 400  # two panels side by side
    assert image[..., :3].std() > 0.05  # not a blank canvas
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files left


@needs_data
def test_default_out_folder_is_a_timestamped_run_folder(tmp_path):
    done = deepbasics("train", "--limit", "300", "--epochs", "1", "--verbose", "0", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (folder,) = (tmp_path / "runs").iterdir()
    assert folder.name.startswith("mnist-") and len(folder.name) == len("mnist-20250101-120000")
    assert (folder / "history.json").is_file()


@pytest.mark.parametrize("args, message", [
    (["--epochs", "0"], "argument --epochs: expected a positive integer, received 0"),
    (["--epochs", "2.5"], "argument --epochs: expected a positive integer, received '2.5'"),
    (["--batch-size", "-1"], "argument --batch-size: expected a positive integer"),
    (["--learning-rate", "0"], "argument --learning-rate: expected a positive number"),
    (["--validation-split", "1"], "argument --validation-split: expected a number in [0, 1)"),
    (["--verbose", "3"], "argument --verbose: invalid choice"),
    (["--seed", "-1"], "argument --seed: expected a non-negative integer"),
    (["--optimizer", "adma"], "Unknown optimizer 'adma'"),
    (["--activation", "rellu"], "Unknown activation function 'rellu'"),
    (["--limit", "1", "--validation-split", "0.5"], "argument --validation-split: 0.5 leaves no training"),
])
def test_bad_values_are_usage_errors(args, message, capsys, tmp_path):
    with pytest.raises(SystemExit) as exited:
        cli.main(["train", *args, "--out", str(tmp_path / "run")])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "deepbasics train: error:" in err and message in err
    assert not (tmp_path / "run").exists()  # nothing was started


def test_epochs_zero_in_a_subprocess_exits_2():
    done = deepbasics("train", "--epochs", "0")
    assert done.returncode == 2
    assert "argument --epochs: expected a positive integer, received 0" in done.stderr
    assert done.stdout == ""


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main([])
    assert exited.value.code == 2
    assert "required: COMMAND" in capsys.readouterr().err


def test_missing_matplotlib_still_writes_the_json(tmp_path, monkeypatch, capsys):
    """Without matplotlib the run says which extra to install and keeps history.json."""
    for name in ["matplotlib"] + [n for n in sys.modules if n.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)  # `import matplotlib...` now fails
    monkeypatch.setattr(cli, "_mnist", lambda limit: _tiny_mnist())
    assert cli.main(["train", "--epochs", "1", "--verbose", "0", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "matplotlib is not installed" in out and "pip install 'deepbasics[plot]'" in out
    assert json.loads((tmp_path / "history.json").read_text())["history"]["loss"]
    assert not (tmp_path / "curves.png").exists()


def test_run_missing_script_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["run", str(tmp_path / "nope.py")])
    assert exited.value.code == 2
    assert "deepbasics run: error: argument script: no such file" in capsys.readouterr().err


def test_run_passes_arguments_and_restores_the_interpreter(tmp_path, capsys, monkeypatch):
    (tmp_path / "deepbasics_cli_helper.py").write_text("VALUE = 7\n")
    monkeypatch.delitem(sys.modules, "deepbasics_cli_helper", raising=False)  # removed again after
    script = tmp_path / "script.py"
    script.write_text("import sys, keras, deepbasics_cli_helper as helper\n"
                      "print(__name__, sys.argv[1:], helper.VALUE, keras.__name__)\n")
    argv, path = list(sys.argv), list(sys.path)
    assert cli.main(["run", str(script), "--flag", "x"]) == 0
    assert capsys.readouterr().out == "__main__ ['--flag', 'x'] 7 deepbasics\n"
    assert sys.argv == argv and sys.path == path
    assert "keras" not in sys.modules


def test_run_exit_status_is_the_scripts(tmp_path):
    script = tmp_path / "script.py"
    script.write_text("raise SystemExit(3)\n")
    with pytest.raises(SystemExit) as exited:
        cli.main(["run", str(script)])
    assert exited.value.code == 3
    assert "keras" not in sys.modules and not keras_alias.is_installed()


def test_out_must_be_a_folder(tmp_path, capsys):
    (tmp_path / "taken").write_text("")
    with pytest.raises(SystemExit) as exited:
        cli.main(["train", "--out", str(tmp_path / "taken")])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "deepbasics train: error: argument --out:" in err and "is not a folder" in err


def test_history_json_stays_valid_json_when_training_diverges(tmp_path):
    """A diverged run logs NaN/inf; history.json holds null there (strict JSON), arrays as lists."""
    import numpy as np

    from deepbasics.utils.files import read_json, write_json

    path = tmp_path / "history.json"
    path.write_text("previous")
    record = {"history": {"loss": [2.3, float("nan"), float("inf")]}, "test": {"loss": np.float32(0.5)},
              "weights": np.array([1.0, np.nan]), "out": tmp_path}
    write_json(path, record)
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text
    assert read_json(path) == {"history": {"loss": [2.3, None, None]}, "test": {"loss": 0.5},
                               "weights": [1.0, None], "out": str(tmp_path)}
    with pytest.raises(TypeError, match="not JSON serializable"):
        write_json(path, {"bad": object()})
    assert read_json(path)["test"] == {"loss": 0.5}  # the failed write left the file as it was
    assert [p.name for p in tmp_path.iterdir()] == ["history.json"]


def _tiny_mnist():
    import numpy as np

    from deepbasics.utils import to_categorical

    rng = np.random.default_rng(0)
    x = rng.random((64, 784), dtype=np.float32)
    y = to_categorical(rng.integers(0, 10, 64), 10)
    return (x, y), (x[:16], y[:16])
