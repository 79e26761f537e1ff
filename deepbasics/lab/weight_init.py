"""Experiment 9: how the initial weights shape each layer's activations, and why not all zeros.

Part one (Deep Learning from Scratch, 6.2): 1,000 random inputs (standard normal, 100 features)
go through five Dense layers of 100 units, for four kernel initializers (``RandomNormal`` with
std 1 and 0.01, Xavier = ``glorot_normal``, He = ``he_normal``) under sigmoid, tanh and ReLU;
each layer's activations are histogrammed and summarised by their standard deviation and the
share of saturated units. The words of the claim are measured with these fixed yardsticks:

- saturated: sigmoid within 0.05 of 0 or 1, tanh beyond +-0.95 ("most": over half);
- a narrow band: a standard deviation under 0.05 (a twentieth of the sigmoid's range);
- spread: a standard deviation of at least 0.05 in every layer, with under half saturated;
- ReLU kept through layer 5: layer 5's standard deviation at least half of layer 1's.

Part two: the same five sigmoid layers, every weight zero, trained with Adam on MNIST (Adam,
because with zero weights SGD's first gradients are tiny, so the units would stay equal simply
by not moving). Two hidden units are the same unit when their incoming weights and biases agree
to within 1e-5 of the layer's largest weight (float32 rounds at about 1e-7); the claim is that
each layer ends with one distinct unit, against 100 for the same network started from Xavier.
"""
import numpy as np

from deepbasics import initializers
from deepbasics.autodiff import no_grad
from deepbasics.lab.common import figure, format_number, mnist_subset, save_figure
from deepbasics.layers import Dense, Input
from deepbasics.models import Sequential
from deepbasics.utils import set_random_seed

NAME = "weight_init"
TITLE = {"en": "Weight initialisation: activation histograms per layer, and all-zero weights",
         "ko": "가중치 초기화: 층별 활성화 값 분포와 모두 0인 가중치"}
CLAIM = {"en": "With std 1 the sigmoid saturates (most activations near 0 or 1); with std 0.01 activations "
               "collapse to a narrow band; Xavier keeps sigmoid and tanh activations spread; He keeps ReLU "
               "activations spread through layer 5 where Xavier shrinks them; all-zero weights leave every "
               "hidden unit identical after training.",
         "ko": "표준편차 1이면 시그모이드가 포화되고(활성화 값 대부분이 0이나 1 근처), 표준편차 0.01이면 활성화 값이 "
               "좁은 범위에 몰린다. Xavier는 시그모이드와 tanh의 활성화 값을 고르게 퍼뜨리고, He는 ReLU의 활성화 값을 "
               "5층까지 퍼진 채로 유지하지만 Xavier에서는 점점 줄어든다. 가중치를 모두 0으로 두면 학습한 뒤에도 "
               "은닉 유닛이 모두 똑같다."}
QUICK = {"n_train": 3000, "epochs": 2}

ACTIVATIONS = ("sigmoid", "tanh", "relu")
INITIALIZERS = {"std 1": {"class_name": "RandomNormal", "config": {"stddev": 1.0}},
                "std 0.01": {"class_name": "RandomNormal", "config": {"stddev": 0.01}},
                "Xavier": "glorot_normal", "He": "he_normal"}
ZEROS, XAVIER_TRAINED = "zeros, trained on MNIST", "Xavier, trained on MNIST"
LAYERS, UNITS, BINS = 5, 100, 30
SATURATED, NARROW, KEPT = 0.05, 0.05, 0.5  # the yardsticks of the module docstring
SAME_UNIT = 1e-5  # relative difference below which two units' weights are float32 rounding apart
SHOWN_UNITS, SHOWN_IMAGES = 20, 40  # the corner of layer 1's activations the figure shows


def build(activation, initializer, input_dim):
    """``LAYERS`` Dense layers of ``UNITS``, one activation and one kernel initializer throughout."""
    model = Sequential([Input(shape=(input_dim,))])
    for _ in range(LAYERS):
        model.add(Dense(UNITS, activation=activation, kernel_initializer=initializers.get(initializer)))
    return model


def layer_outputs(layers, x):
    """Each layer's activations for inputs ``x``, calling the layers in turn (no graph)."""
    outputs = []
    with no_grad():
        for layer in layers:
            x = layer(x)
            outputs.append(x.numpy())
    return outputs


def saturated_share(activation, a):
    """The share of activations within SATURATED of the function's limits (None for ReLU)."""
    if activation == "sigmoid":
        return float(np.mean((a < SATURATED) | (a > 1 - SATURATED)))
    if activation == "tanh":
        return float(np.mean(np.abs(a) > 1 - SATURATED))
    return None


def distinct_units(kernel, bias):
    """How many different units a layer has: unit j is new unless its incoming weights and bias
    equal an earlier unit's to within SAME_UNIT of the layer's largest weight."""
    w = np.vstack([kernel, bias[None, :]])
    tolerance = SAME_UNIT * max(float(np.abs(w).max()), np.finfo(np.float32).tiny)
    differences = np.abs(w[:, :, None] - w[:, None, :]).max(axis=0)  # (units, units)
    earlier = np.tril(np.ones_like(differences, dtype=bool), k=-1)  # [j, i]: i < j
    same_as_earlier = ((differences <= tolerance) & earlier).any(axis=1)
    return int(np.sum(~same_as_earlier))


def histograms(activation, outputs):
    """Per layer, the counts over BINS equal bins of the activation's range. ReLU: the positive
    values only (the zeros, about half, would dwarf the rest), from 0 to 3, larger ones counted
    in the last bin."""
    low, high = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, 3.0)}[activation]
    edges = np.linspace(low, high, BINS + 1)
    if activation == "relu":
        outputs = [a[a > 0] for a in outputs]
    return edges, [np.histogram(np.clip(a, low, high), bins=edges)[0].tolist() for a in outputs]


def _g(value):
    return float(f"{value:.4g}")


def nominal_std(initializer):
    """The standard deviation ``initializer`` draws a 100 x 100 kernel from."""
    init = initializers.get(initializer)
    if isinstance(init, initializers.VarianceScaling):
        return _g(init.variance((UNITS, UNITS)) ** 0.5)
    return _g(getattr(init, "stddev", 0.0))


def summary(activation, name, initializer, outputs, layers):
    """The table's row: activation spread per layer, saturation, distinct units, largest weight."""
    stds = [float(a.std()) for a in outputs]
    shares = [saturated_share(activation, a) for a in outputs]
    known = [s for s in shares if s is not None]
    return {"network": f"{activation}, {name}", "weight_std": nominal_std(initializer),
            "std_min": _g(min(stds)), "std_max": _g(max(stds)),
            "layer_5_over_1": _g(stds[-1] / stds[0]) if stds[0] > 0 else None,
            "saturated_min": round(min(known), 4) if known else None,
            "saturated_max": round(max(known), 4) if known else None,
            "distinct_units": min(distinct_units(layer.kernel.data, layer.bias.data) for layer in layers),
            "largest_weight": _g(max(float(np.abs(layer.kernel.data).max()) for layer in layers)),
            "test_accuracy": None}


def _positive_int(name, value, most=None):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1 or (most and value > most):
        expected = f"an integer from 1 to {most}" if most else "a positive integer"
        raise ValueError(f"weight_init.run(): `{name}` must be {expected}, received {name}={value!r}")


def run(seed=0, n_inputs=1000, n_train=10000, epochs=5):
    """Histograms for every initializer and activation on ``n_inputs`` random inputs; then the
    zero-initialised and the Xavier sigmoid networks trained ``epochs`` on ``n_train`` MNIST images."""
    _positive_int("n_inputs", n_inputs)
    _positive_int("n_train", n_train, 60000)
    _positive_int("epochs", epochs)
    set_random_seed(seed)
    x = np.random.default_rng(seed).standard_normal((n_inputs, UNITS)).astype(np.float32)
    table, panels = [], []
    for name, initializer in INITIALIZERS.items():
        for activation in ACTIVATIONS:
            model = build(activation, initializer, UNITS)
            outputs = layer_outputs(model.layers, x)
            table.append(summary(activation, name, initializer, outputs, model.layers))
            edges, counts = histograms(activation, outputs)
            panels.append({"activation": activation, "initializer": name, "edges": edges.tolist(), "counts": counts,
                           "stds": [_g(float(a.std())) for a in outputs]})
    trained = {}
    for name, initializer in ((ZEROS, "zeros"), (XAVIER_TRAINED, "glorot_normal")):
        row, trained[name] = train_on_mnist(seed, name, initializer, n_train, epochs)
        table.append(row)
    checks = claim_checks(table)
    return {"held": all(checks.values()), "table": table, "note": _note(table, checks),
            "data": {"panels": panels, "trained": trained, "checks": checks, "n_inputs": n_inputs}}


def train_on_mnist(seed, name, initializer, n_train, epochs):
    """Five sigmoid layers from ``initializer``, a softmax on top, Adam on MNIST: the summary row
    of the hidden layers' activations on 1,000 test images, the distinct units per layer and a
    corner of layer 1's activations (units x images)."""
    set_random_seed(seed)
    x, y, x_test, y_test = mnist_subset(n_train, 1000)
    model = build("sigmoid", initializer, 784)
    model.add(Dense(10, activation="softmax", kernel_initializer=initializer))
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=32, epochs=epochs, verbose=0)
    hidden = model.layers[:LAYERS]
    outputs = layer_outputs(hidden, x_test)
    row = summary("sigmoid", name, initializer, outputs, hidden)
    row["test_accuracy"] = round(float(model.evaluate(x_test, y_test, batch_size=1000, verbose=0)[1]), 4)
    return row, {"distinct_per_layer": [distinct_units(layer.kernel.data, layer.bias.data) for layer in hidden],
                 "layer_1": np.round(outputs[0][:SHOWN_IMAGES, :SHOWN_UNITS].T, 4).tolist()}


def _row(table, activation, initializer):
    (row,) = [r for r in table if r["network"] == f"{activation}, {initializer}"]
    return row


def claim_checks(table):
    """Each part of the claim against the yardsticks of the module docstring."""
    spread = [_row(table, a, "Xavier") for a in ("sigmoid", "tanh")]
    zeros = _row(table, "sigmoid", ZEROS)
    return {
        "std_1_saturates_sigmoid": _row(table, "sigmoid", "std 1")["saturated_min"] > 0.5,
        "std_0.01_narrow_band": _row(table, "sigmoid", "std 0.01")["std_max"] < NARROW,
        "xavier_spreads_sigmoid_tanh": all(r["std_min"] >= NARROW and r["saturated_max"] < 0.5 for r in spread),
        "he_keeps_relu": _row(table, "relu", "He")["layer_5_over_1"] >= KEPT,
        "xavier_shrinks_relu": _row(table, "relu", "Xavier")["layer_5_over_1"] < KEPT,
        "zeros_identical": zeros["distinct_units"] == 1 and zeros["largest_weight"] > 0,
    }


def _note(table, checks):
    n = format_number
    std1, narrow = _row(table, "sigmoid", "std 1"), _row(table, "sigmoid", "std 0.01")
    xs, xt = _row(table, "sigmoid", "Xavier"), _row(table, "tanh", "Xavier")
    he, xr = _row(table, "relu", "He"), _row(table, "relu", "Xavier")
    zeros, xavier = _row(table, "sigmoid", ZEROS), _row(table, "sigmoid", XAVIER_TRAINED)
    en = [(f"With std {n(std1['weight_std'])} the sigmoid saturates: in every layer at least "
           f"{n(std1['saturated_min'])} of the activations lie within a twentieth of {n(zeros['weight_std'])} or "
           f"{n(std1['weight_std'])}."),
          (f"With std {n(narrow['weight_std'])} they stay in a narrow band around one half (standard deviation at "
           f"most {n(narrow['std_max'])})."),
          (f"Xavier keeps them spread (standard deviation at least {n(xs['std_min'])} for sigmoid and "
           f"{n(xt['std_min'])} for tanh, at most {n(xt['saturated_max'])} of tanh's saturated)."),
          (f"With ReLU the last layer's spread is {n(he['layer_5_over_1'])} times the first's under He, "
           f"{n(xr['layer_5_over_1'])} times under Xavier."),
          (f"All-zero weights trained with Adam do move (largest weight {n(zeros['largest_weight'])}), yet every "
           f"hidden layer ends with {n(zeros['distinct_units'])} distinct unit, against "
           f"{n(xavier['distinct_units'])} when started from Xavier; test accuracy {n(zeros['test_accuracy'])} "
           f"against {n(xavier['test_accuracy'])}.")]
    ko = [(f"표준편차가 {n(std1['weight_std'])}이면 시그모이드가 포화된다. 모든 층에서 활성화 값 가운데 "
           f"{n(std1['saturated_min'])} 이상의 비율이 {n(zeros['weight_std'])} 또는 {n(std1['weight_std'])}에 바짝 "
           f"붙어 있다."),
          (f"표준편차가 {n(narrow['weight_std'])}이면 활성화 값이 한가운데의 좁은 범위에 몰린다(표준편차 최대 "
           f"{n(narrow['std_max'])})."),
          (f"Xavier는 활성화 값을 고르게 퍼뜨린다(표준편차 최소: 시그모이드 {n(xs['std_min'])}, tanh "
           f"{n(xt['std_min'])}; tanh의 포화 비율 최대 {n(xt['saturated_max'])})."),
          (f"ReLU에서 마지막 층의 표준편차는 첫 층의 {n(he['layer_5_over_1'])}배(He), "
           f"{n(xr['layer_5_over_1'])}배(Xavier)다."),
          (f"가중치를 모두 {n(zeros['weight_std'])}으로 두고 Adam으로 학습하면 가중치는 분명히 움직이지만(가장 큰 "
           f"가중치 {n(zeros['largest_weight'])}), 모든 은닉층에서 서로 다른 유닛은 {n(zeros['distinct_units'])}개뿐이다. "
           f"Xavier로 시작하면 {n(xavier['distinct_units'])}개다. 시험 정확도는 모두 {n(zeros['weight_std'])}인 "
           f"가중치에서 {n(zeros['test_accuracy'])}, Xavier에서 {n(xavier['test_accuracy'])}이다.")]
    failed = [name for name, ok in checks.items() if not ok]
    if failed:
        en.append(f"Did not hold at this size: {', '.join(failed)}.")
        ko.append(f"이 크기에서 성립하지 않은 부분: {', '.join(failed)}.")
    return {"en": " ".join(en), "ko": " ".join(ko)}


def plot(result, path):
    """Rows: the four initializers; columns: sigmoid, tanh, ReLU; each panel overlays the five
    layers' histograms. Bottom row: layer 1 of the zero-initialised and the Xavier network after
    training (units x test images), and the distinct units per layer of both."""
    fig, axes = figure(5, 3, panel_size=(4.2, 2.8))
    colors = [f"C{i}" for i in range(LAYERS)]
    for panel in result["data"]["panels"]:
        row, col = list(INITIALIZERS).index(panel["initializer"]), ACTIVATIONS.index(panel["activation"])
        ax, edges = axes[row, col], np.array(panel["edges"])
        for layer, (counts, color) in enumerate(zip(panel["counts"], colors), 1):
            share = np.array(counts) / max(1, sum(counts))
            ax.stairs(share, edges, color=color, lw=1.3, label=f"layer {layer}")
        kept = " (values > 0; last bin: 3 and above)" if panel["activation"] == "relu" else ""
        ax.set(title=f"{panel['activation']}, {panel['initializer']}", ylim=(0, None),
               xlabel=f"activation{kept}", ylabel="share of activations")
        ax.title.set_fontsize(10)
        ax.xaxis.label.set_fontsize(8)
    axes[0, 0].legend(fontsize=8, ncol=2)
    fig.suptitle(f"Activations per layer of {LAYERS} Dense layers of {UNITS} units, {result['data']['n_inputs']} "
                 f"random inputs (rows: initial weights, columns: activation)\nBottom: all-zero against Xavier "
                 f"weights after training on MNIST", fontsize=11)
    trained = result["data"]["trained"]
    for ax, (name, data) in zip(axes[4, :2], trained.items()):
        image = ax.imshow(data["layer_1"], aspect="auto", cmap="viridis", vmin=0, vmax=1)
        ax.set(title=f"{name}: layer 1 outputs", xlabel="test image", ylabel="hidden unit")
        ax.title.set_fontsize(10)
        fig.colorbar(image, ax=ax, label="sigmoid output")
    ax = axes[4, 2]
    layers = np.arange(1, LAYERS + 1)
    for offset, (name, data) in zip((-0.2, 0.2), trained.items()):
        bars = ax.bar(layers + offset, data["distinct_per_layer"], width=0.4, label=name.split(",")[0])
        ax.bar_label(bars, fontsize=7)
    ax.set(title="Distinct hidden units after training", xlabel="hidden layer", ylabel="distinct units",
           xticks=layers, ylim=(0, 1.3 * UNITS))
    ax.title.set_fontsize(10)
    ax.legend(fontsize=8, ncol=2, loc="upper center")
    return save_figure(fig, path)
