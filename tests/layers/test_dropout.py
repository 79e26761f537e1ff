import numpy as np
import pytest

from deepbasics import layers
from deepbasics.autodiff import Tensor, gradcheck
from deepbasics.ops.dropout import Dropout as DropoutOp


def test_inverted_dropout_values_and_mean():
    x = np.ones((200, 500), np.float32)
    y = layers.Dropout(0.5, seed=1)(x, training=True).numpy()
    assert set(np.unique(y).tolist()) == {0.0, 2.0}
    assert abs(y.mean() - 1.0) < 0.02  # expectation preserved
    assert abs((y == 0).mean() - 0.5) < 0.01


def test_identity_at_inference():
    x = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    layer = layers.Dropout(0.7)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)


def test_noise_shape_shares_the_mask():
    x = np.ones((3, 4, 5), np.float32)
    y = layers.Dropout(0.5, noise_shape=(None, 1, 5), seed=0)(x, training=True).numpy()
    assert np.all(y == y[:, :1, :])


def test_gradient_is_the_mask():
    rng = np.random.default_rng(3)
    gradcheck(lambda x: DropoutOp(0.4, np.random.default_rng(7))(x), [rng.standard_normal((4, 6))])


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, "half", None])
def test_bad_rate(rate):
    with pytest.raises(ValueError, match="rate"):
        layers.Dropout(rate)


def test_seeded_dropout_repeats():
    x = np.ones((8, 8), np.float32)
    a = layers.Dropout(0.5, seed=5)(x, training=True).numpy()
    b = layers.Dropout(0.5, seed=5)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)
    assert Tensor(x).data is not None
