"""The workloads' models written once against Keras's API, for keras and for deepbasics alike.

``api`` is a module with Keras's layout (``keras`` itself, or ``deepbasics``): the same lines
build the same network in both, so the two rows differ only by the library underneath. Every
setting is Keras's default unless the workload names it: Glorot-uniform kernels, zero biases,
BatchNormalization momentum 0.99 and epsilon 1e-3, Adam epsilon 1e-7, inverted dropout.
"""

LOSSES = {  # W1 is the course script: one-hot labels; the others take integer labels
    "W1": "categorical_crossentropy",
    "W2": "sparse_categorical_crossentropy",
    "W3": "sparse_categorical_crossentropy",
    "W4": "sparse_categorical_crossentropy",
}


def _layers(api, workload):
    L = api.layers
    if workload == "W1":
        return [L.Input(shape=(784,)), L.Dense(64, activation="relu"), L.Dense(10, activation="softmax")]
    if workload == "W2":
        block = lambda: [L.Dense(512), L.BatchNormalization(), L.Activation("relu"), L.Dropout(0.2)]  # noqa: E731
        return [L.Input(shape=(784,)), *block(), *block(), L.Dense(10, activation="softmax")]
    if workload == "W3":
        return [L.Input(shape=(28, 28, 1)),
                L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(2),
                L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(2),
                L.Flatten(), L.Dense(128, activation="relu"), L.Dense(10, activation="softmax")]
    if workload == "W4":
        return [L.Input(shape=(28, 28)), L.LSTM(128), L.Dense(10, activation="softmax")]
    raise ValueError(f"`workload` must be one of {sorted(LOSSES)}, received {workload!r}")


def build(api, workload):
    """The workload's compiled Sequential model (SGD 0.01 for W1, Adam 1e-3 otherwise)."""
    model = api.models.Sequential(_layers(api, workload))
    if workload == "W1":
        optimizer = api.optimizers.SGD(learning_rate=0.01)
    else:
        optimizer = api.optimizers.Adam(learning_rate=0.001)
    # 'accuracy' as the course compiles it: both libraries pay for the training metric
    model.compile(optimizer=optimizer, loss=LOSSES[workload], metrics=["accuracy"])
    return model


def labels(workload, y_int, y_onehot):
    """The training labels the workload's loss takes."""
    return y_onehot if LOSSES[workload] == "categorical_crossentropy" else y_int
