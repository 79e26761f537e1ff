"""Experiment 2: the course's activation functions and their derivatives.

Each function is deepbasics' own (``deepbasics.activations``), and each derivative is what its
autodiff computes: ``y = f(x)`` on a ``Tensor`` of inputs, ``y.backward(ones)``, read ``x.grad``
(the functions are elementwise, so that is dy/dx at every x). Softmax is a vector function: it
is shown on the logits (x, 0, 0), whose first output is e^x / (e^x + 2), and its full Jacobian
is computed at the course's example logits (2, 1, 0.1), one backward pass per output.
Leaky ReLU uses Keras's function default slope 0.2 (the course's 0.01 would look like ReLU).
"""
import numpy as np

from deepbasics import activations
from deepbasics.autodiff import Tensor
from deepbasics.lab.common import figure, format_number, save_figure
from deepbasics.utils import set_random_seed

NAME = "activations"
TITLE = {
    "en": "Activation functions and their derivatives",
    "ko": "활성화 함수와 그 도함수",
}
CLAIM = {
    "en": "The sigmoid's derivative never exceeds 0.25, while ReLU's is exactly 0 or 1 "
          "(so an active ReLU passes a gradient back without shrinking it).",
    "ko": "시그모이드의 도함수는 0.25를 넘지 않지만, ReLU의 도함수는 정확히 0 또는 1이어서 "
          "활성화된 ReLU는 기울기를 줄이지 않고 그대로 뒤로 전달한다.",
}
QUICK = {"points": 201}

LEAKY_SLOPE = 0.2
SOFTMAX_EXAMPLE = [2.0, 1.0, 0.1]
# name -> the function applied to a (n,) tensor of inputs; softmax sees the rows (x, 0, 0).
FUNCTIONS = {
    "step": activations.step,
    "sign": activations.sign,
    "linear": activations.linear,
    "sigmoid": activations.sigmoid,
    "tanh": activations.tanh,
    "relu": activations.relu,
    "leaky_relu": lambda x: activations.leaky_relu(x, negative_slope=LEAKY_SLOPE),
    "elu": activations.elu,
    "softmax": None,  # a vector function: see _softmax_curve
}


def run(seed=0, points=1001, x_range=6.0):
    """Each function and its autodiff derivative on ``points`` inputs evenly spaced in
    [-x_range, x_range] (an odd count puts one at exactly 0); the softmax Jacobian at (2, 1, 0.1)."""
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or points < 3:
        raise ValueError(f"`points` must be an integer of at least 3, received points={points!r}")
    if not (isinstance(x_range, (int, float)) and 0 < x_range < float("inf")):
        raise ValueError(f"`x_range` must be a positive number, received x_range={x_range!r}")
    set_random_seed(seed)  # nothing here is random; kept for the lab's contract
    x = np.linspace(-x_range, x_range, int(points)).astype(np.float32)
    curves = {name: _curve(fn, x) if fn else _softmax_curve(x) for name, fn in FUNCTIONS.items()}
    table = [_row(name, y, dy) for name, (y, dy) in curves.items()]
    rows = {row["function"]: row for row in table}
    relu_values = sorted({float(v) for v in curves["relu"][1]})
    held = rows["sigmoid"]["derivative_max"] <= 0.25 and relu_values == [0.0, 1.0]
    return {
        "held": held,
        "table": table,
        "note": _note(rows, relu_values, held),
        "data": {
            "x": x.tolist(),
            "curves": {name: {"y": y.tolist(), "dy": dy.tolist()} for name, (y, dy) in curves.items()},
            "relu_derivative_values": relu_values,
            "leaky_slope": LEAKY_SLOPE,
            "softmax_example": _softmax_jacobian(SOFTMAX_EXAMPLE),
        },
    }


def _curve(fn, x):
    """(f(x), df/dx) with the derivative from one backward pass of ones (elementwise f)."""
    leaf = Tensor(x, requires_grad=True)
    y = fn(leaf)
    y.backward(np.ones_like(x))
    return y.data, leaf.grad


def _softmax_curve(x):
    """The first softmax output over the logits (x, 0, 0), and its derivative in x."""
    logits = np.zeros((len(x), 3), dtype=np.float32)
    logits[:, 0] = x
    leaf = Tensor(logits, requires_grad=True)
    p = activations.softmax(leaf)
    upstream = np.zeros_like(logits)
    upstream[:, 0] = 1.0  # d p_1 / d logits: the first row of each sample's Jacobian
    p.backward(upstream)
    return p.data[:, 0], leaf.grad[:, 0]


def _softmax_jacobian(logits):
    """p = softmax(logits) and J[i][j] = dp_i / dlogit_j, row i by a backward pass of e_i."""
    z = np.array([logits], dtype=np.float32)
    rows = []
    for i in range(z.shape[1]):  # one pass per output: 3 passes
        leaf = Tensor(z, requires_grad=True)
        p = activations.softmax(leaf)
        p.backward(np.eye(z.shape[1], dtype=np.float32)[i:i + 1])
        rows.append(leaf.grad[0].tolist())
    return {"logits": list(logits), "probabilities": p.data[0].tolist(), "jacobian": rows}


def _row(name, y, dy):
    return {"function": name,
            "output_min": float(y.min()), "output_max": float(y.max()),
            "derivative_min": float(dy.min()), "derivative_max": float(dy.max())}


def _note(rows, relu_values, held):
    sigmoid_max = format_number(rows["sigmoid"]["derivative_max"])
    tanh_max = format_number(rows["tanh"]["derivative_max"])
    relu = " and ".join(format_number(v) for v in relu_values)
    relu_ko = "과 ".join(format_number(v) for v in relu_values)
    verdict = {"en": "Held" if held else "Did not hold", "ko": "성립" if held else "성립하지 않음"}
    return {
        "en": f"{verdict['en']}: the sigmoid's derivative peaks at {sigmoid_max} (at x = 0), tanh's at "
              f"{tanh_max}; ReLU's derivative takes only the values {relu}. Step and sign have derivative "
              "0 wherever it exists, so gradient descent cannot train through them.",
        "ko": f"{verdict['ko']}: 시그모이드 도함수의 최댓값은 x = 0에서 {sigmoid_max}, tanh는 {tanh_max}이고, "
              f"ReLU의 도함수는 {relu_ko}만 나온다. 계단 함수와 부호 함수는 미분이 정의되는 곳에서 도함수가 "
              "0이라 경사 하강법으로 학습할 수 없다.",
    }


def plot(result, path):
    """One panel per function: f(x) and its derivative (autodiff) on the same axes."""
    data = result["data"]
    x = np.array(data["x"])
    names = list(data["curves"])
    fig, axes = figure(3, 3, panel_size=(3.9, 3.0))
    for ax, name in zip(axes.ravel(), names):
        curve = data["curves"][name]
        ax.axhline(0.0, color="#bbbbbb", linewidth=0.8)
        ax.axvline(0.0, color="#bbbbbb", linewidth=0.8)
        ax.plot(x, curve["y"], color="#1f5fa8", linewidth=2.0, label="f(x)")
        ax.plot(x, curve["dy"], color="#c4511b", linewidth=1.6, linestyle="--", label="f'(x) (autodiff)")
        ax.set_title(_panel_title(name, data), fontsize=10)
        ax.set_xlabel("x" if name != "softmax" else "x (the first logit)")
        ax.set_ylabel("value")
        ax.set_ylim(_limits(curve))
        if name == "sigmoid":
            peak = max(curve["dy"])
            ax.annotate(f"max f' = {format_number(peak)}", xy=(0.0, peak), xytext=(1.2, 0.45),
                        fontsize=9, arrowprops={"arrowstyle": "->", "color": "#555555"})
    axes[0, 0].legend(loc="upper left", fontsize=8, framealpha=0.9)
    fig.suptitle("Activation functions (solid) and their derivatives (dashed)", fontsize=12)
    return save_figure(fig, path)


def _panel_title(name, data):
    slope = format_number(data["leaky_slope"])
    return {
        "step": "step: 1 if x > 0 else 0",
        "sign": "sign: -1, 0 or 1",
        "linear": "linear: x",
        "sigmoid": r"sigmoid: $1 / (1 + e^{-x})$",
        "tanh": "tanh(x)",
        "relu": "ReLU: max(0, x)",
        "leaky_relu": f"leaky ReLU: max({slope}x, x)",
        "elu": r"ELU: x, or $e^x - 1$ for x $\leq$ 0",
        "softmax": r"softmax of (x, 0, 0): $p_1 = e^x / (e^x + 2)$",
    }.get(name, name)


def _limits(curve):
    low = min(min(curve["y"]), min(curve["dy"]))
    high = max(max(curve["y"]), max(curve["dy"]))
    pad = 0.08 * (high - low or 1.0)
    return low - pad, high + pad
