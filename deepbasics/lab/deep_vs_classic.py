"""Experiment 11: does deep learning gain more from more data than a classic model?

Logistic regression (one Dense softmax layer), the course MLP (784-64 relu-10 softmax) and the
CNN of ``examples/mnist_cnn.py`` train on the first ``n`` MNIST images for each ``n`` in
``sizes``; each is scored on the same test images. One budget rule for every model: Adam at
Keras's defaults, the same batch size, and ``epochs = max(min_epochs, ceil(min_images / n))`` so
that each model sees at least ``min_images`` images (many passes over a small set, ``min_epochs``
over a large one: after one pass the CNN is still far from its best on 60,000 images). Logistic
regression converges slowly under Adam's small steps, so it is also trained ``check_factor`` times
longer: the claim must hold against that stronger baseline too. The default run takes about 64 s
on 2 cores (the CNN's two epochs on 60,000 images: 38 s); the quick one about 5 s.
"""
import math

from deepbasics.lab.common import Clock, figure, format_number, mnist_subset, save_figure
from deepbasics.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D
from deepbasics.models import Sequential
from deepbasics.models.data_checks import positive_int
from deepbasics.utils import set_random_seed

NAME = "deep_vs_classic"
TITLE = {"en": "Deep learning gains more from more data",
         "ko": "데이터가 많을수록 딥러닝이 더 큰 이득을 본다"}
CLAIM = {"en": "On MNIST, the test-accuracy gap between a CNN and logistic regression widens as the "
               "training set grows (smallest vs largest size).",
         "ko": "MNIST에서 CNN과 로지스틱 회귀의 테스트 정확도 차이는 학습 데이터가 늘어날수록 "
               "(가장 작은 크기와 가장 큰 크기를 비교해) 벌어진다."}
# The small CNN (8-16 filters, Dense 32) costs a tenth of the course CNN per image, and batch 32
# gives it four times the updates per image, so four sizes fit in a few seconds.
QUICK = {"sizes": [100, 1000, 3000], "n_test": 2000, "min_images": 12000, "min_epochs": 2,
         "batch_size": 32, "cnn": "small"}

MODELS = ("logistic", "mlp", "cnn", "logistic_long")
CNN_WIDTHS = {"course": (32, 64, 128), "small": (8, 16, 32)}  # conv1 filters, conv2 filters, dense units


def build(kind, cnn="course"):
    """A fresh, compiled model: ``logistic``, ``mlp`` or ``cnn`` (``course`` or ``small`` widths)."""
    if kind in ("logistic", "logistic_long"):
        layers = [Input(shape=(784,)), Dense(10, activation="softmax")]
    elif kind == "mlp":
        layers = [Input(shape=(784,)), Dense(64, activation="relu"), Dense(10, activation="softmax")]
    else:
        f1, f2, units = CNN_WIDTHS[cnn]
        layers = [Input(shape=(28, 28, 1)),
                  Conv2D(f1, (3, 3), activation="relu"), MaxPooling2D((2, 2)),
                  Conv2D(f2, (3, 3), activation="relu"), MaxPooling2D((2, 2)),
                  Flatten(), Dense(units, activation="relu"), Dense(10, activation="softmax")]
    model = Sequential(layers)
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def epochs_for(n, min_images, min_epochs):
    """The budget rule: at least ``min_epochs`` passes, and at least ``min_images`` images seen."""
    return max(min_epochs, math.ceil(min_images / n))


def _check_knobs(seed, sizes, n_test, min_images, min_epochs, batch_size, cnn, check_factor):
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"`seed` must be an integer, received seed={seed!r}")
    if (not isinstance(sizes, (list, tuple)) or len(sizes) < 2
            or any(isinstance(n, bool) or not isinstance(n, int) for n in sizes)
            or list(sizes) != sorted(set(sizes)) or sizes[0] < 1 or sizes[-1] > 60000):
        raise ValueError("`sizes` must be at least two increasing integers between 1 and 60000 (training "
                         f"images), received sizes={sizes!r}")
    positive_int("n_test", n_test)
    if n_test > 10000:
        raise ValueError(f"`n_test` must be at most 10000 (MNIST's test set), received n_test={n_test!r}")
    positive_int("min_images", min_images)
    positive_int("min_epochs", min_epochs)
    positive_int("batch_size", batch_size)
    positive_int("check_factor", check_factor)
    if cnn not in CNN_WIDTHS:
        raise ValueError(f"`cnn` must be one of {sorted(CNN_WIDTHS)}, received cnn={cnn!r}")


def run(seed=0, sizes=(100, 1000, 10000, 60000), n_test=10000, min_images=10000, min_epochs=2,
        batch_size=128, cnn="course", check_factor=5):
    """Test accuracy of each model at each training-set size; the claim compares the CNN-minus-
    logistic gap at the smallest and the largest size."""
    _check_knobs(seed, sizes, n_test, min_images, min_epochs, batch_size, cnn, check_factor)
    set_random_seed(seed)
    x_train, y_train, x_test, y_test = mnist_subset(sizes[-1], n_test)
    images = {False: (x_train, x_test), True: (x_train.reshape(-1, 28, 28, 1), x_test.reshape(-1, 28, 28, 1))}
    accuracy = {kind: [] for kind in MODELS}
    seconds = {kind: [] for kind in MODELS}
    epochs = []
    for n in sizes:
        epochs.append(epochs_for(n, min_images, min_epochs))
        for kind in MODELS:
            # the same starting weights at every size: the curves differ by the data alone
            set_random_seed(seed)
            model = build(kind, cnn)
            train, test = images[kind == "cnn"]
            clock = Clock()
            model.fit(train[:n], y_train[:n], batch_size=batch_size, verbose=0,
                      epochs=epochs[-1] * (check_factor if kind == "logistic_long" else 1))
            seconds[kind].append(round(clock(), 2))
            _, acc = model.evaluate(test, y_test, batch_size=1000, verbose=0)
            accuracy[kind].append(round(float(acc), 4))
    knobs = {"seed": seed, "sizes": list(sizes), "n_test": n_test, "min_images": min_images,
             "min_epochs": min_epochs, "batch_size": batch_size, "cnn": cnn, "check_factor": check_factor}
    return summarise(accuracy, seconds, epochs, knobs)


def gaps(accuracy, baseline):
    """CNN accuracy minus ``baseline``'s, per size (rounded like the accuracies)."""
    return [round(c - b, 4) for c, b in zip(accuracy["cnn"], accuracy[baseline])]


def summarise(accuracy, seconds, epochs, knobs):
    """The result dict: verdict, table, note and the data the figure needs."""
    gap, gap_long = gaps(accuracy, "logistic"), gaps(accuracy, "logistic_long")
    held = gap[-1] > gap[0] and gap_long[-1] > gap_long[0]
    sizes, k = knobs["sizes"], knobs["check_factor"]
    table = [{"train images": n, "epochs": e, "logistic": accuracy["logistic"][i], "MLP": accuracy["mlp"][i],
              "CNN": accuracy["cnn"][i], f"logistic {k}x epochs": accuracy["logistic_long"][i],
              "CNN - logistic": gap[i], f"CNN - logistic {k}x": gap_long[i], "CNN seconds": seconds["cnn"][i]}
             for i, (n, e) in enumerate(zip(sizes, epochs))]
    f = format_number  # the report prints numbers this way; the note must match it
    small, large, budget = f(sizes[0]), f(sizes[-1]), f(knobs["min_images"])
    g0, g1, l0, l1 = f(gap[0]), f(gap[-1]), f(gap_long[0]), f(gap_long[-1])
    # no number in a note that results.json lacks outside `data`: the CNN's widths are in the figure
    cnn_en = "the course CNN" if knobs["cnn"] == "course" else "a small CNN (cnn=small)"
    cnn_ko = "강의의 CNN" if knobs["cnn"] == "course" else "작은 CNN(cnn=small)"
    numbers_en = (f"{cnn_en} leads logistic regression by {g0} at {small} training images and by {g1} "
                  f"at {large}; it leads logistic regression trained {f(k)}x longer by {l0} and {l1}.")
    numbers_ko = (f"{cnn_ko}과 로지스틱 회귀의 정확도 차이: 학습 이미지 {small}장에서 {g0}, {large}장에서 "
                  f"{g1}. {f(k)}배 더 오래 학습한 로지스틱 회귀와의 차이: {l0}, {l1}.")
    peak = max(range(len(gap)), key=gap.__getitem__)
    if 0 < peak < len(gap) - 1 and gap_long[peak] < gap[peak]:  # a mid-size peak, partly an undertrained baseline
        numbers_en += (f" Against the same-budget baseline the lead peaks at {f(sizes[peak])} images ({f(gap[peak])}); "
                       f"against logistic regression trained {f(k)}x longer it is {f(gap_long[peak])} there, so "
                       f"part of that peak is the baseline's undertraining.")
        numbers_ko += (f" 같은 예산의 로지스틱 회귀와의 차이는 {f(sizes[peak])}장에서 가장 크지만({f(gap[peak])}), "
                       f"{f(k)}배 더 오래 학습한 로지스틱 회귀와 비교하면 그 크기에서 {f(gap_long[peak])}에 그친다. "
                       f"그 정점의 일부는 로지스틱 회귀가 덜 학습된 탓이다.")
    if held:
        en, ko = f"Held: {numbers_en}", f"성립: {numbers_ko}"
    else:
        against_en = " and ".join(name for name, g in (("the same-budget baseline", gap),
                                                        (f"the {f(k)}x-longer baseline", gap_long)) if g[-1] <= g[0])
        against_ko = ", ".join(name for name, g in (("같은 예산의 로지스틱 회귀", gap),
                                                     (f"{f(k)}배 더 오래 학습한 로지스틱 회귀", gap_long)) if g[-1] <= g[0])
        en = (f"Did not hold: {numbers_en} Against {against_en} the lead does not grow from the smallest to the "
              f"largest size under this budget (at least {budget} images and {f(knobs['min_epochs'])} epochs).")
        ko = (f"성립하지 않음: {numbers_ko} 이 학습 예산(최소 {budget}장, 최소 {f(knobs['min_epochs'])}에폭)에서는 "
              f"{against_ko}와 비교한 차이가 가장 작은 크기에서 가장 큰 크기로 가도 커지지 않는다.")
    data = {"sizes": list(sizes), "epochs": epochs, "accuracy": accuracy, "seconds": seconds,
            "gap": gap, "gap_long": gap_long, "knobs": knobs, "cnn_widths": list(CNN_WIDTHS[knobs["cnn"]])}
    return {"held": bool(held), "table": table, "note": {"en": en, "ko": ko}, "data": data}


def plot(result, path):
    """Left: test accuracy against training-set size; right: the CNN's lead over logistic regression."""
    data = result["data"]
    sizes, k, knobs = data["sizes"], data["knobs"]["check_factor"], data["knobs"]
    f1, f2, units = data["cnn_widths"]
    labels = {"logistic": "logistic regression", "logistic_long": f"logistic regression, {k}x epochs",
              "mlp": "MLP 784-64-10", "cnn": f"CNN ({knobs['cnn']}: {f1}-{f2} filters, Dense {units})"}
    styles = {"logistic": ("o-", "tab:gray"), "logistic_long": ("o--", "tab:gray"),
              "mlp": ("s-", "tab:blue"), "cnn": ("^-", "tab:red")}
    fig, axes = figure(1, 2, panel_size=(5.6, 4.2))
    left, right = axes[0]
    for kind in ("logistic", "logistic_long", "mlp", "cnn"):
        marker, colour = styles[kind]
        left.plot(sizes, data["accuracy"][kind], marker, color=colour, label=labels[kind])
    left.set(ylabel="test accuracy", title="MNIST test accuracy vs training-set size")
    left.legend(loc="lower right", fontsize=8)
    right.plot(sizes, data["gap"], "^-", color="tab:red", label="CNN - logistic regression")
    right.plot(sizes, data["gap_long"], "^--", color="tab:purple", label=f"CNN - logistic regression ({k}x epochs)")
    right.axhline(0.0, color="black", linewidth=0.8)
    right.set(ylabel="test accuracy difference", title="The CNN's lead over logistic regression")
    right.legend(loc="best", fontsize=8)
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_xticks(sizes, [f"{n:,}" for n in sizes])
        ax.minorticks_off()
        ax.set_xlabel("training images (log scale)")
        ax.grid(True, alpha=0.3)
    verdict = "held" if result["held"] else "did not hold"
    fig.suptitle(f"Deep vs classic ({verdict}): Adam, batch {knobs['batch_size']}, "
                 f"epochs = max({knobs['min_epochs']}, ceil({knobs['min_images']:,} / n)), "
                 f"{knobs['n_test']:,} test images", fontsize=10)
    return save_figure(fig, path)
