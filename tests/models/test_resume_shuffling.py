"""fit's shuffling is a function of (seed, epoch): a run resumed at initial_epoch=k shuffles its
epochs as the uninterrupted run did, whatever else drew random numbers in between."""
import numpy as np

from deepbasics import backend
from deepbasics.layers import Dense
from deepbasics.models import Sequential
from deepbasics.utils import set_random_seed


def _data():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(96, 6)).astype(np.float32)
    return x, np.eye(3, dtype=np.float32)[rng.integers(0, 3, 96)]


def _model():
    model = Sequential([Dense(5, input_dim=6, activation="relu"), Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    return model


def test_resumed_fit_gives_bit_identical_weights():
    x, y = _data()
    set_random_seed(7)
    whole = _model()
    start = whole.get_weights()
    whole.fit(x, y, epochs=4, batch_size=8, verbose=0)

    set_random_seed(7)
    first = _model()
    first.fit(x, y, epochs=2, batch_size=8, verbose=0)
    resumed = _model()  # its initializers draw from the generator: the shuffling must not care
    resumed.set_weights(first.get_weights())
    resumed.fit(x, y, initial_epoch=2, epochs=4, batch_size=8, verbose=0)

    assert not np.array_equal(start[0], whole.get_weights()[0])
    for a, b in zip(whole.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_each_epoch_has_its_own_order_and_the_seed_sets_them():
    set_random_seed(1)
    a = [backend.shuffle_rng(e).permutation(10) for e in range(3)]
    set_random_seed(1)
    b = [backend.shuffle_rng(e).permutation(10) for e in range(3)]
    set_random_seed(2)
    c = backend.shuffle_rng(0).permutation(10)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert not np.array_equal(a[0], a[1]) and not np.array_equal(a[0], c)


def test_steps_per_epoch_resume_continues_the_pass_sequence():
    x, y = _data()
    set_random_seed(5)
    whole = _model()
    whole.fit(x, y, epochs=4, batch_size=8, steps_per_epoch=6, verbose=0)  # two epochs per pass
    set_random_seed(5)
    first = _model()
    first.fit(x, y, epochs=2, batch_size=8, steps_per_epoch=6, verbose=0)
    resumed = _model()
    resumed.set_weights(first.get_weights())
    resumed.fit(x, y, initial_epoch=2, epochs=4, batch_size=8, steps_per_epoch=6, verbose=0)
    for a, b in zip(whole.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)
