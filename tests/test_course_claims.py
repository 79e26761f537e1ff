"""The course's claims that rest on the toolbox, checked on real MNIST subsets (seeded)."""
import deepbasics as db
from mnist_data import needs_data, subset

pytestmark = needs_data


def _mlp(hidden, dropout=0.0, width=64):
    layers = []
    for i in range(hidden):
        layers.append(db.layers.Dense(width, activation="relu", **({"input_dim": 784} if i == 0 else {})))
        if dropout:
            layers.append(db.layers.Dropout(dropout))
    return db.Sequential(layers + [db.layers.Dense(10, activation="softmax")])


def test_adam_ends_one_epoch_below_plain_sgd():
    x, y, _, _ = subset(3000, 0)
    final = {}
    for name in ("sgd", "adam"):
        db.utils.set_random_seed(0)
        model = _mlp(1)
        model.compile(optimizer=name, loss="sparse_categorical_crossentropy")
        final[name] = model.fit(x, y, epochs=1, verbose=0).history["loss"][-1]
    assert final["adam"] < final["sgd"] * 0.75, final


def test_dropout_shrinks_the_train_test_gap():
    """1,000 training images, two layers of 256: both nets memorise the training set; the one
    with Dropout(0.5) generalises better, so its train-test accuracy gap is smaller."""
    x, y, xt, yt = subset(1000, 2000)
    gaps = {}
    for rate in (0.0, 0.5):
        db.utils.set_random_seed(0)
        model = _mlp(2, dropout=rate, width=256)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(x, y, epochs=30, verbose=0)
        gaps[rate] = model.evaluate(x, y, verbose=0)[1] - model.evaluate(xt, yt, verbose=0)[1]
    assert gaps[0.5] < gaps[0.0], gaps
