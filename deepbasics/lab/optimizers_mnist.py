"""Experiment 5: the eight optimizers of the course training the same network on MNIST.

Every optimizer starts from the same weights (the seed is reset before each model is built)
and sees the same batches in the same order: the course network 784-64 relu-10 softmax,
categorical cross-entropy, batch 32, the same number of steps, each optimizer at Keras's
default learning rate (Momentum and NAG are ``SGD(momentum=0.9)``, as in the course).
The per-step loss comes from a callback; the end point is the loss on all training images.
"""
import numpy as np

from deepbasics import optimizers
from deepbasics.layers import Dense, Input
from deepbasics.lab.common import BatchLosses, figure, format_number, mnist_subset, save_figure
from deepbasics.models import Sequential
from deepbasics.utils import set_random_seed

NAME = "optimizers_mnist"
TITLE = {"en": "Eight optimizers training the same network on MNIST",
         "ko": "같은 신경망을 MNIST로 학습시키는 여덟 가지 최적화 기법"}
CLAIM = {"en": "With the same network and the same number of steps, at Keras's default learning rates the "
               "adaptive methods (Adagrad, RMSprop, Adam, Nadam) end with a lower training loss than plain SGD.",
         "ko": "같은 신경망을 같은 횟수만큼 갱신하면, Keras의 기본 학습률에서 적응형 기법(Adagrad, RMSprop, Adam, "
               "Nadam)은 일반 SGD보다 낮은 훈련 손실로 끝난다."}
QUICK = {"n_train": 4000, "n_test": 1000, "epochs": 1}

OPTIMIZERS = ("SGD", "Momentum", "NAG", "Adagrad", "RMSprop", "Adadelta", "Adam", "Nadam")
ADAPTIVE = ("Adagrad", "RMSprop", "Adam", "Nadam")  # the ones the claim names
BATCH_SIZE = 32
CURVE_POINTS = 200  # the smoothed loss curve is stored at about this many steps


def make_optimizer(name):
    """The course's optimizer ``name`` at Keras's default learning rate."""
    if name in ("Momentum", "NAG"):
        return optimizers.SGD(momentum=0.9, nesterov=name == "NAG")
    return optimizers.get(name.lower())


def moving_average(values, window):
    """The mean of each ``window`` consecutive values (a shorter window at the start)."""
    sums = np.cumsum(np.concatenate([[0.0], values]))
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(ends - window, 0)
    return (sums[ends] - sums[starts]) / (ends - starts)


def train(name, seed, x, y, x_test, y_test, epochs):
    """One optimizer's run: per-batch losses, final train loss, test accuracy, weight change."""
    set_random_seed(seed)  # the same initial weights and batch order for every optimizer
    model = Sequential([Input(shape=(784,)), Dense(64, activation="relu"), Dense(10, activation="softmax")])
    optimizer = make_optimizer(name)
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    start = [w.copy() for w in model.get_weights()]
    recorder = BatchLosses(len(x), BATCH_SIZE)
    model.fit(x, y, batch_size=BATCH_SIZE, epochs=epochs, verbose=0, callbacks=[recorder])
    moved = np.sqrt(sum(float(np.sum((w - w0) ** 2)) for w, w0 in zip(model.get_weights(), start)))
    train_loss = model.evaluate(x, y, batch_size=1000, verbose=0)[0]
    test_accuracy = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)[1]
    row = {"optimizer": name, "learning_rate": round(float(optimizer.learning_rate), 6),
           "steps": len(recorder.losses), "final_train_loss": round(float(train_loss), 5),
           "test_accuracy": round(float(test_accuracy), 4), "weight_change": round(float(moved), 4)}
    return row, np.array(recorder.losses)


def run(seed=0, n_train=60000, n_test=10000, epochs=2):
    """Train the course network once per optimizer; compare the final training losses."""
    for arg, value in (("n_train", n_train), ("n_test", n_test), ("epochs", epochs)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"optimizers_mnist.run(): `{arg}` must be a positive integer, received {arg}={value!r}")
    if n_train > 60000 or n_test > 10000:
        raise ValueError(f"optimizers_mnist.run(): MNIST has 60000 training and 10000 test images, "
                         f"received n_train={n_train}, n_test={n_test}")
    set_random_seed(seed)
    x, y, x_test, y_test = mnist_subset(n_train, n_test)
    table, curves = [], {}
    window = max(1, int(n_train * epochs / BATCH_SIZE) // 40)
    for name in OPTIMIZERS:
        row, losses = train(name, seed, x, y, x_test, y_test, epochs)
        table.append(row)
        keep = np.unique(np.linspace(0, len(losses) - 1, CURVE_POINTS).round().astype(int))
        curves[name] = {"step": (keep + 1).tolist(),
                        "loss": np.round(moving_average(losses, window)[keep], 5).tolist()}
    sgd_loss = table[0]["final_train_loss"]
    for row in table:
        row["below_sgd"] = bool(row["final_train_loss"] < sgd_loss) if row["optimizer"] != "SGD" else None
    behind = [row for row in table if row["optimizer"] in ADAPTIVE and not row["below_sgd"]]
    adagrad = optimizers.Adagrad()
    start = float(adagrad.initial_accumulator_value)
    ceiling = float(f"{float(adagrad.learning_rate) / np.sqrt(start):.4g}")  # lr / sqrt(acc) at its smallest acc
    return {"held": not behind, "table": table, "note": _note(table, behind),
            "data": {"curves": curves, "smoothing_window": window, "batch_size": BATCH_SIZE,
                     "adagrad_initial_accumulator": start, "adagrad_step_ceiling": ceiling}}


def _note(table, behind):
    n = format_number
    rows = {row["optimizer"]: row for row in table}
    sgd = rows["SGD"]
    en = [f"After {n(sgd['steps'])} steps SGD (learning rate {n(sgd['learning_rate'])}) ends at a training "
          f"loss of {n(sgd['final_train_loss'])}."]
    ko = [f"{n(sgd['steps'])}번 갱신한 뒤 SGD(학습률 {n(sgd['learning_rate'])})의 훈련 손실은 "
          f"{n(sgd['final_train_loss'])}이다."]
    ahead = [name for name in ADAPTIVE if rows[name]["below_sgd"]]
    if ahead:
        listed = ", ".join(f"{name} {n(rows[name]['final_train_loss'])}" for name in ahead)
        en.append(f"Below it: {listed}.")
        ko.append(f"이보다 낮은 기법: {listed}.")
    for row in behind:
        name, loss, moved = row["optimizer"], n(row["final_train_loss"]), n(row["weight_change"])
        if name == "Adagrad":
            en.append(f"Adagrad does not: it ends at {loss}. Keras's Adagrad divides its rate "
                      f"{n(row['learning_rate'])} by the root of a sum of squared gradients that starts at its "
                      f"initial accumulator value and only grows, so from the first step its steps are at most a "
                      f"third of SGD's ({n(sgd['learning_rate'])} times the gradient) and they keep shrinking: its "
                      f"weights ended {moved} from where they started, SGD's {n(sgd['weight_change'])}.")
            ko.append(f"Adagrad의 경우 그렇지 않다: 손실이 {loss}로 끝났다. Keras의 Adagrad는 학습률"
                      f"({n(row['learning_rate'])})을 기울기 제곱합의 제곱근으로 나누는데, 이 합은 초기 누적값에서 "
                      f"시작해 커지기만 한다. 그래서 첫 갱신부터 보폭이 SGD(기울기의 {n(sgd['learning_rate'])}배)의 "
                      f"삼분의 일을 넘지 못하고 점점 더 작아진다. 가중치가 처음 위치에서 멀어진 거리도 {moved}로 "
                      f"SGD의 {n(sgd['weight_change'])}보다 짧다.")
        else:
            en.append(f"{name} does not: it ends at {loss} (its weights ended {moved} from where they "
                      f"started, SGD's {n(sgd['weight_change'])}).")
            ko.append(f"{name}의 경우 그렇지 않다: 손실이 {loss}로 끝났다(가중치가 처음 위치에서 멀어진 거리 "
                      f"{moved}, SGD는 {n(sgd['weight_change'])}).")
    delta = rows["Adadelta"]
    en.append(f"Adadelta, outside the claim, barely learns at Keras's default rate {n(delta['learning_rate'])}, "
              f"which Keras multiplies into Zeiler's rule (a rule with no rate of its own): loss "
              f"{n(delta['final_train_loss'])}.")
    ko.append(f"주장에 포함되지 않은 Adadelta는 Keras 기본 학습률 {n(delta['learning_rate'])}에서는 거의 학습하지 "
              f"못한다(손실 {n(delta['final_train_loss'])}). 원래 학습률이 없는 Zeiler의 규칙에 Keras가 이 "
              f"학습률을 곱하기 때문이다.")
    return {"en": " ".join(en), "ko": " ".join(ko)}


def plot(result, path):
    """Smoothed training loss per step of the eight optimizers (linear and log scale)."""
    fig, axes = figure(1, 2, panel_size=(6.0, 4.4))
    from matplotlib.ticker import FormatStrFormatter  # matplotlib is there once figure() returned
    styles = dict(zip(OPTIMIZERS, ["-", "-", "--", "-", "-", "-", "-", "--"]))
    window = result["data"]["smoothing_window"]
    for ax, scale in zip(axes[0], ("linear", "log")):
        for name, curve in result["data"]["curves"].items():
            ax.plot(curve["step"], curve["loss"], styles[name], lw=1.4, label=name)
        ax.set(xlabel="update (batch of 32)", ylabel=f"training loss (mean of {window} batches)", yscale=scale,
               title=f"Loss per update at Keras's default rates ({scale} scale)")
        ax.grid(alpha=0.3, which="both")
    for axis in (axes[0, 1].yaxis.set_major_formatter, axes[0, 1].yaxis.set_minor_formatter):
        axis(FormatStrFormatter("%g"))
    axes[0, 1].legend(fontsize=8, ncol=2)
    return save_figure(fig, path)
