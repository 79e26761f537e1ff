"""Experiment 12: the course's four structures (DNN, CNN, RNN, GAN), each trained with the Keras API.

DNN (the course MLP 784-64 relu-10 softmax), CNN (``examples/mnist_cnn.py``) and RNN (LSTM(128)
reading an image's 28 rows as a sequence, ``examples/mnist_rnn.py``) train on the same MNIST
images for the same epochs with the same optimizer (Adam) and batch size, so the fair measure is
accuracy per epoch: the same passes over the same data (their costs differ, and are shown).
A small dense GAN trains the classic Keras 2 way (compile D; ``D.trainable = False``; compile
G+D; alternate ``train_on_batch``), and the CNN just trained reads its samples. The default run
takes about 55 s on 2 cores (one epoch of 60,000 images: CNN 20 s, LSTM 12 s; GAN 19 s); the
quick one about 8 s.
"""
import warnings

import numpy as np

from deepbasics import backend
from deepbasics.lab.common import BatchLosses, Clock, figure, format_number, mnist_subset, save_figure
from deepbasics.lab.deep_vs_classic import build as build_classifier
from deepbasics.layers import LSTM, BatchNormalization, Dense, Input, LeakyReLU
from deepbasics.models import Sequential
from deepbasics.models.data_checks import positive_int
from deepbasics.optimizers import Adam
from deepbasics.utils import set_random_seed

NAME = "structures"
TITLE = {"en": "Four structures: DNN, CNN, RNN and GAN", "ko": "네 가지 구조: DNN, CNN, RNN, GAN"}
CLAIM = {"en": "DNN, CNN and RNN all learn MNIST with the Keras API, far above chance (0.1), the CNN "
               "most accurately for the same epochs; a small GAN trains too (both of its losses move).",
         "ko": "DNN, CNN, RNN은 모두 Keras API로 MNIST를 학습해 우연 수준(0.1)을 크게 웃돌고, 같은 에폭 "
               "수에서는 CNN이 가장 정확하다. 작은 GAN도 학습된다(판별자와 생성자의 손실이 모두 움직인다)."}
# 3,000 images three times at batch 128 (72 updates): enough for every structure to leave chance
# far behind, not for the LSTM to reach the default's threshold, hence 0.5 here. 400 GAN steps
# only show that both losses move; the samples are still noise.
QUICK = {"n_train": 3000, "n_test": 2000, "epochs": 3, "batch_size": 128, "min_accuracy": 0.5,
         "gan_steps": 400}

CLASSIFIERS = ("dnn", "cnn", "rnn")
# digit-free names: every number the report shows must be a number of the result
NAMES = {"dnn": "DNN (the course MLP)", "cnn": "CNN (examples/mnist_cnn.py)", "rnn": "RNN (LSTM over the rows)"}
NAMES_KO = {"dnn": "DNN(강의의 MLP)", "cnn": "CNN(examples/mnist_cnn.py)", "rnn": "RNN(행 단위 LSTM)"}
LEGEND = {"dnn": "DNN: MLP 784-64-10", "cnn": "CNN: conv 32, conv 64, dense 128", "rnn": "RNN: LSTM(128) over 28 rows"}
SHAPES = {"dnn": (-1, 784), "cnn": (-1, 28, 28, 1), "rnn": (-1, 28, 28)}
LATENT = 64     # the GAN's noise size
WINDOWS = 10    # losses are compared as means over tenths of training
GRID = 36       # samples shown (and stored) per grid: 6 x 6
CONFIDENT = 0.9  # the CNN "recognises" a digit when its top probability is at least this


def build(kind):
    """A fresh, compiled classifier: ``dnn``, ``cnn`` or ``rnn``."""
    if kind == "dnn":
        return build_classifier("mlp")
    if kind == "cnn":
        return build_classifier("cnn", "course")
    model = Sequential([Input(shape=(28, 28)), LSTM(128), Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def window_means(values, windows):
    """Means of ``values`` over ``windows`` consecutive, nearly equal chunks (rounded to 4 places)."""
    return [round(float(chunk.mean()), 4) for chunk in np.array_split(np.asarray(values, dtype=np.float64), windows)]


def train_classifier(kind, x_train, y_train, x_test, y_test, epochs, batch_size, seed):
    set_random_seed(seed)
    model = build(kind)
    losses = BatchLosses(len(x_train), batch_size)
    clock = Clock()
    model.fit(x_train.reshape(SHAPES[kind]), y_train, epochs=epochs, batch_size=batch_size, verbose=0,
              callbacks=[losses])
    seconds = clock()
    _, accuracy = model.evaluate(x_test.reshape(SHAPES[kind]), y_test, batch_size=1000, verbose=0)
    curve = window_means(losses.losses, min(50, len(losses.losses)))
    stats = {"parameters": int(model.count_params()), "seconds": round(seconds, 2),
             "accuracy": round(float(accuracy), 4), "loss_curve": curve,
             "loss_tenths": window_means(losses.losses, min(WINDOWS, len(losses.losses)))}
    return model, stats


def build_gan():
    """Generator, discriminator and the combined model, compiled in the classic Keras 2 order."""
    discriminator = Sequential([Input(shape=(784,)), Dense(128), LeakyReLU(0.2), Dense(1, activation="sigmoid")],
                               name="discriminator")
    discriminator.compile(loss="binary_crossentropy", optimizer=Adam(0.0002, 0.5))
    generator = Sequential([Input(shape=(LATENT,)), Dense(128), LeakyReLU(0.2), BatchNormalization(momentum=0.8),
                            Dense(784, activation="tanh")], name="generator")
    discriminator.trainable = False  # frozen inside the combined model only (compile-time rule)
    gan = Sequential([generator, discriminator], name="gan")
    gan.compile(loss="binary_crossentropy", optimizer=Adam(0.0002, 0.5))
    return generator, discriminator, gan


def train_gan(images, steps, batch_size, seed):
    """``steps`` rounds of: D on a real batch, D on a generated batch, G through the frozen D.

    ``images`` are pixels in [-1, 1]. Returns both nets, each step's two losses and the seconds.
    """
    set_random_seed(seed)
    generator, discriminator, gan = build_gan()
    rng = np.random.default_rng(seed)
    real, fake = np.ones((batch_size, 1), np.float32), np.zeros((batch_size, 1), np.float32)
    d_losses, g_losses = [], []
    clock = Clock()
    # The discriminator trains on its own although the combined model froze it: that is the
    # recipe (Keras 2's compile-time rule), so the warning that says so is expected here.
    # train_on_batch leaves BLAS threads alone. One thread: 3.9 ms a step on 2 idle cores (two: 3.3 ms),
    # but 10 ms instead of 100 ms when other processes share the cores (measured on 2 vCPUs).
    with warnings.catch_warnings(), backend.blas_threads(1):
        warnings.filterwarnings("ignore", message=r".*`trainable` changed since compile\(\)", category=UserWarning)
        for _ in range(steps):
            batch = images[rng.integers(0, len(images), batch_size)]
            generated = generator.predict_on_batch(rng.standard_normal((batch_size, LATENT)).astype(np.float32))
            d_real = discriminator.train_on_batch(batch, real)
            d_fake = discriminator.train_on_batch(generated, fake)
            g_loss = gan.train_on_batch(rng.standard_normal((batch_size, LATENT)).astype(np.float32), real)
            d_losses.append(0.5 * (d_real + d_fake))
            g_losses.append(g_loss)
    return generator, discriminator, d_losses, g_losses, clock()


def recognised(cnn, pixels):
    """The share of ``pixels`` (in [0, 1]) that the CNN classifies with probability >= CONFIDENT."""
    probabilities = cnn.predict(pixels.reshape(-1, 28, 28, 1), verbose=0)
    return round(float(np.mean(probabilities.max(axis=1) >= CONFIDENT)), 4)


def as_grid_ints(pixels):
    """Pixels in [0, 1] as plain 0-255 ints (a compact, JSON-plain copy for the figure)."""
    return np.clip(np.rint(pixels * 255.0), 0, 255).astype(int).tolist()


def _check_knobs(seed, n_train, n_test, epochs, batch_size, min_accuracy, gan_steps, gan_batch, min_move):
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"`seed` must be an integer, received seed={seed!r}")
    for name, value, top in (("n_train", n_train, 60000), ("n_test", n_test, 10000)):
        if positive_int(name, value) > top:
            raise ValueError(f"`{name}` must be at most {top} (MNIST's images), received {name}={value!r}")
    for name, value in (("epochs", epochs), ("batch_size", batch_size), ("gan_batch", gan_batch)):
        positive_int(name, value)
    if positive_int("gan_steps", gan_steps) < 2 * WINDOWS:
        raise ValueError(f"`gan_steps` must be at least {2 * WINDOWS} (its losses are compared over "
                         f"{WINDOWS} windows), received gan_steps={gan_steps!r}")
    if isinstance(min_accuracy, bool) or not isinstance(min_accuracy, (int, float)) or not 0.1 < min_accuracy <= 1:
        raise ValueError(f"`min_accuracy` must be a number above chance (0.1) and at most 1, "
                         f"received min_accuracy={min_accuracy!r}")
    if isinstance(min_move, bool) or not isinstance(min_move, (int, float)) or min_move <= 0:
        raise ValueError(f"`min_move` must be a positive number (nats), received min_move={min_move!r}")


def run(seed=0, n_train=60000, n_test=10000, epochs=1, batch_size=128, min_accuracy=0.8, gan_steps=5000,
        gan_batch=64, min_move=0.1):
    """Train the three classifiers and the GAN; the claim checks accuracy against ``min_accuracy``,
    the CNN against the other two, and that each GAN loss's tenth-means span at least ``min_move``."""
    _check_knobs(seed, n_train, n_test, epochs, batch_size, min_accuracy, gan_steps, gan_batch, min_move)
    set_random_seed(seed)
    x_train, y_train, x_test, y_test = mnist_subset(n_train, n_test)
    classifiers, models = {}, {}
    for kind in CLASSIFIERS:
        models[kind], classifiers[kind] = train_classifier(kind, x_train, y_train, x_test, y_test,
                                                           epochs, batch_size, seed)
    generator, discriminator, d_losses, g_losses, gan_seconds = train_gan(
        x_train * np.float32(2.0) - np.float32(1.0), gan_steps, gan_batch, seed)
    noise = np.random.default_rng(seed + 1).standard_normal((100, LATENT)).astype(np.float32)
    samples = (generator.predict(noise, verbose=0) + 1.0) / 2.0  # back to [0, 1] pixels
    gan = {"d_parameters": int(discriminator.count_params()), "g_parameters": int(generator.count_params()),
           "seconds": round(gan_seconds, 2), "steps": gan_steps,
           "d_tenths": window_means(d_losses, WINDOWS), "g_tenths": window_means(g_losses, WINDOWS),
           "d_curve": window_means(d_losses, min(100, gan_steps)),
           "g_curve": window_means(g_losses, min(100, gan_steps)),
           "recognised_generated": recognised(models["cnn"], samples),
           "recognised_real": recognised(models["cnn"], x_test[:100]),
           "generated": as_grid_ints(samples[:GRID]), "real": as_grid_ints(x_test[:GRID])}
    knobs = {"seed": seed, "n_train": n_train, "n_test": n_test, "epochs": epochs, "batch_size": batch_size,
             "min_accuracy": min_accuracy, "gan_steps": gan_steps, "gan_batch": gan_batch, "min_move": min_move}
    return summarise(classifiers, gan, knobs)


def span(tenths):
    """How far a loss moved: the spread of its tenth-of-training means."""
    return round(max(tenths) - min(tenths), 4)


def summarise(classifiers, gan, knobs):
    """The result dict: verdict, table, note and the data the figure needs."""
    f, threshold = format_number, knobs["min_accuracy"]
    accuracy = {kind: classifiers[kind]["accuracy"] for kind in CLASSIFIERS}
    d_span, g_span = span(gan["d_tenths"]), span(gan["g_tenths"])
    below = [kind for kind in CLASSIFIERS if accuracy[kind] < threshold]
    cnn_best = accuracy["cnn"] > max(accuracy["dnn"], accuracy["rnn"])
    gan_moves = d_span >= knobs["min_move"] and g_span >= knobs["min_move"]
    held = not below and cnn_best and gan_moves
    table = _table(classifiers, gan)
    acc = {kind: f(accuracy[kind]) for kind in CLASSIFIERS}
    params = {kind: f(classifiers[kind]["parameters"]) for kind in CLASSIFIERS}
    en = [f"After {f(knobs['epochs'])} epoch(s) on {f(knobs['n_train'])} images the test accuracy is DNN "
          f"{acc['dnn']}, CNN {acc['cnn']}, RNN {acc['rnn']} (threshold {f(threshold)}), with {params['dnn']}, "
          f"{params['cnn']} and {params['rnn']} parameters. The GAN's losses spread by {f(d_span)} "
          f"(discriminator) and {f(g_span)} (generator) over the tenths of training (needed: "
          f"{f(knobs['min_move'])}); the CNN confidently recognises {f(gan['recognised_generated'])} of its "
          f"samples and {f(gan['recognised_real'])} of real test digits."]
    ko = [f"{f(knobs['n_train'])}장으로 {f(knobs['epochs'])}에폭 학습한 뒤 테스트 정확도는 DNN {acc['dnn']}, "
          f"CNN {acc['cnn']}, RNN {acc['rnn']}이고(기준 {f(threshold)}), 파라미터 수는 각각 {params['dnn']}, "
          f"{params['cnn']}, {params['rnn']}개다. 학습 구간별 평균으로 본 GAN 손실의 변화 폭은 판별자 "
          f"{f(d_span)}, 생성자 {f(g_span)}이다(필요: {f(knobs['min_move'])}). CNN이 확신을 갖고 알아보는 "
          f"비율은 GAN 샘플에서 {f(gan['recognised_generated'])}, 진짜 테스트 숫자에서 {f(gan['recognised_real'])}이다."]
    for kind in below:
        en.append(f"{NAMES[kind]} stays below the threshold.")
        ko.append(f"{NAMES_KO[kind]}: 기준에 못 미친다.")
    if not cnn_best:
        en.append("The CNN is not the most accurate for the same epochs.")
        ko.append("같은 에폭에서 CNN이 가장 정확하지는 않다.")
    if not gan_moves:
        en.append("A GAN loss barely moves: the GAN did not visibly train.")
        ko.append("GAN 손실 중 하나가 거의 움직이지 않는다. 눈에 띄게 학습되지 않았다.")
    note = {"en": ("Held: " if held else "Did not hold: ") + " ".join(en),
            "ko": ("성립: " if held else "성립하지 않음: ") + " ".join(ko)}
    data = {"classifiers": classifiers, "gan": gan, "knobs": knobs, "chance": 0.1, "confident": CONFIDENT,
            "held_parts": {"above_threshold": not below, "cnn_most_accurate": cnn_best, "gan_losses_move": gan_moves}}
    return {"held": bool(held), "table": table, "note": note, "data": data}


def _table(classifiers, gan):
    """One row per network; the last column is the share of digits the trained CNN recognises with
    probability >= CONFIDENT: real test digits on the CNN's row, generated ones on the generator's."""
    rows = []
    for kind, stats in classifiers.items():
        rows.append({"structure": NAMES[kind], "parameters": stats["parameters"], "train seconds": stats["seconds"],
                     "test accuracy": stats["accuracy"], "loss, first tenth": stats["loss_tenths"][0],
                     "loss, last tenth": stats["loss_tenths"][-1], "loss spread": span(stats["loss_tenths"]),
                     "CNN-recognised share": gan["recognised_real"] if kind == "cnn" else None})
    for who, key in (("GAN discriminator", "d"), ("GAN generator", "g")):
        rows.append({"structure": who, "parameters": gan[f"{key}_parameters"], "train seconds": gan["seconds"],
                     "test accuracy": None, "loss, first tenth": gan[f"{key}_tenths"][0],
                     "loss, last tenth": gan[f"{key}_tenths"][-1], "loss spread": span(gan[f"{key}_tenths"]),
                     "CNN-recognised share": gan["recognised_generated"] if key == "g" else None})
    return rows


def _grid(ax, pixels, title):
    side = int(round(len(pixels) ** 0.5))
    images = np.asarray(pixels[:side * side], dtype=np.float32).reshape(side, side, 28, 28)
    ax.imshow(images.transpose(0, 2, 1, 3).reshape(side * 28, side * 28), cmap="gray", vmin=0, vmax=255)
    ax.set_title(title)
    ax.axis("off")


def plot(result, path):
    """Accuracy, cost and learning curves of the classifiers; the GAN's losses and samples."""
    data = result["data"]
    knobs, gan, stats = data["knobs"], data["gan"], data["classifiers"]
    colours = {"dnn": "tab:blue", "cnn": "tab:red", "rnn": "tab:green"}
    fig, axes = figure(2, 3, panel_size=(5.0, 4.0))
    bars = axes[0, 0]
    for i, kind in enumerate(CLASSIFIERS):
        bars.bar(i, stats[kind]["accuracy"], color=colours[kind])
        bars.text(i, stats[kind]["accuracy"] / 2, f"{stats[kind]['accuracy']:.3f}", ha="center", color="white",
                  fontweight="bold")
    bars.axhline(knobs["min_accuracy"], color="black", linestyle="--", label=f"threshold {knobs['min_accuracy']}")
    bars.axhline(data["chance"], color="gray", linestyle=":", label="chance (0.1)")
    bars.set(xticks=range(3), xticklabels=["DNN", "CNN", "RNN"], ylim=(0, 1.3), ylabel="test accuracy",
             title=f"Test accuracy after {knobs['epochs']} epoch(s)")
    bars.legend(loc="upper right", fontsize=8, framealpha=1.0)
    bars.set_yticks(np.arange(0.0, 1.01, 0.2))
    curves = axes[0, 1]
    for kind in CLASSIFIERS:
        curve = stats[kind]["loss_curve"]
        seen = np.linspace(0, knobs["epochs"] * knobs["n_train"], len(curve) + 1)[1:]
        curves.plot(seen, curve, color=colours[kind], label=LEGEND[kind])
    curves.set(xlabel="training images seen", ylabel="training loss (per-batch, averaged)",
               title="Learning curves (same data, Adam)")
    curves.legend(fontsize=8)
    cost = axes[0, 2]
    for kind in CLASSIFIERS:
        cost.scatter(stats[kind]["seconds"], stats[kind]["accuracy"], s=60, color=colours[kind])
        cost.annotate(f"{kind.upper()}: {stats[kind]['parameters']:,} params", (stats[kind]["seconds"],
                      stats[kind]["accuracy"]), textcoords="offset points", xytext=(6, -12), fontsize=8)
    cost.set(xscale="log", xlabel="training seconds (log scale)", ylabel="test accuracy",
             title="Accuracy vs training cost")
    cost.margins(x=0.5, y=0.3)
    losses = axes[1, 0]
    steps = np.linspace(0, gan["steps"], len(gan["d_curve"]) + 1)[1:]
    losses.plot(steps, gan["d_curve"], color="tab:purple", label="discriminator (real + fake) / 2")
    losses.plot(steps, gan["g_curve"], color="tab:orange", label="generator (through frozen D)")
    losses.axhline(np.log(2.0), color="gray", linestyle=":", label="ln 2 (D cannot tell)")
    losses.set(xlabel="GAN training step", ylabel="binary cross-entropy", title="GAN losses (mean per window)")
    losses.legend(fontsize=8)
    _grid(axes[1, 1], gan["generated"], f"GAN samples after {gan['steps']:,} steps")
    _grid(axes[1, 2], gan["real"], "Real MNIST test digits")
    verdict = "held" if result["held"] else "did not hold"
    fig.suptitle(f"DNN, CNN, RNN and GAN on MNIST ({verdict}): {knobs['n_train']:,} training images, "
                 f"batch {knobs['batch_size']}, Adam", fontsize=11)
    return save_figure(fig, path)
