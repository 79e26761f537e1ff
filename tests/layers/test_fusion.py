"""Sequential runs Conv then MaxPooling as one op: same predictions, same training, same errors."""
import numpy as np
import pytest

import deepbasics as db
from deepbasics.layers import fusion
from deepbasics.models import sequential as sequential_module

L = db.layers


def cnn(seed=0, rank=2):
    db.utils.set_random_seed(seed)
    if rank == 1:
        return db.Sequential([db.Input((21, 3)), L.Conv1D(4, 3, activation="relu"), L.MaxPooling1D(2),
                              L.Conv1D(5, 2, padding="causal"), L.MaxPooling1D(3), L.Flatten(), L.Dense(3)])
    return db.Sequential([db.Input((12, 11, 2)), L.Conv2D(4, 3, activation="relu"), L.MaxPooling2D(),
                          L.Conv2D(6, 2, strides=(1, 2), padding="same"), L.MaxPooling2D((2, 1)),
                          L.Flatten(), L.Dense(3, activation="softmax")])


def unfused(monkeypatch, model_module=sequential_module):
    monkeypatch.setattr(model_module, "fused_call", lambda *args: None)


def count_fused(monkeypatch, model_module=sequential_module):
    """A list that records, for each pair the model offers, whether it was run fused."""
    calls = []

    def spy(layer, next_layer, x):
        out = fusion.fused_call(layer, next_layer, x)
        calls.append(out is not None)
        return out
    monkeypatch.setattr(model_module, "fused_call", spy)
    return calls


@pytest.mark.parametrize("ties", [True, False])
@pytest.mark.parametrize("rank", [1, 2])
def test_predictions_and_training_equal_the_layer_by_layer_run(rank, ties, monkeypatch):
    shape = (16, 21, 3) if rank == 1 else (16, 12, 11, 2)
    rng = np.random.default_rng(0)
    # with ties (pixels in {0, .5, 1}, like MNIST's saturated ones), one step: after it the two
    # runs' weights differ in the last float32 bit (sums in another order), which decides later
    # exact ties differently; without ties, several steps
    x = rng.integers(0, 3, shape).astype(np.float32) / 2 if ties else rng.random(shape, dtype=np.float32)
    y = rng.integers(0, 3, 16)
    steps = 1 if ties else 4
    results = []
    for fuse in (True, False):
        with monkeypatch.context() as m:
            if fuse:
                calls = count_fused(m)
            else:
                unfused(m)
            model = cnn(rank=rank)
            model.compile(db.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
            before = model.predict(x, verbose=0)
            for _ in range(steps):
                model.train_on_batch(x, y)
            results.append([before, model.predict(x, verbose=0)] + model.get_weights())
            if fuse:
                assert sum(calls) == 2 * (steps + 2)  # both conv-pool pairs, in every call of the model
    for fused, reference in zip(*results):  # float32 sums in another order, over `steps` updates
        np.testing.assert_allclose(fused, reference, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("conv,pool", [
    (L.Conv2D(2, 3, activation="tanh"), L.MaxPooling2D()),  # tanh: equal only up to rounding
    (L.Conv2D(2, 3, activation="sigmoid"), L.MaxPooling2D()),
    (L.Conv2D(2, 3, activity_regularizer="l2"), L.MaxPooling2D()),
    (L.Conv2D(2, 3), L.MaxPooling2D(strides=1)),  # overlapping windows
    (L.Conv2D(2, 3), L.MaxPooling2D(padding="same")),
    (L.Conv2D(2, 3), L.AveragePooling2D()),
    (L.Conv2DTranspose(2, 3), L.MaxPooling2D()),
])
def test_pairs_that_do_not_qualify_run_as_two_layers(conv, pool, monkeypatch):
    calls = count_fused(monkeypatch)
    model = db.Sequential([db.Input((8, 8, 1)), conv, pool])
    x = np.random.default_rng(0).standard_normal((2, 8, 8, 1)).astype(np.float32)
    expected = pool(conv(x)).numpy()
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-6)
    assert calls and not any(calls)


def test_a_subclassed_conv_with_its_own_call_is_not_fused():
    class Doubled(L.Conv2D):
        def call(self, x):
            return super().call(x) * 2.0

    conv, pool = Doubled(2, 3), L.MaxPooling2D()
    db.Sequential([db.Input((8, 8, 1)), conv, pool])
    assert fusion.fused_call(conv, pool, np.ones((1, 8, 8, 1), np.float32)) is None


def test_wrong_input_still_gets_the_layers_own_error():
    model = cnn()  # past the model's own input check, straight into the layers
    with pytest.raises(ValueError, match="conv2d.*channels"):
        model.call(np.ones((2, 12, 11, 3), np.float32))
    with pytest.raises(ValueError, match="conv2d.*x.reshape"):
        model.call(np.ones((2, 12 * 11 * 2), np.float32))
    with pytest.raises(ValueError, match="kernel_size"):
        model.call(np.ones((2, 2, 2, 2), np.float32))



def test_a_functional_model_fuses_only_convs_read_by_their_pool_alone(monkeypatch):
    from deepbasics.models import functional as functional_module
    db.utils.set_random_seed(0)
    inp = db.Input((10, 10, 2))
    a = L.MaxPooling2D()(L.Conv2D(3, 3, activation="relu")(inp))  # fused
    c = L.Conv2D(3, 3)(inp)  # read twice: not fused
    b = L.Add()([L.MaxPooling2D()(c), L.MaxPooling2D()(L.Activation("relu")(c))])
    out = L.Dense(2)(L.Flatten()(L.Concatenate()([a, b])))
    model = db.Model(inp, [out, c])  # c is also an output
    x = np.random.default_rng(0).integers(0, 3, (4, 10, 10, 2)).astype(np.float32)
    calls = count_fused(monkeypatch, functional_module)
    fused = model.predict(x, verbose=0)
    assert sum(calls) == 1  # only the conv whose output has one reader, its pool
    unfused(monkeypatch, functional_module)
    for got, want in zip(fused, model.predict(x, verbose=0)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
