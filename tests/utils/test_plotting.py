"""``plot_history``: a PNG of the loss and metric curves, drawn without pyplot."""
import os
import subprocess
import sys

import numpy as np
import pytest

from deepbasics.callbacks import History
from deepbasics.utils import plot_history
from deepbasics.utils import plotting

mpimg = pytest.importorskip("matplotlib.image")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
LOGS = {"accuracy": [0.80, 0.88, 0.90], "loss": [0.70, 0.40, 0.30],
        "val_accuracy": [0.85, 0.89, 0.91], "val_loss": [0.50, 0.35, 0.29]}


def read_png(path):
    with open(path, "rb") as f:
        assert f.read(8) == PNG_MAGIC
    return mpimg.imread(path)


def test_draws_one_panel_per_quantity(tmp_path):
    path = plot_history(LOGS, tmp_path / "curves.png")
    assert path == str(tmp_path / "curves.png")
    image = read_png(path)
    assert image.shape[:2] == (360, 960)  # two panels of 4.8 x 3.6 inches at 100 dpi
    assert image[..., :3].std() > 0.05


def test_accepts_a_history(tmp_path):
    history = History()
    history.history = {"loss": [1.0, 0.5]}
    read_png(plot_history(history, tmp_path / "h.png"))


def test_selected_metrics_and_loss_first(tmp_path, monkeypatch):
    drawn = []
    real = plotting._draw_panel
    monkeypatch.setattr(plotting, "_draw_panel", lambda ax, name, logs: drawn.append(name) or real(ax, name, logs))
    plot_history(LOGS, tmp_path / "all.png")
    assert drawn == ["loss", "accuracy"]
    drawn.clear()
    image = read_png(plot_history(LOGS, tmp_path / "acc.png", metrics="accuracy"))
    assert drawn == ["accuracy"] and image.shape[:2] == (360, 480)


def test_train_and_validation_lines(tmp_path, monkeypatch):
    figures = []
    real = plotting._figure
    monkeypatch.setattr(plotting, "_figure", lambda n: figures.append(real(n)) or figures[-1])
    plot_history(LOGS, tmp_path / "curves.png")
    loss_ax = figures[0].axes[0]
    assert loss_ax.get_title() == "loss"
    train, val = loss_ax.get_lines()
    np.testing.assert_array_equal(train.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(loss_ax.get_xticks(), [1, 2, 3])  # whole epochs only
    np.testing.assert_allclose(train.get_ydata(), LOGS["loss"])
    np.testing.assert_allclose(val.get_ydata(), LOGS["val_loss"])
    assert [t.get_text() for t in loss_ax.get_legend().get_texts()] == ["train", "validation"]


def test_default_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert plot_history({"loss": [1.0]}) == "history.png"
    read_png(tmp_path / "history.png")


def test_a_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "curves.png"
    path.write_bytes(b"previous")
    real = plotting._figure

    def failing_figure(n_panels):
        figure = real(n_panels)

        def savefig(f, **kwargs):
            f.write(b"half a PNG")
            raise OSError("disk full")
        figure.savefig = savefig
        return figure

    monkeypatch.setattr(plotting, "_figure", failing_figure)
    with pytest.raises(OSError, match="disk full"):
        plot_history(LOGS, path)
    assert path.read_bytes() == b"previous" and os.listdir(tmp_path) == ["curves.png"]


@pytest.mark.parametrize("history, error, message", [
    ({}, ValueError, "empty"),
    ([1, 2], TypeError, "History"),
    ({"loss": "abc"}, ValueError, "per-epoch values"),
])
def test_bad_histories(history, error, message, tmp_path):
    with pytest.raises(error, match=message):
        plot_history(history, tmp_path / "x.png")


def test_unknown_metric_lists_what_exists(tmp_path):
    with pytest.raises(ValueError, match=r"\['acc'\].*'loss', 'accuracy'"):
        plot_history(LOGS, tmp_path / "x.png", metrics=["acc"])


def test_never_touches_pyplot(tmp_path):
    """No pyplot import (so no GUI backend, no open figure, no plt.show)."""
    code = ("import sys; from deepbasics.utils import plot_history; "
            f"plot_history({{'loss': [1.0, 0.5]}}, {str(tmp_path / 'p.png')!r}); "
            "print('matplotlib.pyplot' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_import_deepbasics_does_not_import_matplotlib():
    code = "import sys, deepbasics; print(sorted(m for m in sys.modules if m.startswith('matplotlib')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_missing_matplotlib_names_the_extra(tmp_path, monkeypatch):
    for name in ["matplotlib"] + [n for n in sys.modules if n.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r"pip install 'deepbasics\[plot\]'"):
        plot_history(LOGS, tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()
