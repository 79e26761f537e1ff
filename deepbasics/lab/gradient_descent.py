"""Experiment 3: full-batch, stochastic (batch 1) and mini-batch (32) gradient descent on MNIST.

The three train the course network 784-64 relu-10 softmax from the same initial weights with
the same SGD learning rate for the same number of updates; they differ only in how many
images each gradient is computed from. After every update (every tenth after the first 100)
a callback measures the loss on the whole training subset, with the clock paused, so the loss
curves show what the updates did, not how noisy a batch's own loss is.

Time: a callback clocks every update (batching, forward, backward, step); the seconds shown are
updates times the median seconds per update, which leaves out the first calls' warm-up and the
pauses other processes cause. The claim compares at a margin of 2.
"""
import numpy as np

from deepbasics.callbacks import Callback
from deepbasics.layers import Dense, Input
from deepbasics.lab.common import Clock, figure, format_number, mnist_subset, save_figure
from deepbasics.models import Sequential
from deepbasics.optimizers import SGD
from deepbasics.utils import set_random_seed

NAME = "gradient_descent"
TITLE = {"en": "Full-batch, stochastic and mini-batch gradient descent",
         "ko": "배치 경사 하강법, 확률적 경사 하강법, 미니배치 경사 하강법"}
CLAIM = {"en": "On MNIST, mini-batch gradient descent (32 images) reaches a given loss in less wall time than "
               "full-batch descent, and stochastic descent (1 image) makes the noisiest updates (the largest "
               "step-to-step variance of the loss).",
         "ko": "MNIST에서 미니배치 경사 하강법(32장)은 배치 경사 하강법보다 적은 실제 시간에 같은 손실에 "
               "도달하고, 확률적 경사 하강법(1장)의 갱신이 가장 요란하다(갱신마다 손실이 바뀌는 폭의 분산이 "
               "가장 크다)."}
QUICK = {"n_train": 500, "updates": 60}

DENSE_UPDATES = 100  # the loss is measured after each of the first 100 updates, then every tenth
EVERY = 10
TIME_MARGIN = 2.0  # mini-batch must need at most half full batch's seconds (the note says "twice")


class LossAfterUpdates(Callback):
    """Stops ``fit`` after ``updates`` updates; times each one and measures the loss on (x, y)."""

    def __init__(self, x, y, updates):
        super().__init__()
        self.x, self.y, self.updates = x, y, updates
        self.clock, self.seconds, self.points = Clock(), [], []

    def measure(self, update):
        self.points.append((update, self.model.evaluate(self.x, self.y, batch_size=len(self.x), verbose=0)))

    def on_train_begin(self, logs=None):
        self.measure(0)
        self.mark = self.clock()

    def on_train_batch_end(self, batch, logs=None):
        self.seconds.append(self.clock() - self.mark)  # since the previous update ended
        done = len(self.seconds)
        if done <= DENSE_UPDATES or done % EVERY == 0 or done == self.updates:
            self.measure(done)
        if done >= self.updates:
            self.model.stop_training = True
        self.mark = self.clock()


def descend(batch_size, x, y, updates, learning_rate, seed):
    """Train from the seed's initial weights for ``updates`` updates of ``batch_size`` images."""
    set_random_seed(seed)
    model = Sequential([Input(shape=(784,)), Dense(64, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer=SGD(learning_rate), loss="categorical_crossentropy")
    recorder = LossAfterUpdates(x, y, updates)
    epochs = -(-updates * batch_size // len(x))  # enough passes for the updates
    model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0, callbacks=[recorder])
    steps, losses = (np.array(v) for v in zip(*recorder.points))
    return steps, losses, float(np.median(recorder.seconds))


def run(seed=0, n_train=2000, updates=200, learning_rate=0.01):
    """The three methods on the first ``n_train`` MNIST images, ``updates`` updates each."""
    for arg, value in (("n_train", n_train), ("updates", updates)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 2:
            raise ValueError(f"gradient_descent.run(): `{arg}` must be an integer >= 2, received {arg}={value!r}")
    if not 32 < n_train <= 60000:
        raise ValueError(f"gradient_descent.run(): `n_train` must be more than a mini-batch (32) and at most "
                         f"MNIST's 60000 training images, received n_train={n_train}")
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)) or not learning_rate > 0:
        raise ValueError(f"gradient_descent.run(): `learning_rate` must be a positive number, "
                         f"received learning_rate={learning_rate!r}")
    set_random_seed(seed)
    x, y, _, _ = mnist_subset(n_train, 1)
    methods = (("full batch", n_train), ("mini-batch", 32), ("stochastic", 1))
    runs = {name: descend(size, x, y, updates, learning_rate, seed) for name, size in methods}
    target = max(float(runs[name][1][-1]) for name in ("full batch", "mini-batch"))
    window = min(updates, DENSE_UPDATES)
    table, curves = [], {}
    for name, size in methods:
        steps, losses, per_update = runs[name]
        reached = np.flatnonzero(losses <= target)
        to_target = int(steps[reached[0]]) if reached.size else None
        table.append({
            "method": name, "batch_size": size, "updates": updates,
            "ms_per_update": round(per_update * 1e3, 4), "final_loss": round(float(losses[-1]), 5),
            "updates_to_target": to_target,
            "seconds_to_target": None if to_target is None else round(to_target * per_update, 5),
            "noise_updates": window,
            "loss_change_variance": float(f"{np.var(np.diff(losses[:window + 1])):.4g}"),
        })
        curves[name] = {"update": steps.tolist(), "loss": np.round(losses, 5).tolist(),
                        "seconds_per_update": per_update}
    rows = {row["method"]: row for row in table}
    return {"held": _held(rows), "table": table, "note": _note(rows, target, window, learning_rate),
            "data": {"curves": curves, "target_loss": round(target, 5), "variance_window": window,
                     "learning_rate": learning_rate, "time_margin": TIME_MARGIN}}


def _held(rows):
    full, mini, sgd = rows["full batch"], rows["mini-batch"], rows["stochastic"]
    faster = mini["seconds_to_target"] * TIME_MARGIN <= full["seconds_to_target"]
    noisiest = sgd["loss_change_variance"] > max(full["loss_change_variance"], mini["loss_change_variance"])
    return bool(faster and noisiest)


def _note(rows, target, window, learning_rate):
    n = format_number
    full, mini, sgd = rows["full batch"], rows["mini-batch"], rows["stochastic"]
    ratio = full["seconds_to_target"] / mini["seconds_to_target"]
    en = [f"At learning rate {n(learning_rate)} both full batch and mini-batch reach loss {n(round(target, 5))}: "
          f"full batch after {n(full['updates_to_target'])} updates of {n(full['ms_per_update'])} ms, "
          f"mini-batch after {n(mini['updates_to_target'])} updates of {n(mini['ms_per_update'])} ms, "
          f"{n(mini['seconds_to_target'])} s against {n(full['seconds_to_target'])} s."]
    ko = [f"학습률 {n(learning_rate)}에서 배치와 미니배치 모두 손실 {n(round(target, 5))}에 도달한다. 배치는 "
          f"{n(full['ms_per_update'])} ms짜리 갱신을 {n(full['updates_to_target'])}번, 미니배치는 "
          f"{n(mini['ms_per_update'])} ms짜리 갱신을 {n(mini['updates_to_target'])}번 해서, "
          f"{n(full['seconds_to_target'])}초 대 {n(mini['seconds_to_target'])}초가 걸렸다."]
    if ratio < TIME_MARGIN:
        en.append("That is not twice as fast, so the time claim does not hold here.")
        ko.append("두 배 이상 빠르지 않으므로 시간에 대한 주장은 여기서 성립하지 않는다.")
    en.append(f"Over the first {n(window)} updates the variance of the loss change per update is "
              f"{n(sgd['loss_change_variance'])} for stochastic, {n(mini['loss_change_variance'])} for mini-batch "
              f"and {n(full['loss_change_variance'])} for full batch.")
    ko.append(f"처음 {n(window)}번의 갱신에서 갱신마다 손실이 바뀌는 폭의 분산은 확률적 {n(sgd['loss_change_variance'])}, "
              f"미니배치 {n(mini['loss_change_variance'])}, 배치 {n(full['loss_change_variance'])}이다.")
    if sgd["loss_change_variance"] <= max(full["loss_change_variance"], mini["loss_change_variance"]):
        en.append("Stochastic descent is not the noisiest here.")
        ko.append("여기서는 확률적 경사 하강법이 가장 요란하지 않았다.")
    return {"en": " ".join(en), "ko": " ".join(ko)}


def plot(result, path):
    """Loss against updates, against seconds (log), and the loss change per update."""
    fig, axes = figure(1, 3, panel_size=(4.6, 3.8))
    colors = {"full batch": "tab:blue", "mini-batch": "tab:green", "stochastic": "tab:red"}
    widths = {"full batch": 3.0, "mini-batch": 1.2, "stochastic": 1.0}  # full batch shows under mini-batch
    target, window = result["data"]["target_loss"], result["data"]["variance_window"]
    for name, curve in result["data"]["curves"].items():
        update, loss = np.array(curve["update"]), np.array(curve["loss"])
        seconds = update * curve["seconds_per_update"]
        axes[0, 0].plot(update, loss, color=colors[name], lw=widths[name], alpha=0.8, label=name)
        axes[0, 1].plot(seconds[1:], loss[1:], color=colors[name], lw=widths[name], alpha=0.8, label=name)
        dense = update <= window
        axes[0, 2].plot(update[dense][1:], np.diff(loss[dense]), color=colors[name], lw=1.0, label=name)
    for ax in axes[0, :2]:
        ax.axhline(target, color="0.4", ls=":", lw=1, label=f"target loss {target:.3g}")
        ax.set_ylabel("loss on the training images")
        ax.grid(alpha=0.3)
    axes[0, 0].set(xlabel="update", title="Loss against updates")
    axes[0, 1].set(xlabel="seconds (updates x median s per update)", xscale="log", title="Loss against seconds (log scale)")
    axes[0, 2].set(xlabel="update", ylabel="loss change in one update",
                   title=f"Noise: loss change per update (first {window})")
    axes[0, 2].grid(alpha=0.3)
    axes[0, 0].legend(fontsize=8)
    return save_figure(fig, path)
