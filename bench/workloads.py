"""The six workloads of issue 6: what each one times, at full size and at ``--quick`` size."""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    unit: str                       # what the time columns mean for this workload
    epochs: int = 1                 # training epochs (W5: warm-up training before timing)
    batch_size: int = 128
    n_train: int = None             # None: all 60,000 training images
    n_test: int = None              # None: all 10,000 test images
    passes: tuple = (6, 2)          # W5: timed passes over the test set at batch 1024 and 1
    quick: dict = field(default_factory=dict)  # what --quick changes


WORKLOADS = {w.key: w for w in [
    Workload("W1", "course MLP: 784-64 relu-10 softmax, categorical CE, SGD 0.01, batch 32",
             "s per epoch", epochs=5, batch_size=32, quick=dict(epochs=2, n_train=2048, n_test=1000)),
    Workload("W2", "wide MLP: 784-512-BN-relu-Dropout(0.2)-512-BN-relu-Dropout(0.2)-10, Adam 1e-3, batch 128",
             "s per epoch", epochs=2, quick=dict(n_train=2048, n_test=1000)),
    Workload("W3", "CNN: Conv2D(32,3,relu)-MaxPool2-Conv2D(64,3,relu)-MaxPool2-Flatten-Dense(128,relu)-"
             "Dense(10), Adam, batch 128", "s per epoch", quick=dict(n_train=1024, n_test=500)),
    Workload("W4", "LSTM: MNIST rows as 28 steps of 28, LSTM(128)-Dense(10), Adam, batch 128",
             "s per epoch", quick=dict(n_train=1024, n_test=500)),
    Workload("W5", "inference: predict on the test images with the W1 and W3 models (each "
             "first trained 1 epoch), batch 1024 and batch 1",
             "s per pass over the test images", n_train=10_000, quick=dict(n_train=512, n_test=128, passes=(2, 2))),
    Workload("W6", "lab: `deepbasics lab report --quick`, whole (deepbasics only)", "wall s of the command",
             quick=dict(lab_only="perceptron,activations")),
]}
ORDER = tuple(WORKLOADS)


def settings(workload, quick=False, epochs=None, n_train=None, n_test=None):
    """The sizes one workload runs at: its defaults, then --quick's, then explicit overrides."""
    s = {"epochs": workload.epochs, "batch_size": workload.batch_size, "n_train": workload.n_train,
         "n_test": workload.n_test, "passes": workload.passes, "lab_only": None}
    if quick:
        s.update(workload.quick)
    if epochs is not None and workload.key != "W5":
        s["epochs"] = epochs
    if n_train is not None:
        s["n_train"] = n_train
    if n_test is not None:
        s["n_test"] = n_test
    return s


def parse_only(text):
    """'W1,w3' -> ('W1', 'W3') in the table's order; a clear error for an unknown name."""
    names = [s.strip().upper() for s in text.split(",") if s.strip()]
    unknown = [s for s in names if s not in WORKLOADS]
    if unknown or not names:
        raise ValueError(f"--only expects a comma list from {','.join(ORDER)}, received {text!r}")
    return tuple(k for k in ORDER if k in names)
