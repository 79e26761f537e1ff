"""Experiment 1: the perceptron learns AND and OR but not XOR; one hidden layer learns XOR.

The perceptron is ``deepbasics.perceptron.Perceptron`` (Rosenblatt's rule, step unit, learning
rate 1, zero start). The MLP is the Keras way: ``Sequential([Input((2,)), Dense(4, 'tanh'),
Dense(1, 'sigmoid')])``, binary cross-entropy, Adam at 0.05, full batch of the four points.
Four tanh units, not the minimal two: with two, about half the seeds stall in a local minimum
(10 of seeds 0-19 at 300 epochs), which says something about optimisation, not about what one
hidden layer can represent; with four, seeds 0-19 all learn XOR in 300 epochs.
"""
import warnings

import numpy as np

from deepbasics import optimizers
from deepbasics.lab.common import figure, format_number, save_figure
from deepbasics.layers import Dense, Input
from deepbasics.models import Sequential
from deepbasics.perceptron import ConvergenceWarning, Perceptron
from deepbasics.utils import set_random_seed

NAME = "perceptron"
TITLE = {
    "en": "The perceptron: AND and OR, but not XOR",
    "ko": "퍼셉트론: AND와 OR은 되지만 XOR은 안 된다",
}
CLAIM = {
    "en": "A perceptron learns AND and OR (100% accuracy) but not XOR (at most 75%); "
          "an MLP with one hidden layer learns XOR (100%).",
    "ko": "퍼셉트론은 AND와 OR은 정확도 100%로 학습하지만 XOR은 최대 75%에 그치며, "
          "은닉층이 하나인 MLP는 XOR을 100% 학습한다.",
}
QUICK = {"mlp_epochs": 300}

POINTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}
# The MLP's output is stored on [-0.5, 1.5]^2 in steps of 1/20: k / 20 hits 0 and 1 exactly,
# so the grid's value at each corner is the model's prediction for that point.
GRID_TICKS = [k / 20 for k in range(-10, 31)]


def run(seed=0, max_epochs=100, hidden_units=4, mlp_epochs=500, learning_rate=0.05):
    """Fit a perceptron to AND, OR and XOR and an MLP to XOR; accuracies and decision regions."""
    _check_positive_int(max_epochs=max_epochs, hidden_units=hidden_units, mlp_epochs=mlp_epochs)
    if not (isinstance(learning_rate, (int, float)) and 0 < learning_rate < float("inf")):
        raise ValueError(f"`learning_rate` must be a positive number, received learning_rate={learning_rate!r}")
    set_random_seed(seed)
    panels = [_perceptron_panel(gate, max_epochs) for gate in GATES]
    panels.append(_mlp_panel(hidden_units, mlp_epochs, learning_rate))
    accuracy = {(p["model"], p["gate"]): p["accuracy_percent"] for p in panels}
    held = (accuracy["perceptron", "AND"] == 100 and accuracy["perceptron", "OR"] == 100
            and accuracy["perceptron", "XOR"] <= 75 and accuracy["MLP", "XOR"] == 100)
    table = [{key: p[key] for key in ("model", "gate", "accuracy_percent", "epochs", "converged")} for p in panels]
    return {
        "held": held,
        "table": table,
        "note": _note(accuracy, held, max_epochs),
        "data": {"ticks": GRID_TICKS, "points": POINTS.tolist(), "panels": panels},
    }


def _perceptron_panel(gate, max_epochs):
    labels = np.array(GATES[gate])
    unit = Perceptron(learning_rate=1.0, max_epochs=max_epochs, activation="step")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # XOR never converges: that is the point
        unit.fit(POINTS, labels)
    return {
        "model": "perceptron", "gate": gate,
        "accuracy_percent": _percent(unit.predict(POINTS), labels),
        "epochs": unit.epochs_run, "converged": unit.converged,
        "weights": unit.weights.tolist(), "bias": float(unit.bias),
    }


def _mlp_panel(hidden_units, epochs, learning_rate):
    labels = np.array(GATES["XOR"], dtype=np.float32)
    model = Sequential([Input(shape=(2,)), Dense(hidden_units, activation="tanh"),
                        Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.Adam(learning_rate=learning_rate), loss="binary_crossentropy")
    history = model.fit(POINTS, labels, epochs=epochs, batch_size=len(POINTS), verbose=0)
    probability = model.predict(_grid(), verbose=0).reshape(len(GRID_TICKS), -1)
    return {
        "model": "MLP", "gate": "XOR",
        "accuracy_percent": _percent(model.predict(POINTS, verbose=0).ravel() > 0.5, labels),
        "epochs": epochs, "converged": None, "hidden_units": hidden_units,
        "final_loss": float(history.history["loss"][-1]),
        "grid": np.round(probability.astype(np.float64), 4).tolist(),
    }


def _grid():
    """Every (x1, x2) of the drawing grid, x1 varying fastest (row i is x2 = GRID_TICKS[i])."""
    x1, x2 = np.meshgrid(GRID_TICKS, GRID_TICKS)
    return np.stack([x1.ravel(), x2.ravel()], axis=1).astype(np.float32)


def _percent(predicted, labels):
    return float(100.0 * np.mean(np.asarray(predicted).astype(int) == np.asarray(labels).astype(int)))


def _note(accuracy, held, max_epochs):
    f = {key: format_number(value) for key, value in accuracy.items()}
    numbers = (f"perceptron AND {f['perceptron', 'AND']}%, OR {f['perceptron', 'OR']}%, "
               f"XOR {f['perceptron', 'XOR']}%; MLP XOR {f['MLP', 'XOR']}%")
    if held:
        return {
            "en": f"Held: {numbers}. No line separates XOR's classes, so the perceptron rule never "
                  f"stops making mistakes ({format_number(max_epochs)} epochs); the hidden layer bends the boundary.",
            "ko": f"성립: {numbers}. XOR의 두 부류는 직선 하나로 나눌 수 없어서 퍼셉트론 규칙은 "
                  f"{format_number(max_epochs)} 에포크 내내 틀리기를 멈추지 못하고, 은닉층은 경계를 구부려 이를 해결한다.",
        }
    return {
        "en": f"Did not hold: {numbers}. See the figure for the boundary that failed.",
        "ko": f"성립하지 않음: {numbers}. 어느 경계가 실패했는지는 그림에서 볼 수 있다.",
    }


def _check_positive_int(**values):
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
            raise ValueError(f"`{name}` must be a positive integer, received {name}={value!r}")


def plot(result, path):
    """Four panels: the decision regions of the perceptron on AND, OR, XOR and of the MLP on XOR."""
    data = result["data"]
    ticks, points = np.array(data["ticks"]), np.array(data["points"])
    fig, axes = figure(2, 2, panel_size=(4.2, 4.0))
    for ax, panel in zip(axes.ravel(), data["panels"]):
        fine, output = _regions(panel, ticks)
        ax.contourf(fine, fine, output, levels=[-0.01, 0.5, 1.01], colors=["#dbe6f5", "#f8dccb"])
        ax.contour(fine, fine, output, levels=[0.5], colors="#333333", linewidths=1.5)
        labels = np.array(GATES[panel["gate"]])
        for label, marker, color in ((0, "o", "#1f5fa8"), (1, "s", "#c4511b")):
            at = points[labels == label]
            ax.scatter(at[:, 0], at[:, 1], marker=marker, s=110, color=color, edgecolors="black",
                       zorder=3, label=f"target {label}")
        ax.set_title(f"{panel['model']} on {panel['gate']}: {format_number(panel['accuracy_percent'])}% correct",
                     fontsize=11)
        ax.set(xlabel="x1", ylabel="x2", xticks=[0, 1], yticks=[0, 1], aspect="equal")
    axes[0, 0].legend(loc="upper left", fontsize=9, framealpha=0.9)
    fig.suptitle("Decision regions: blue predicts 0, orange predicts 1\n"
                 "(the perceptron's line is w·x + b = 0; a point on it is predicted 0)", fontsize=11)
    return save_figure(fig, path)


def _regions(panel, ticks):
    """The model's output on a fine grid: the perceptron's step from its weights (exact line),
    the MLP's stored probabilities on the coarse grid (the contour interpolates them)."""
    if panel["model"] != "perceptron":
        return ticks, np.array(panel["grid"], dtype=float)
    fine = np.linspace(ticks[0], ticks[-1], 401)
    x1, x2 = np.meshgrid(fine, fine)
    (w1, w2), b = panel["weights"], panel["bias"]
    return fine, (w1 * x1 + w2 * x2 + b > 0).astype(float)
