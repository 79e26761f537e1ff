"""Experiment 6: is a smaller batch always better? Batch sizes 8 to 2048 on MNIST.

Each batch size trains the course network 784-64 relu-10 softmax with SGD at Keras's default
rate 0.01 from the same initial weights for the same number of epochs. Four times per epoch a
callback measures the loss on (up to) 10,000 training images and the test accuracy, with the
clock paused. Seconds per epoch are the median over the epochs after the first (warm-up); a
checkpoint's time is its epochs done times that median. The time budget is the time the fastest
batch size needs for all its epochs, so that every batch size was measured over all of it; the
accuracy at the budget is interpolated between the two checkpoints around it.
"""
import numpy as np

from deepbasics.callbacks import Callback
from deepbasics.layers import Dense, Input
from deepbasics.lab.common import Clock, figure, format_number, mnist_subset, save_figure
from deepbasics.models import Sequential
from deepbasics.optimizers import SGD
from deepbasics.utils import set_random_seed

NAME = "batch_size"
TITLE = {"en": "Is a smaller batch always better? Batch sizes 8 to 2048",
         "ko": "배치는 작을수록 좋은가? 배치 크기 8에서 2048까지"}
CLAIM = {"en": "A smaller batch is not always better: the smallest batch lowers the loss most per epoch, but "
               "its epochs take longer, and within a fixed time budget a larger batch reaches a higher test "
               "accuracy.",
         "ko": "배치가 작을수록 늘 좋은 것은 아니다. 가장 작은 배치는 에포크당 손실을 가장 많이 줄이지만 "
               "에포크 하나에 시간이 더 걸려서, 정해진 시간 안에서는 더 큰 배치가 더 높은 테스트 정확도에 "
               "도달한다."}
QUICK = {"n_train": 6000, "n_test": 1000, "epochs": 2, "batch_sizes": (8, 64, 512)}

CHECKPOINTS_PER_EPOCH = 4
EVAL_IMAGES = 10000  # the training loss is measured on at most this many training images
LEARNING_RATE = 0.01  # Keras's default for SGD, the course's optimizer, for every batch size
ACCURACY_MARGIN = 0.005  # "higher" means by at least half a percentage point
TIME_MARGIN = 1.5  # "its epochs take longer" means at least 1.5 times the fastest batch size's


class Checkpoints(Callback):
    """Times each epoch (clock paused while measuring) and measures at fractions of an epoch."""

    def __init__(self, measure):
        super().__init__()
        self.measure, self.clock = measure, Clock()
        self.epoch_seconds, self.points = [], []

    def on_train_begin(self, logs=None):
        self.points.append((0.0, *self.measure(self.model)))

    def on_epoch_begin(self, epoch, logs=None):
        steps = self.params["steps"]
        self.epoch, self.steps, self.paused = epoch, steps, 0.0
        self.marks = {max(1, round(k * steps / CHECKPOINTS_PER_EPOCH)) for k in range(1, CHECKPOINTS_PER_EPOCH + 1)}
        self.start = self.clock()

    def on_train_batch_end(self, batch, logs=None):
        if batch + 1 in self.marks:
            paused_at = self.clock()
            self.points.append((self.epoch + (batch + 1) / self.steps, *self.measure(self.model)))
            self.paused += self.clock() - paused_at

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_seconds.append(self.clock() - self.start - self.paused)


def train(batch_size, data, epochs, seed):
    """Checkpoints (epochs done, train loss, test accuracy) and median seconds per later epoch."""
    x, y, x_eval, y_eval, x_test, y_test = data

    def measure(model):
        loss = model.evaluate(x_eval, y_eval, batch_size=2000, verbose=0)[0]
        accuracy = model.evaluate(x_test, y_test, batch_size=2000, verbose=0)[1]
        return float(loss), float(accuracy)

    set_random_seed(seed)
    model = Sequential([Input(shape=(784,)), Dense(64, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer=SGD(LEARNING_RATE), loss="categorical_crossentropy", metrics=["accuracy"])
    recorder = Checkpoints(measure)
    model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0, callbacks=[recorder])
    return np.array(recorder.points), float(np.median(recorder.epoch_seconds[1:]))


def _check(n_train, n_test, epochs, batch_sizes):
    for arg, value, low in (("n_train", n_train, 1), ("n_test", n_test, 1), ("epochs", epochs, 2)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"batch_size.run(): `{arg}` must be an integer >= {low}, received {arg}={value!r}")
    if n_train > 60000 or n_test > 10000:
        raise ValueError(f"batch_size.run(): MNIST has 60000 training and 10000 test images, "
                         f"received n_train={n_train}, n_test={n_test}")
    sizes = list(batch_sizes) if isinstance(batch_sizes, (list, tuple)) else None
    if (not sizes or len(sizes) < 2 or sorted(set(sizes)) != sizes
            or any(isinstance(b, bool) or not isinstance(b, (int, np.integer)) or b < 1 for b in sizes)):
        raise ValueError(f"batch_size.run(): `batch_sizes` must be at least two increasing positive integers, "
                         f"received batch_sizes={batch_sizes!r}")
    return [int(b) for b in sizes]


def run(seed=0, n_train=60000, n_test=10000, epochs=4, batch_sizes=(8, 32, 128, 512, 2048)):
    """Train once per batch size; compare per epoch, per second and at a fixed time budget."""
    sizes = _check(n_train, n_test, epochs, batch_sizes)
    set_random_seed(seed)
    x, y, x_test, y_test = mnist_subset(n_train, n_test)
    data = (x, y, x[:EVAL_IMAGES], y[:EVAL_IMAGES], x_test, y_test)
    runs = {b: train(b, data, epochs, seed) for b in sizes}
    budget = min(epochs * seconds for _, seconds in runs.values())
    table, curves = [], {}
    for b in sizes:
        points, seconds = runs[b]
        done, updates = points[:, 0], -(-n_train // b)
        after_one = np.flatnonzero(done >= 1.0)[0]
        table.append({
            "batch_size": b, "updates_per_epoch": updates, "seconds_per_epoch": round(seconds, 4),
            "loss_after_1_epoch": round(float(points[after_one, 1]), 5),
            "final_loss": round(float(points[-1, 1]), 5), "final_test_accuracy": round(float(points[-1, 2]), 4),
            "ms_per_update": round(seconds / updates * 1e3, 4),
            "epochs_in_budget": round(min(budget / seconds, float(epochs)), 3),
            "updates_in_budget": int(min(budget / seconds, epochs) * updates),
            # between two checkpoints, read the accuracy off the straight line joining them
            "test_accuracy_in_budget": round(float(np.interp(budget, done * seconds, points[:, 2])), 4),
        })
        curves[str(b)] = {"epoch": np.round(done, 4).tolist(), "loss": np.round(points[:, 1], 5).tolist(),
                          "test_accuracy": np.round(points[:, 2], 4).tolist(), "seconds_per_epoch": seconds}
    verdict = _verdict(table)
    return {"held": all(verdict.values()), "table": table,
            "note": _note(table, verdict, LEARNING_RATE),
            "data": {"curves": curves, "budget_seconds": float(budget), "checks": verdict,
                     "accuracy_margin": ACCURACY_MARGIN, "time_margin": TIME_MARGIN, "learning_rate": LEARNING_RATE}}


def _verdict(table):
    smallest, others = table[0], table[1:]
    best_other = max(others, key=lambda r: r["test_accuracy_in_budget"])
    return {
        "smallest_lowest_loss_per_epoch": all(smallest["loss_after_1_epoch"] < r["loss_after_1_epoch"] for r in others),
        "smallest_slower_per_epoch": smallest["seconds_per_epoch"]
        >= TIME_MARGIN * min(r["seconds_per_epoch"] for r in others),
        "larger_wins_in_budget": best_other["test_accuracy_in_budget"]
        >= smallest["test_accuracy_in_budget"] + ACCURACY_MARGIN,
    }


def _note(table, verdict, learning_rate):
    n = format_number
    smallest, others = table[0], table[1:]
    b0 = n(smallest["batch_size"])
    fastest = min(table, key=lambda r: r["seconds_per_epoch"])
    rival = max(others, key=lambda r: r["test_accuracy_in_budget"])  # the best larger batch
    if verdict["smallest_lowest_loss_per_epoch"]:
        en = [f"After one epoch batch {b0} has the lowest training loss ({n(smallest['loss_after_1_epoch'])})."]
        ko = [f"한 에포크 뒤 훈련 손실은 가장 작은 배치({b0})가 가장 낮다({n(smallest['loss_after_1_epoch'])})."]
    else:
        en = [f"After one epoch batch {b0} does not have the lowest training loss."]
        ko = [f"한 에포크 뒤 가장 작은 배치({b0})의 훈련 손실이 가장 낮지는 않다."]
    en.append(f"An epoch takes it {n(smallest['seconds_per_epoch'])} s, batch {n(fastest['batch_size'])} "
              f"{n(fastest['seconds_per_epoch'])} s" + ("." if verdict["smallest_slower_per_epoch"] else
                                                        ": not half again as long, as the claim needs."))
    ko.append(f"에포크 하나에 걸리는 시간은 {n(smallest['seconds_per_epoch'])}초로, 가장 빠른 배치"
              f"({n(fastest['batch_size'])})는 {n(fastest['seconds_per_epoch'])}초다"
              + ("." if verdict["smallest_slower_per_epoch"] else ". 주장이 성립하려면 그 절반만큼은 더 길어야 한다."))
    a0, e0, a1, e1 = (n(smallest["test_accuracy_in_budget"]), n(smallest["epochs_in_budget"]),
                      n(rival["test_accuracy_in_budget"]), n(rival["epochs_in_budget"]))
    b1 = n(rival["batch_size"])
    # the budget is the time the fastest batch size takes for all its epochs
    within_en = f"Within the time batch {n(fastest['batch_size'])} takes for all its epochs,"
    within_ko = f"가장 빠른 배치({n(fastest['batch_size'])})가 모든 에포크를 마치는 시간 안에서"
    if verdict["larger_wins_in_budget"]:
        en.append(f"{within_en} batch {b1} reaches a test accuracy of {a1} ({e1} epochs), "
                  f"batch {b0} only {a0} ({e0} epochs).")
        ko.append(f"{within_ko} 배치({b1})는 테스트 정확도 {a1}({e1} 에포크)에 도달하지만, 가장 작은 "
                  f"배치({b0})는 {a0}({e0} 에포크)에 그친다.")
    else:
        u0, u1 = n(smallest["updates_in_budget"]), n(rival["updates_in_budget"])
        en.append(f"{within_en} no larger batch beats it by half a percentage point: batch {b0} reaches {a0} "
                  f"({e0} epochs), the best larger one, batch {b1}, {a1} ({e1} epochs), so the claim does not hold "
                  f"here. In that time batch {b0} makes {u0} updates and batch {b1} {u1}: an update on fewer "
                  f"images is cheaper, and at the same learning rate {n(learning_rate)} the number of updates "
                  f"counts for more than the images behind each.")
        ko.append(f"{within_ko} 가장 작은 배치({b0})를 반 퍼센트포인트 이상 앞선 더 큰 배치는 없다. "
                  f"배치({b0})는 {a0}({e0} 에포크), 그다음으로 좋은 배치({b1})는 {a1}({e1} 에포크)이므로 여기서는 "
                  f"주장이 성립하지 않는다. 그 시간 동안 배치({b0})는 {u0}번, 배치({b1})는 {u1}번 갱신한다. 이미지가 "
                  f"적은 갱신은 그만큼 싸고, 같은 학습률 {n(learning_rate)}에서는 갱신 하나에 쓰인 이미지 수보다 "
                  f"갱신 횟수가 더 중요하다.")
    return {"en": " ".join(en), "ko": " ".join(ko)}


def plot(result, path):
    """Loss per epoch, loss per second, seconds per epoch and test accuracy within the budget."""
    fig, axes = figure(2, 2, panel_size=(5.2, 3.8))
    (per_epoch, per_second), (timing, budget_ax) = axes
    budget = result["data"]["budget_seconds"]
    for label, curve in result["data"]["curves"].items():
        epochs = np.array(curve["epoch"])
        per_epoch.plot(epochs, curve["loss"], "-o", ms=2.5, label=f"batch {label}")
        per_second.plot(epochs * curve["seconds_per_epoch"], curve["loss"], "-o", ms=2.5, label=f"batch {label}")
    per_second.axvline(budget, color="0.4", ls=":", label=f"budget {budget:g} s")
    per_epoch.set(xlabel="epoch", ylabel="training loss", title="Loss per epoch")
    per_second.set(xlabel="seconds (epochs x median s per epoch)", ylabel="training loss", title="Loss per second")
    rows = result["table"]
    names = [str(r["batch_size"]) for r in rows]
    bars = timing.bar(names, [r["seconds_per_epoch"] for r in rows], color="tab:gray")
    timing.bar_label(bars, fmt="%.3g", fontsize=8)
    timing.set(xlabel="batch size", ylabel="seconds per epoch (median)", title="Seconds per epoch")
    bars = budget_ax.bar(names, [r["test_accuracy_in_budget"] for r in rows], color="tab:green")
    budget_ax.bar_label(bars, fmt="%.3f", fontsize=8)
    low = min(r["test_accuracy_in_budget"] for r in rows)
    budget_ax.set(xlabel="batch size", ylabel="test accuracy", ylim=(max(0.0, low - 0.1), 1.05),
                  title=f"Test accuracy within {budget:g} s")
    for ax in (per_epoch, per_second):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return save_figure(fig, path)
