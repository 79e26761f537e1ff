"""``plot_history``: the loss and metric curves of a ``fit``, one panel per quantity, as a PNG.

matplotlib is imported only when a figure is drawn (``pip install 'deepbasics[plot]'``), and
only its object-oriented API is used (``Figure`` + the Agg canvas): no pyplot, no global
backend switch, no window, nothing left open. A notebook's own backend is left alone.
"""
import os

from deepbasics.utils.files import atomic_write, history_dict

PLOT_EXTRA = "pip install 'deepbasics[plot]'"
_PANEL_SIZE = (4.8, 3.6)  # inches per panel


def plot_history(history, path=None, metrics=None):
    """Draw ``loss`` and each metric per epoch (train solid, ``val_*`` dashed) to a PNG.

    Args:
        history: what ``fit`` returned (a ``History``) or its ``.history`` dict.
        path: the PNG to write (replaced atomically); ``"history.png"`` when None.
        metrics: the quantities to draw, e.g. ``["loss", "accuracy"]`` (without ``val_``);
            None draws ``loss`` and then every other metric.

    Returns:
        The path of the written figure, as a string.

    >>> import pathlib, tempfile
    >>> logs = {"loss": [0.9, 0.5], "accuracy": [0.7, 0.8], "val_loss": [0.8, 0.6]}
    >>> out = plot_history(logs, pathlib.Path(tempfile.mkdtemp()) / "curves.png")
    >>> pathlib.Path(out).read_bytes()[:4]
    b'\\x89PNG'
    """
    logs = history_dict(history)
    names = _panels(logs, metrics)
    path = os.fspath("history.png" if path is None else path)
    figure = _figure(len(names))
    for ax, name in zip(figure.axes, names):
        _draw_panel(ax, name, logs)
    figure.tight_layout()
    with atomic_write(path, "wb") as f:
        figure.savefig(f, format="png", dpi=100)
    return path


def _panels(logs, metrics):
    """The quantities to draw: the train names (``val_x`` alone counts as ``x``)."""
    available = []
    for key in logs:
        name = key[4:] if key.startswith("val_") else key
        if name not in available:
            available.append(name)
    available = sorted(available, key=lambda name: name != "loss")  # loss first, then as listed
    if metrics is None:
        return available
    if isinstance(metrics, str):
        metrics = [metrics]
    unknown = [m for m in metrics if m not in available]
    if unknown or not metrics:
        listed = ", ".join(repr(name) for name in available)
        raise ValueError(f"Unknown metric(s) {unknown!r} for plot_history; the history holds {listed}.")
    return list(metrics)


def _figure(n_panels):
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as e:
        raise ImportError(f"plot_history needs matplotlib, which is not installed: {PLOT_EXTRA}") from e
    figure = Figure(figsize=(_PANEL_SIZE[0] * n_panels, _PANEL_SIZE[1]))
    FigureCanvasAgg(figure)
    figure.subplots(1, n_panels, squeeze=False)
    return figure


def _draw_panel(ax, name, logs):
    for key, label, style in ((name, "train", "-"), ("val_" + name, "validation", "--")):
        values = logs.get(key)
        if values:
            epochs = range(1, len(values) + 1)
            ax.plot(epochs, values, style, marker="o", markersize=3, label=label)
    ax.set_title(name)
    ax.set_xlabel("epoch")
    ax.set_ylabel(name)
    n_epochs = max(len(logs.get(key) or ()) for key in (name, "val_" + name))
    if n_epochs <= 12:
        ax.set_xticks(range(1, n_epochs + 1))  # every epoch, also a lone first one
    else:
        ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(True, alpha=0.3)
    ax.legend()
