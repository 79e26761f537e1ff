"""Experiment 4: the paths of eight optimizers on two functions of two variables.

Each optimizer from ``deepbasics.optimizers`` moves one 2-element ``Variable``; the gradient comes
from deepbasics' autodiff (``f`` built from Tensor ops, then ``backward``) and is handed to the
optimizer's public ``apply``. The bowl f(x, y) = x^2/20 + y^2 starts at (-7, 2) with the rates of
the course's figure (Deep Learning from Scratch, ch. 6: SGD 0.95, Momentum 0.1, AdaGrad 1.5,
Adam 0.3); NAG takes Momentum's rate, RMSprop and Nadam Adam's (their steps are normalised as
Adam's are), Adadelta 1.0 (the paper's rule has no rate). On Rosenbrock's function
(1 - x)^2 + 100 (y - x^2)^2 from (-1.2, 1), each optimizer takes the best rate of the grid
1e-4, 3e-4, ..., 0.3, 1 after 1000 steps (found once: the problem has no randomness).
"""
import numpy as np

from deepbasics import optimizers
from deepbasics.autodiff import Variable
from deepbasics.lab.common import figure, format_number, save_figure
from deepbasics.utils import set_random_seed

NAME = "optimizers_2d"
TITLE = {"en": "Eight optimizers on two-dimensional functions",
         "ko": "2차원 함수 위에서 본 여덟 가지 최적화 기법"}
CLAIM = {"en": "On f(x, y) = x^2/20 + y^2 from (-7, 2), SGD zig-zags (its y-coordinate changes sign "
               "most often), and after the same number of steps Momentum and Adam end closer to "
               "the minimum than SGD.",
         "ko": "f(x, y) = x^2/20 + y^2 위에서 (-7, 2)부터 출발하면 SGD는 지그재그로 움직이고(y좌표의 "
               "부호가 가장 자주 바뀌고), 같은 횟수만큼 갱신한 뒤에는 Momentum과 Adam이 SGD보다 "
               "최솟값에 더 가까이 있다."}
QUICK = {"steps": 30, "rosenbrock_steps": 500}

OPTIMIZERS = ("SGD", "Momentum", "NAG", "Adagrad", "RMSprop", "Adadelta", "Adam", "Nadam")
BOWL_RATES = {"SGD": 0.95, "Momentum": 0.1, "NAG": 0.1, "Adagrad": 1.5,
              "RMSprop": 0.3, "Adadelta": 1.0, "Adam": 0.3, "Nadam": 0.3}
ROSENBROCK_RATES = {"SGD": 0.003, "Momentum": 0.003, "NAG": 0.001, "Adagrad": 1.0,
                    "RMSprop": 0.01, "Adadelta": 1.0, "Adam": 0.3, "Nadam": 0.1}
FUNCTIONS = {  # name: (f on a 2-element Tensor, start, minimum, rates)
    "bowl": (lambda p: p[0] ** 2 / 20.0 + p[1] ** 2, (-7.0, 2.0), (0.0, 0.0), BOWL_RATES),
    "rosenbrock": (lambda p: (1.0 - p[0]) ** 2 + 100.0 * (p[1] - p[0] ** 2) ** 2,
                   (-1.2, 1.0), (1.0, 1.0), ROSENBROCK_RATES),
}
MOMENTUM = 0.9  # the course's (and Keras's usual) momentum for Momentum and NAG
STORED_POINTS = 200  # a long path is thinned to about this many points for the figure


def make_optimizer(name, learning_rate):
    """The course's name for an optimizer as a deepbasics optimizer (Keras's formulas)."""
    if name == "Momentum":
        return optimizers.SGD(learning_rate, momentum=MOMENTUM)
    if name == "NAG":
        return optimizers.SGD(learning_rate, momentum=MOMENTUM, nesterov=True)
    return optimizers.get({"class_name": name, "config": {"learning_rate": learning_rate}})


def descend(f, start, optimizer, steps):
    """The path (steps + 1, 2) of ``optimizer`` minimising ``f`` from ``start``."""
    point = Variable(np.array(start))
    path = np.empty((steps + 1, 2), dtype=np.float64)
    path[0] = point.numpy()
    for step in range(1, steps + 1):
        point.grad = None
        f(point).backward()
        optimizer.apply([point.grad], [point])
        path[step] = point.numpy()
    return path


def sign_changes(values):
    """How often consecutive values have opposite signs (exact zeros are skipped)."""
    signs = np.sign(values)
    signs = signs[signs != 0]
    return int(np.count_nonzero(signs[1:] != signs[:-1]))


def _thin(path):
    """Every point early on (where paths turn), then evenly spaced ones, always the last."""
    if len(path) <= STORED_POINTS:
        return path
    head = STORED_POINTS // 2
    tail = np.linspace(head, len(path) - 1, STORED_POINTS - head).round().astype(int)
    return path[np.concatenate([np.arange(head), tail])]


def run(seed=0, steps=30, rosenbrock_steps=1000):
    """Run all eight optimizers on both functions; the claim is judged on the bowl."""
    for arg, value in (("steps", steps), ("rosenbrock_steps", rosenbrock_steps)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"optimizers_2d.run(): `{arg}` must be a positive integer, received {arg}={value!r}")
    set_random_seed(seed)  # nothing here is random; kept so that every experiment starts alike
    table, paths = [], {}
    for function, n_steps in (("bowl", steps), ("rosenbrock", rosenbrock_steps)):
        f, start, minimum, rates = FUNCTIONS[function]
        paths[function] = {}
        for name in OPTIMIZERS:
            path = descend(f, start, make_optimizer(name, rates[name]), n_steps)
            gaps = np.linalg.norm(path - np.array(minimum), axis=1)
            table.append({
                "function": function, "optimizer": name, "learning_rate": rates[name], "steps": n_steps,
                "final_x": round(float(path[-1, 0]), 6), "final_y": round(float(path[-1, 1]), 6),
                "distance_to_minimum": round(float(gaps[-1]), 6),
                "closest_approach": round(float(gaps.min()), 6),
                "y_sign_changes": sign_changes(path[:, 1]),
            })
            paths[function][name] = np.round(_thin(path), 5).tolist()
    bowl = {row["optimizer"]: row for row in table if row["function"] == "bowl"}
    zigzag = all(bowl["SGD"]["y_sign_changes"] > bowl[o]["y_sign_changes"] for o in OPTIMIZERS if o != "SGD")
    closer = {o: bowl[o]["distance_to_minimum"] < bowl["SGD"]["distance_to_minimum"] for o in ("Momentum", "Adam")}
    theory = bowl_rates_of_convergence(BOWL_RATES["SGD"])
    return {"held": bool(zigzag and all(closer.values())), "table": table,
            "note": _note(bowl, zigzag, closer, steps),
            "data": {"bowl_theory": theory, "paths": paths, "starts": {k: list(v[1]) for k, v in FUNCTIONS.items()},
                     "minima": {k: list(v[2]) for k, v in FUNCTIONS.items()}}}


def bowl_rates_of_convergence(sgd_rate, momentum=MOMENTUM):
    """Why the bowl's verdict comes out as it does, from its curvatures 0.1 (x) and 2 (y).

    Plain gradient descent multiplies the error along a curvature c by (1 - lr c) each step; the
    best fixed rate is 2 / (c_min + c_max). Heavy-ball momentum m multiplies it by roots whose
    product is m, so by at least sqrt(m) per step whatever the rate.
    """
    c_min, c_max = 0.1, 2.0
    return {"momentum": momentum, "best_sgd_rate": round(2.0 / (c_min + c_max), 4),
            "sgd_factor": round(max(abs(1 - sgd_rate * c_min), abs(1 - sgd_rate * c_max)), 4),
            "momentum_factor": round(float(np.sqrt(momentum)), 4)}


def _note(bowl, zigzag, closer, steps):
    n = format_number
    sgd, mom, adam = bowl["SGD"], bowl["Momentum"], bowl["Adam"]
    en = [f"On the bowl SGD's y changed sign {n(sgd['y_sign_changes'])} times in {n(steps)} steps"
          + (", more than any other optimizer." if zigzag else ", not more than every other optimizer.")]
    ko = [f"그릇 모양 함수에서 SGD의 y좌표는 {n(steps)}번 갱신하는 동안 부호가 {n(sgd['y_sign_changes'])}번 바뀌어"
          + (" 다른 어떤 기법보다 많았다." if zigzag else " 다른 모든 기법보다 많지는 않았다.")]
    d_sgd, d_mom, d_adam = (n(r["distance_to_minimum"]) for r in (sgd, mom, adam))
    en.append(f"After {n(steps)} steps SGD is {d_sgd} from the minimum, Momentum {d_mom} and Adam {d_adam}.")
    ko.append(f"{n(steps)}번 갱신한 뒤 최솟값까지의 거리는 SGD {d_sgd}, Momentum {d_mom}, Adam {d_adam}이다.")
    if not closer["Momentum"]:
        # the numbers behind this sentence are in data["bowl_theory"]; a note quotes table numbers only
        en.append(f"So the claim does not hold for Momentum: SGD's rate {n(sgd['learning_rate'])} is close to the "
                  f"best fixed rate for this bowl, so plain descent already shrinks the error about as fast as a "
                  f"fixed step can, while Momentum's velocity carries it past the minimum again and again; after "
                  f"{n(steps)} steps it is still swinging (on the way it came within {n(mom['closest_approach'])}).")
        ko.append(f"따라서 Momentum에 대해서는 주장이 성립하지 않는다. SGD의 학습률({n(sgd['learning_rate'])})은 이 "
                  f"함수에서 가장 좋은 고정 학습률에 가까워서, 일반 경사 하강법이 이미 고정 보폭으로 낼 수 있는 "
                  f"거의 최대 속도로 오차를 줄인다. 반면 Momentum은 쌓인 속도 때문에 최솟값을 거듭 지나치고, "
                  f"{n(steps)}번 갱신한 뒤에도 여전히 흔들리고 있다(도중에 가장 가까이 갔을 때의 거리는 "
                  f"{n(mom['closest_approach'])}).")
    if not closer["Adam"]:
        en.append("Adam does not end closer than SGD either.")
        ko.append("Adam도 SGD보다 최솟값에 가깝게 끝나지 않았다.")
    return {"en": " ".join(en), "ko": " ".join(ko)}


def plot(result, path):
    """One panel per optimizer and function (bowl: top two rows; Rosenbrock: bottom two)."""
    fig, axes = figure(4, 4, panel_size=(3.4, 2.7))
    views = {"bowl": ((-8, 8), (-3, 3), np.linspace(0.5, 14, 10)),
             "rosenbrock": ((-2, 2), (-1, 3), np.logspace(-1, 3, 10))}
    short = {"bowl": "x²/20 + y²", "rosenbrock": "Rosenbrock"}
    rows = {(r["function"], r["optimizer"]): r for r in result["table"]}
    for f_index, function in enumerate(("bowl", "rosenbrock")):
        (x0, x1), (y0, y1), levels = views[function]
        gx, gy = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
        fz = gx ** 2 / 20 + gy ** 2 if function == "bowl" else (1 - gx) ** 2 + 100 * (gy - gx ** 2) ** 2
        for o_index, name in enumerate(OPTIMIZERS):
            ax = axes[2 * f_index + o_index // 4, o_index % 4]
            row = rows[function, name]
            ax.contour(gx, gy, fz, levels=levels, colors="0.8", linewidths=0.6)
            p = np.clip(np.array(result["data"]["paths"][function][name]), [x0, y0], [x1, y1])
            ax.plot(p[:, 0], p[:, 1], "-o", ms=1.8, lw=0.9, color="tab:blue", label="path")
            ax.plot(*result["data"]["starts"][function], "gs", ms=5, label="start")
            ax.plot(*result["data"]["minima"][function], "r*", ms=9, label="minimum")
            ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="x", ylabel="y",
                   title=f"{name} (lr {row['learning_rate']:g}) on {short[function]}")
            ax.title.set_fontsize(9)
            ax.text(0.03, 0.04, f"{row['steps']} steps, ends {row['distance_to_minimum']:.3g} from min",
                    transform=ax.transAxes, fontsize=7.5, bbox={"fc": "white", "ec": "none", "alpha": 0.8})
    axes[0, 0].legend(fontsize=7, loc="upper right")
    return save_figure(fig, path)
