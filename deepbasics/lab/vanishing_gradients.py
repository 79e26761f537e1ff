"""Experiment 8: vanishing gradients in a ten-layer network, per activation function.

The same network (784, ten hidden Dense layers of 100 units, 10 softmax) four times: sigmoid
and tanh with Keras's default Glorot initialisation, ReLU and Leaky ReLU with He's. At
initialisation one batch of real MNIST goes through the Keras model as a ``Tensor``; the loss
comes from ``deepbasics.losses`` and ``backward()`` fills each kernel's ``.grad``, whose norm is
the number per layer. Then each network trains with SGD at Keras's default rate, and a callback
records the loss of every update. The claim compares the first hidden layer with the last.
"""
import numpy as np

from deepbasics import losses
from deepbasics.autodiff import Tensor
from deepbasics.lab.common import BatchLosses, figure, format_number, mnist_subset, save_figure
from deepbasics.layers import Dense, Input
from deepbasics.models import Sequential
from deepbasics.utils import set_random_seed

NAME = "vanishing_gradients"
TITLE = {"en": "Vanishing gradients: sigmoid, tanh, ReLU and Leaky ReLU in ten layers",
         "ko": "기울기 소실: 10층 신경망에서 시그모이드, tanh, ReLU, Leaky ReLU 비교"}
CLAIM = {"en": "In a network of 10 hidden layers, at initialisation, the first layer's gradient is at least 100 "
               "times smaller than the last layer's with sigmoid, and within a factor of 10 of it with ReLU "
               "and He initialisation.",
         "ko": "은닉층이 10개인 신경망을 초기화한 직후, 시그모이드를 쓰면 첫 번째 층의 기울기가 마지막 층보다 "
               "100배 이상 작지만, ReLU와 He 초기화를 쓰면 그 차이가 10배 이내다."}
QUICK = {"n_train": 4000, "epochs": 1}

# (activation, kernel initializer): sigmoid and tanh keep Keras's default, ReLU-family get He's
NETWORKS = (("sigmoid", "glorot_uniform"), ("tanh", "glorot_uniform"),
            ("relu", "he_normal"), ("leaky_relu", "he_normal"))
DEPTH, UNITS = 10, 100
VANISHED, KEPT = 100.0, 10.0  # the claim's factors
BATCH_SIZE = 32
CURVE_POINTS = 150  # the smoothed loss curve is stored at about this many updates


def build(activation, initializer):
    """784 -> ten hidden Dense(100, activation) -> Dense(10, softmax), one initializer for all."""
    model = Sequential([Input(shape=(784,))])
    for _ in range(DEPTH):
        model.add(Dense(UNITS, activation=activation, kernel_initializer=initializer))
    model.add(Dense(10, activation="softmax", kernel_initializer=initializer))
    return model


def gradient_norms(model, x, y):
    """||dL/dW|| of every kernel, first layer to last, from one forward and backward pass."""
    loss = losses.CategoricalCrossentropy()(y, model(Tensor(x)))
    loss.backward()
    return [float(np.linalg.norm(layer.kernel.grad)) for layer in model.layers], float(loss.data)


def smoothed(values, points):
    """Means of consecutive windows (about ``points`` of them) and the update each window ends at."""
    window = max(1, len(values) // points)
    n = len(values) // window * window
    means = np.asarray(values[:n]).reshape(-1, window).mean(axis=1)
    return np.arange(window, n + 1, window).tolist(), np.round(means, 5).tolist(), window


def _positive_int(name, value, most=None):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1 or (most and value > most):
        expected = f"an integer from 1 to {most}" if most else "a positive integer"
        raise ValueError(f"vanishing_gradients.run(): `{name}` must be {expected}, received {name}={value!r}")


def run(seed=0, n_train=60000, epochs=2, gradient_batch=256):
    """Gradient norms per layer at initialisation on ``gradient_batch`` MNIST images, then
    ``epochs`` of SGD (batch 32) on the first ``n_train`` training images, per activation."""
    _positive_int("n_train", n_train, 60000)
    _positive_int("epochs", epochs)
    _positive_int("gradient_batch", gradient_batch, 60000)
    set_random_seed(seed)
    x, y, _, _ = mnist_subset(max(n_train, gradient_batch), 1)
    table, curves = [], {}
    for activation, initializer in NETWORKS:
        set_random_seed(seed)  # the same batch order for every network
        model = build(activation, initializer)
        norms, initial_loss = gradient_norms(model, x[:gradient_batch], y[:gradient_batch])
        model.compile(optimizer="sgd", loss="categorical_crossentropy")
        recorder = BatchLosses(n_train, BATCH_SIZE)
        model.fit(x[:n_train], y[:n_train], batch_size=BATCH_SIZE, epochs=epochs, verbose=0, callbacks=[recorder])
        steps, curve, window = smoothed(recorder.losses, CURVE_POINTS)
        curves[activation] = {"norms": norms, "step": steps, "loss": curve}
        table.append(_row(activation, initializer, norms, initial_loss, curve[-1]))
    rows = {row["activation"]: row for row in table}
    held = (rows["sigmoid"]["last_over_first"] >= VANISHED
            and max(rows["relu"]["last_over_first"], 1 / rows["relu"]["last_over_first"]) <= KEPT)
    return {"held": bool(held), "table": table, "note": _note(rows, held),
            "data": {"curves": curves, "smoothing_window": window, "batch_size": BATCH_SIZE,
                     "learning_rate": float(f"{float(model.optimizer.learning_rate):.4g}"),
                     "depth": DEPTH, "units": UNITS}}


def _row(activation, initializer, norms, initial_loss, final_loss):
    first, last = norms[0], norms[DEPTH - 1]
    return {"activation": activation, "initializer": initializer,
            "grad_first_hidden": float(f"{first:.4g}"), "grad_last_hidden": float(f"{last:.4g}"),
            "grad_output": float(f"{norms[DEPTH]:.4g}"), "last_over_first": float(f"{last / first:.4g}"),
            "loss_at_init": round(initial_loss, 4), "loss_at_end": round(final_loss, 4)}


def _note(rows, held):
    n = format_number
    sig, relu, tanh, leaky = rows["sigmoid"], rows["relu"], rows["tanh"], rows["leaky_relu"]
    en = [(f"With sigmoid the last hidden layer's gradient is {n(sig['last_over_first'])} times the first's; "
           f"with ReLU and He initialisation the ratio is {n(relu['last_over_first'])} (tanh "
           f"{n(tanh['last_over_first'])}, Leaky ReLU {n(leaky['last_over_first'])}).")]
    ko = [(f"시그모이드에서는 마지막 은닉층의 기울기가 첫 번째 층의 {n(sig['last_over_first'])}배이고, "
           f"ReLU와 He 초기화에서는 그 비율이 {n(relu['last_over_first'])}이다(tanh {n(tanh['last_over_first'])}, "
           f"Leaky ReLU {n(leaky['last_over_first'])}).")]
    en.append(f"Trained with SGD, the sigmoid network's loss goes from {n(sig['loss_at_init'])} at initialisation "
              f"to {n(sig['loss_at_end'])} over its last updates, the ReLU network's from {n(relu['loss_at_init'])} "
              f"to {n(relu['loss_at_end'])}: a layer whose gradient has vanished barely learns.")
    ko.append(f"SGD로 학습하면 시그모이드 신경망의 손실은 초기화 직후 {n(sig['loss_at_init'])}, 마지막 갱신 무렵 "
              f"{n(sig['loss_at_end'])}이고, ReLU 신경망은 각각 {n(relu['loss_at_init'])}, "
              f"{n(relu['loss_at_end'])}이다. 기울기가 소실된 층은 거의 학습하지 못한다.")
    if not held:
        en.append("So the claim did not hold at this size: see the table for which factor fell short.")
        ko.append("따라서 이 크기에서는 주장이 성립하지 않았다. 어느 비율이 기준에 못 미쳤는지는 표에 있다.")
    return {"en": " ".join(en), "ko": " ".join(ko)}


def plot(result, path):
    """Gradient norm per layer at initialisation (log scale) and the smoothed loss per update."""
    fig, axes = figure(1, 2, panel_size=(6.0, 4.4))
    data, init = result["data"], {row["activation"]: row["initializer"] for row in result["table"]}
    layers = np.arange(1, data["depth"] + 2)
    left, right = axes[0]
    for activation, curve in data["curves"].items():
        label = f"{activation} ({init[activation]})"
        left.plot(layers, curve["norms"], "o-", lw=1.4, ms=4, label=label)
        right.plot(curve["step"], curve["loss"], lw=1.4, label=label)
    left.set_xticks(layers, [str(i) for i in layers[:-1]] + ["out"])
    left.set(yscale="log", xlabel="layer (1 = first hidden, out = softmax)", ylabel="||dL/dW|| (log scale)",
             title="Gradient norm per layer at initialisation")
    window = data["smoothing_window"]
    right.set(xlabel=f"update (batch of {data['batch_size']})",
              ylabel=f"training loss (mean of {window} updates)" if window > 1 else "training loss per update",
              title=f"Training loss, SGD at learning rate {data['learning_rate']:g}")
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return save_figure(fig, path)
