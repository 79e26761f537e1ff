"""Experiment 10: Batch Normalization against the scale of the initial weights.

The course's experiment (Deep Learning from Scratch, 6.3): five hidden layers of 100 ReLU units
on the first 1,000 MNIST training images, SGD at Keras's default rate 0.01, batches of 100,
every kernel drawn from ``RandomNormal(stddev=scale)`` for 16 scales log-spaced from 1 to 1e-4.
Each scale trains three networks from the same weights: Dense -> ReLU; Dense ->
``BatchNormalization(epsilon=1e-6)`` -> ReLU, the course's BN (the book adds 10e-7 to the
variance); and the same with Keras's default epsilon, 1e-3. The verdict is on the course's BN.
Keras's epsilon is shown beside it because it changes the answer at small scales: once the
pre-activations' variance falls below epsilon, BN no longer scales them to unit variance.

The curves are the training accuracy ``fit`` reports per epoch (BN normalising with the batch's
statistics, as it does while training). "Trains" means at least 0.5 training accuracy at the
last epoch (five times chance); "far less sensitive" means that BN trains at twice as many
scales or more. A network whose weights overflow gets NaN outputs; NumPy's overflow warnings
are silenced for these runs only, and the table counts the runs that diverged.
"""
import numpy as np

from deepbasics import backend, initializers
from deepbasics.lab.common import figure, format_number, mnist_subset, save_figure
from deepbasics.layers import Activation, BatchNormalization, Dense, Input
from deepbasics.models import Sequential
from deepbasics.utils import set_random_seed

NAME = "batch_norm"
TITLE = {"en": "Batch Normalization and the scale of the initial weights",
         "ko": "배치 정규화와 초기 가중치의 크기"}
CLAIM = {"en": "With Batch Normalization training is faster (higher training accuracy at the last epoch) for most "
               "of 16 initial weight scales from 1 to 1e-4, and far less sensitive to the scale.",
         "ko": "배치 정규화를 쓰면 1부터 1e-4까지 16가지 초기 가중치 크기 대부분에서 학습이 더 빠르고(마지막 "
               "에폭의 훈련 정확도가 더 높고), 가중치 크기에 훨씬 덜 민감하다."}
QUICK = {"n_scales": 8, "epochs": 8}

HIDDEN_LAYERS, UNITS, BATCH_SIZE = 5, 100, 100
TRAINS = 0.5  # training accuracy that counts as trained
FAR_LESS = 2  # BN must train at this many times as many scales
KERAS_EPSILON = BatchNormalization().epsilon
NETWORKS = ("without BN", "BN (course epsilon)", "BN (Keras epsilon)")


def build(scale, epsilon):
    """784 -> five hidden [Dense(100) (-> BatchNormalization(epsilon)) -> ReLU] -> Dense(10, softmax);
    ``epsilon`` None: no BatchNormalization."""
    model = Sequential([Input(shape=(784,))])
    for _ in range(HIDDEN_LAYERS):
        kernel = initializers.RandomNormal(stddev=scale)
        if epsilon is None:
            model.add(Dense(UNITS, activation="relu", kernel_initializer=kernel))
        else:
            model.add(Dense(UNITS, kernel_initializer=kernel))
            model.add(BatchNormalization(epsilon=epsilon))
            model.add(Activation("relu"))
    model.add(Dense(10, activation="softmax", kernel_initializer=initializers.RandomNormal(stddev=scale)))
    return model


def train(seed, scale, epsilon, x, y, epochs):
    """Training accuracy per epoch, whether the loss went non-finite, and the first layer's
    pre-activation variance at initialisation (what BatchNormalization compares with epsilon)."""
    set_random_seed(seed)  # the same weights and batches with and without BN
    model = build(scale, epsilon)
    first = model.layers[0]
    variance = float(np.mean(np.var(x @ first.kernel.data + first.bias.data, axis=0)))
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
    # a diverging run is a result here, not an error; one BLAS thread: fit leaves BLAS alone at
    # this step size, and on a 2-core machine shared with other work two threads ran 5 times slower
    with np.errstate(over="ignore", invalid="ignore"), backend.blas_threads(1):
        history = model.fit(x, y, batch_size=BATCH_SIZE, epochs=epochs, verbose=0).history
    return [float(a) for a in history["accuracy"]], not np.all(np.isfinite(history["loss"])), variance


def _check(n_train, n_scales, smallest, epochs, epsilon):
    for name, value, least, most in (("n_train", n_train, 1, 60000), ("n_scales", n_scales, 2, None),
                                     ("epochs", epochs, 1, None)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least or (most and value > most):
            expected = f"an integer from {least} to {most}" if most else f"an integer of at least {least}"
            raise ValueError(f"batch_norm.run(): `{name}` must be {expected}, received {name}={value!r}")
    for name, value in (("smallest", smallest), ("epsilon", epsilon)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
            raise ValueError(f"batch_norm.run(): `{name}` must be a number in (0, 1), received {name}={value!r}")


def run(seed=0, n_train=1000, n_scales=16, smallest=1e-4, epochs=20, epsilon=1e-6):
    """Train without BN, with BN at ``epsilon`` (the course's 1e-6, Deep Learning from Scratch's
    10e-7) and with BN at Keras's default epsilon, at ``n_scales`` scales log-spaced from 1 to
    ``smallest``. The verdict is on the course's BN; Keras's default is shown beside it."""
    _check(n_train, n_scales, smallest, epochs, epsilon)
    set_random_seed(seed)
    x, y, _, _ = mnist_subset(n_train, 1)
    curves = []
    for scale in np.logspace(0.0, np.log10(smallest), n_scales):
        scale = float(f"{scale:.4g}")
        curve = {"scale": scale}
        for name, eps in zip(NETWORKS, (None, epsilon, KERAS_EPSILON)):
            accuracy, diverged, variance = train(seed, scale, eps, x, y, epochs)
            curve[name] = {"accuracy": np.round(accuracy, 4).tolist(), "diverged": bool(diverged)}
        curve["first_layer_variance"] = float(f"{variance:.3g}")
        curves.append(curve)
    table = [summarise(name, eps, curves) for name, eps in zip(NETWORKS, (None, epsilon, KERAS_EPSILON))]
    plain, course = table[0], table[1]
    faster = course["higher_than_without"] > n_scales / 2
    less_sensitive = course["scales_trained"] >= FAR_LESS * max(1, plain["scales_trained"])
    return {"held": bool(faster and less_sensitive), "table": table,
            "note": _note(table, n_scales, faster, less_sensitive, epsilon_explains_failures(curves, table[2])),
            "data": {"curves": curves, "trains_at": TRAINS, "epochs": epochs}}


def summarise(name, epsilon, curves):
    """One network's row: how its last-epoch accuracy compares and spreads across the scales."""
    final = np.array([curve[name]["accuracy"][-1] for curve in curves])
    plain = np.array([curve[NETWORKS[0]]["accuracy"][-1] for curve in curves])
    scales = np.array([curve["scale"] for curve in curves])
    trained = scales[final >= TRAINS]
    return {"network": name, "epsilon": epsilon,
            "higher_than_without": None if epsilon is None else int(np.sum(final > plain)),
            "scales_trained": int(trained.size),
            "largest_scale_trained": float(trained.max()) if trained.size else None,
            "smallest_scale_trained": float(trained.min()) if trained.size else None,
            "mean_accuracy": round(float(final.mean()), 4), "accuracy_std": round(float(final.std()), 4),
            "diverged": sum(curve[name]["diverged"] for curve in curves)}


def _note(table, n_scales, faster, less_sensitive, epsilon_explains):
    n = format_number
    plain, course, keras = table
    en = [f"With BN (epsilon {n(course['epsilon'])}) the last-epoch training accuracy is higher than without at "
          f"{n(course['higher_than_without'])} of {n(n_scales)} scales" + (", most of them" if faster else ", not most")
          + f"; BN trains (gets at least half of the training images right) at {n(course['scales_trained'])} "
          f"scales, without BN at {n(plain['scales_trained'])}"
          + (": far less sensitive." if less_sensitive else ": not far less sensitive.")]
    ko = [f"배치 정규화(epsilon {n(course['epsilon'])})를 쓰면 {n(n_scales)}가지 크기 중 "
          f"{n(course['higher_than_without'])}가지에서 마지막 에폭의 훈련 정확도가 더 높고"
          + ("(대부분)" if faster else "(대부분은 아니다)") + ", 학습에 성공한(훈련 이미지의 절반 이상을 맞힌) 크기는 "
          f"{n(course['scales_trained'])}가지로 배치 정규화가 없을 때의 {n(plain['scales_trained'])}가지보다 "
          + ("훨씬 많다." if less_sensitive else "훨씬 많지는 않다.")]
    if plain["diverged"]:
        en.append(f"Without BN the loss became NaN at {n(plain['diverged'])} scales: the weights overflowed.")
        ko.append(f"배치 정규화가 없으면 {n(plain['diverged'])}가지 크기에서 가중치가 발산해 손실이 NaN이 되었다.")
    en.append(f"With Keras's default epsilon {n(keras['epsilon'])} BN is higher at {n(keras['higher_than_without'])} "
              f"scales and trains at {n(keras['scales_trained'])}.")
    ko.append(f"Keras의 기본값(epsilon {n(keras['epsilon'])})을 쓰면 더 높은 크기가 {n(keras['higher_than_without'])}가지, "
              f"학습에 성공한 크기가 {n(keras['scales_trained'])}가지다.")
    if epsilon_explains:
        en.append(f"It trains at no scale below {n(keras['smallest_scale_trained'])}: there the first layer's "
                  f"pre-activations have a variance under epsilon, so BN divides them by about sqrt(epsilon) instead "
                  f"of their standard deviation and cannot scale them back up.")
        ko.append(f"{n(keras['smallest_scale_trained'])}보다 작은 크기에서는 학습하지 못한다. 그런 크기에서는 첫 층의 "
                  f"활성화 전 값의 분산이 epsilon보다 작아서, 배치 정규화가 표준편차가 아니라 대략 sqrt(epsilon)으로 "
                  f"나누게 되므로 값을 다시 키우지 못한다.")
    return {"en": " ".join(en), "ko": " ".join(ko)}


def epsilon_explains_failures(curves, keras_row):
    """Whether every scale below Keras BN's smallest trained one has a first-layer variance
    under Keras's epsilon (and there is such a scale): then the note may blame epsilon."""
    if keras_row["smallest_scale_trained"] is None:
        return False
    below = [curve for curve in curves if curve["scale"] < keras_row["smallest_scale_trained"]]
    return bool(below) and all(curve["first_layer_variance"] < KERAS_EPSILON for curve in below)


def plot(result, path):
    """One panel per scale: training accuracy per epoch without BN and with both BNs."""
    curves = result["data"]["curves"]
    epsilons = {row["network"]: row["epsilon"] for row in result["table"]}
    styles = {NETWORKS[0]: ("--", "C1"), NETWORKS[1]: ("-", "C0"), NETWORKS[2]: (":", "C2")}
    cols = 4
    rows = -(-len(curves) // cols)
    fig, axes = figure(rows, cols, panel_size=(3.3, 2.5))
    for ax, curve in zip(axes.flat, curves):
        for name, (style, color) in styles.items():
            accuracy = curve[name]["accuracy"]
            label = name if epsilons[name] is None else f"BN, epsilon {epsilons[name]:g}"
            ax.plot(np.arange(1, len(accuracy) + 1), accuracy, style, color=color, lw=1.6, label=label)
        ax.set(title=f"weight scale {curve['scale']:.3g}", ylim=(0, 1.02), xlabel="epoch",
               ylabel="training accuracy")
        ax.title.set_fontsize(10)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(curves):]:
        ax.set_visible(False)
    axes[0, 0].legend(fontsize=8, loc="upper left")
    fig.suptitle("Training accuracy per epoch (what fit reports), one panel per initial weight scale "
                 "(kernels ~ N(0, scale\u00b2))", fontsize=12)
    return save_figure(fig, path)
