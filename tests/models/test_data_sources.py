"""fit from generators and Sequences, steps_per_epoch, shuffle='batch', class_weight,
and Keras 2's predict_classes / predict_proba."""
import numpy as np
import pytest

import deepbasics as db


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3)).astype("float32")
    return x, (x.sum(axis=1) > 0).astype("int64")


def _model():
    db.utils.set_random_seed(0)
    model = db.Sequential([db.layers.Dense(2, input_dim=3, activation="softmax")])
    model.compile(optimizer=db.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy", metrics=["acc"])
    return model


def test_generator_with_steps_per_epoch_matches_arrays():
    x, y = _data()

    def batches():
        while True:
            for i in range(0, 40, 8):
                yield x[i:i + 8], y[i:i + 8]

    a, b = _model(), _model()
    hist = a.fit(batches(), steps_per_epoch=5, epochs=3, verbose=0)
    b.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-6)
    assert hist.params["steps"] == 5 and len(hist.history["loss"]) == 3


def test_finite_generator_runs_out_with_a_warning():
    x, y = _data()
    gen = ((x[i:i + 10], y[i:i + 10]) for i in range(0, 40, 10))
    with pytest.warns(UserWarning, match="ran out of data"):
        hist = _model().fit(gen, epochs=3, verbose=0)
    assert len(hist.history["loss"]) == 1


class Batches(db.utils.Sequence):
    def __init__(self, x, y):
        self.x, self.y, self.ends = x, y, 0

    def __len__(self):
        return 4

    def __getitem__(self, i):
        return self.x[i * 10:(i + 1) * 10], self.y[i * 10:(i + 1) * 10]

    def on_epoch_end(self):
        self.ends += 1


def test_sequence_is_visited_once_per_epoch():
    x, y = _data()
    seq = Batches(x, y)
    hist = _model().fit(seq, epochs=2, verbose=0)
    assert seq.ends == 2 and hist.params["steps"] == 4


def test_generator_rejects_y_and_bad_batches():
    x, y = _data()
    with pytest.raises(ValueError, match="leave `y`"):
        _model().fit(iter([(x, y)]), y, verbose=0)
    with pytest.raises(ValueError, match="tuples"):
        _model().fit(iter([x]), steps_per_epoch=1, verbose=0)


def test_steps_per_epoch_with_arrays_wraps_around():
    x, y = _data()
    hist = _model().fit(x, y, batch_size=16, steps_per_epoch=5, epochs=2, verbose=0)
    assert hist.params["steps"] == 5


def test_shuffle_batch_keeps_chunks():
    x, y = _data()
    a, b = _model(), _model()
    a.fit(x, y, batch_size=40, epochs=1, shuffle="batch", verbose=0)  # one chunk: same as no shuffle
    b.fit(x, y, batch_size=40, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(a.get_weights()[0], b.get_weights()[0])
    with pytest.raises(ValueError, match="shuffle"):
        _model().fit(x, y, shuffle="yes", verbose=0)


def test_class_weight_equals_sample_weight():
    x, y = _data()
    a, b = _model(), _model()
    a.fit(x, y, class_weight={0: 1.0, 1: 3.0}, epochs=2, shuffle=False, verbose=0)
    b.fit(x, y, sample_weight=np.where(y == 1, 3.0, 1.0), epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(a.get_weights()[0], b.get_weights()[0], rtol=1e-6)
    with pytest.raises(ValueError, match="class_weight"):
        _model().fit(x, y, class_weight=[1, 2], verbose=0)


def test_predict_classes_and_proba_like_keras2():
    x, y = _data()
    model = _model()
    with pytest.warns(DeprecationWarning, match="argmax"):
        classes = model.predict_classes(x)
    np.testing.assert_array_equal(classes, model.predict(x, verbose=0).argmax(-1))
    with pytest.warns(DeprecationWarning, match="predict"):
        np.testing.assert_allclose(model.predict_proba(x), model.predict(x, verbose=0))


def test_test_on_batch_and_predict_on_batch():
    x, y = _data()
    model = _model()
    loss, acc = model.test_on_batch(x, y)
    p = model.predict_on_batch(x)
    assert acc == pytest.approx(np.mean(p.argmax(-1) == y))
    expected = -np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-7, 1)))
    assert loss == pytest.approx(expected, rel=1e-5)


def test_validation_freq():
    x, y = _data()
    hist = _model().fit(x, y, epochs=4, validation_split=0.25, validation_freq=2, verbose=0)
    assert len(hist.history["loss"]) == 4 and len(hist.history["val_loss"]) == 2
