"""Experiment 7: overfitting on 300 MNIST images, and what Dropout and L2 do to it.

The course's setting (Deep Learning from Scratch, chapter 6): six hidden ReLU layers of 100
units (He initialisation), SGD at Keras's default rate 0.01, batches of 100, the first 300
training images, many epochs. Three networks start from the same weights and see the same
batches: no regularisation, ``Dropout`` after every hidden layer, and an L2 penalty on every
kernel (Keras's ``L2(0.05)`` adds 0.05 sum(w^2), the book's 0.5 * 0.1 sum(w^2)).

After every epoch a callback measures the accuracy on all training images and on the test
images with ``evaluate`` (inference mode, so dropout is off for both): the gap between them is
what the claim is about. The accuracy ``fit`` reports for a Dropout network is measured with
units dropped and would understate its training accuracy.
"""
import numpy as np

from deepbasics import backend, regularizers
from deepbasics.callbacks import Callback
from deepbasics.lab.common import figure, format_number, mnist_subset, save_figure
from deepbasics.layers import Dense, Dropout, Input
from deepbasics.models import Sequential
from deepbasics.utils import set_random_seed

NAME = "overfitting"
TITLE = {"en": "Overfitting on 300 images, with and without Dropout and L2",
         "ko": "이미지 300장으로 학습할 때의 과적합: 드롭아웃과 L2 규제의 효과"}
CLAIM = {"en": "A deep network trained for many epochs on 300 MNIST images fits them far better than the test "
               "images; with Dropout the gap between training and test accuracy is smaller than without.",
         "ko": "MNIST 이미지 300장으로 깊은 신경망을 오래 학습하면 훈련 이미지를 시험 이미지보다 훨씬 잘 맞히게 "
               "되는데, 드롭아웃을 쓰면 훈련 정확도와 시험 정확도의 차이가 쓰지 않을 때보다 작다."}
QUICK = {"epochs": 100, "n_test": 1000}

HIDDEN_LAYERS, UNITS, BATCH_SIZE = 6, 100, 100
VARIANTS = ("none", "dropout", "l2")
LABELS = {"none": "no regularisation", "dropout": "Dropout", "l2": "L2"}


class AccuracyPerEpoch(Callback):
    """Training and test accuracy after every epoch, both measured in inference mode."""

    def __init__(self, train, test):
        super().__init__()
        self.train, self.test = train, test
        self.train_accuracy, self.test_accuracy = [], []

    def on_epoch_end(self, epoch, logs=None):
        for (x, y), out in ((self.train, self.train_accuracy), (self.test, self.test_accuracy)):
            out.append(float(self.model.evaluate(x, y, batch_size=len(x), verbose=0)[1]))


def build(variant, dropout, l2):
    """784 -> six hidden Dense(100, relu) [each followed by Dropout] -> Dense(10, softmax)."""
    penalty = regularizers.L2(l2) if variant == "l2" else None
    model = Sequential([Input(shape=(784,))])
    for _ in range(HIDDEN_LAYERS):
        model.add(Dense(UNITS, activation="relu", kernel_initializer="he_normal", kernel_regularizer=penalty))
        if variant == "dropout":
            model.add(Dropout(dropout))
    model.add(Dense(10, activation="softmax", kernel_initializer="he_normal", kernel_regularizer=penalty))
    return model


def _check(n_train, n_test, epochs, dropout, l2):
    for name, value, most in (("n_train", n_train, 60000), ("n_test", n_test, 10000), ("epochs", epochs, None)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1 or (most and value > most):
            expected = f"an integer from 1 to {most}" if most else "a positive integer"
            raise ValueError(f"overfitting.run(): `{name}` must be {expected}, received {name}={value!r}")
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 < dropout < 1:
        raise ValueError(f"overfitting.run(): `dropout` must be a rate in (0, 1), received dropout={dropout!r}")
    if isinstance(l2, bool) or not isinstance(l2, (int, float)) or not l2 > 0:
        raise ValueError(f"overfitting.run(): `l2` must be a positive number, received l2={l2!r}")


def run(seed=0, n_train=300, n_test=10000, epochs=200, dropout=0.2, l2=0.05):
    """Train the three networks for ``epochs`` on ``n_train`` images; accuracy gap per epoch.

    The gap reported in the table is the mean over the last tenth of the epochs (one epoch's
    accuracy on a few hundred images moves by a few points from one epoch to the next)."""
    _check(n_train, n_test, epochs, dropout, l2)
    set_random_seed(seed)
    x, y, x_test, y_test = mnist_subset(n_train, n_test)
    last = max(1, epochs // 10)
    table, curves = [], {}
    for variant in VARIANTS:
        set_random_seed(seed)  # the same initial weights and batch order for every network
        model = build(variant, dropout, l2)
        model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
        meter = AccuracyPerEpoch((x, y), (x_test, y_test))
        # one BLAS thread: fit leaves BLAS alone at this step size, and on a 2-core machine shared
        # with other work two threads ran these GEMMs 5 times slower (measured: 22.8 s against 4.3 s)
        with backend.blas_threads(1):
            model.fit(x, y, batch_size=BATCH_SIZE, epochs=epochs, verbose=0, callbacks=[meter])
        train, test = np.array(meter.train_accuracy), np.array(meter.test_accuracy)
        curves[variant] = {"train": np.round(train, 4).tolist(), "test": np.round(test, 4).tolist()}
        gap = train - test
        table.append({"network": LABELS[variant], "train_accuracy": round(float(train[-last:].mean()), 4),
                      "test_accuracy": round(float(test[-last:].mean()), 4),
                      "gap": round(float(gap[-last:].mean()), 4), "largest_gap": round(float(gap.max()), 4),
                      "epochs_averaged": last})
    rows = dict(zip(VARIANTS, table))
    held = rows["dropout"]["gap"] < rows["none"]["gap"]
    return {"held": bool(held), "table": table, "note": _note(rows, held),
            "data": {"curves": curves, "epochs": epochs, "batch_size": BATCH_SIZE, "n_train": n_train,
                     "n_test": n_test}}


def _note(rows, held):
    n = format_number
    none, drop, l2 = rows["none"], rows["dropout"], rows["l2"]
    l2_smaller = l2["gap"] < none["gap"]
    en = [(f"Without regularisation the network ends at {n(none['train_accuracy'])} training and "
           f"{n(none['test_accuracy'])} test accuracy: a gap of {n(none['gap'])} (largest {n(none['largest_gap'])})."),
          f"With Dropout the gap is {n(drop['gap'])}, {'smaller' if held else 'not smaller'};",
          f"with L2 it is {n(l2['gap'])}, {'smaller' if l2_smaller else 'not smaller'}."]
    ko = [(f"규제가 없으면 마지막에 훈련 정확도가 {n(none['train_accuracy'])}, 시험 정확도가 "
           f"{n(none['test_accuracy'])}이어서 그 차이는 {n(none['gap'])}이다(가장 클 때 {n(none['largest_gap'])})."),
          f"드롭아웃을 쓰면 차이가 {n(drop['gap'])}이어서 {'더 작고,' if held else '더 작지 않고,'}",
          f"L2 규제를 쓰면 {n(l2['gap'])}이어서 {'더 작다.' if l2_smaller else '더 작지 않다.'}"]
    for row, en_name, ko_name in ((drop, "Dropout", "드롭아웃"), (l2, "L2", "L2 규제")):
        if row["test_accuracy"] < none["test_accuracy"]:
            en.append(f"The gap of {en_name} narrows because it fits the training images less well, not because it "
                      f"does better on the test images ({n(row['test_accuracy'])} against {n(none['test_accuracy'])}).")
            ko.append(f"{ko_name}의 차이가 줄어든 것은 훈련 이미지를 덜 맞히기 때문이지 시험 이미지를 더 잘 맞혀서가 아니다"
                      f"(시험 정확도 {n(row['test_accuracy'])}, 규제 없음 {n(none['test_accuracy'])}).")
    return {"en": " ".join(en), "ko": " ".join(ko)}


def plot(result, path):
    """Training (dashed) and test (solid) accuracy per epoch, and their gap, for each network."""
    fig, axes = figure(1, 2, panel_size=(6.0, 4.4))
    data = result["data"]
    curves = data["curves"]
    left, right = axes[0]
    for color, (variant, curve) in zip(("C0", "C1", "C2"), curves.items()):
        epochs = np.arange(1, len(curve["train"]) + 1)
        left.plot(epochs, curve["train"], "--", color=color, lw=1.2, label=f"{LABELS[variant]}: training")
        left.plot(epochs, curve["test"], "-", color=color, lw=1.4, label=f"{LABELS[variant]}: test")
        right.plot(epochs, np.subtract(curve["train"], curve["test"]), color=color, lw=1.4, label=LABELS[variant])
    left.set(xlabel="epoch", ylabel="accuracy (dropout off)", ylim=(0, 1.02),
             title=f"Accuracy on {data['n_train']} training and {data['n_test']} test images")
    right.set(xlabel="epoch", ylabel="training accuracy - test accuracy",
              title="The train-test accuracy gap per epoch")
    left.legend(fontsize=8, loc="lower right")
    right.legend(fontsize=8, loc="lower right")
    for ax in (left, right):
        ax.grid(alpha=0.3)
    return save_figure(fig, path)
