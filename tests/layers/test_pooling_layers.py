import numpy as np
import pytest

from deepbasics.autodiff import Tensor
from deepbasics.layers import Input
from deepbasics.layers import pooling as P
from deepbasics.models import Sequential


def keras_pool_length(n, k, padding, s):
    """Keras's compute_pooling_output_shape, written out."""
    return (n - k) // s + 1 if padding == "valid" else (n - 1) // s + 1


@pytest.mark.parametrize("cls", [P.MaxPooling2D, P.AveragePooling2D])
@pytest.mark.parametrize("pool,strides,padding", [((2, 2), None, "valid"), ((2, 2), None, "same"), ((3, 3), 2, "valid"),
                                                  ((3, 2), (1, 2), "same"), (2, 3, "valid")])
@pytest.mark.parametrize("size", [(26, 26), (11, 11), (7, 12)])
def test_pool2d_output_shape_follows_keras(cls, pool, strides, padding, size):
    layer = cls(pool, strides, padding)
    k = layer.pool_size
    s = k if strides is None else layer.strides
    expected = tuple(keras_pool_length(n, kk, padding, ss) for n, kk, ss in zip(size, k, s))
    assert layer.compute_output_shape((None, *size, 5)) == (None, *expected, 5)
    assert layer(np.zeros((2, *size, 5), np.float32)).shape == (2, *expected, 5)


def test_maxpooling2d_defaults_like_keras():
    layer = P.MaxPooling2D()
    assert layer.pool_size == (2, 2) and layer.strides == (2, 2) and layer.padding == "valid"
    assert layer.compute_output_shape((None, 26, 26, 32)) == (None, 13, 13, 32)
    assert layer.count_params() == 0 and layer.weights == []
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    assert layer(x).numpy().ravel().tolist() == [5, 7, 13, 15]
    assert P.AveragePooling2D()(x).numpy().ravel().tolist() == [2.5, 4.5, 10.5, 12.5]


def test_maxpooling2d_gradient_goes_to_first_maximum_through_the_layer():
    x = Tensor(np.ones((1, 2, 2, 1), np.float32), requires_grad=True)
    P.MaxPooling2D()(x).backward(np.full((1, 1, 1, 1), 3.0, np.float32))
    assert x.grad.ravel().tolist() == [3, 0, 0, 0]


def test_pool1d_layers():
    x = np.arange(10, dtype=np.float32).reshape(1, 5, 2)
    assert P.MaxPooling1D()(x).numpy().tolist() == [[[2, 3], [6, 7]]]
    assert P.AveragePooling1D(pool_size=2, strides=1, padding="same")(x).shape == (1, 5, 2)
    assert P.MaxPooling1D(3, padding="same").compute_output_shape((None, 10, 4)) == (None, 4, 4)


@pytest.mark.parametrize("cls,reduce,rank", [(P.GlobalAveragePooling2D, np.mean, 2), (P.GlobalMaxPooling2D, np.max, 2),
                                             (P.GlobalAveragePooling1D, np.mean, 1), (P.GlobalMaxPooling1D, np.max, 1)])
def test_global_pooling(cls, reduce, rank):
    shape = (3, 4, 5, 6)[: rank + 1] + (6,)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    axes = tuple(range(1, rank + 1))
    np.testing.assert_allclose(cls()(x).numpy(), reduce(x, axis=axes), rtol=1e-6)
    assert cls().compute_output_shape((None,) + shape[1:]) == (None, 6)
    kept = cls(keepdims=True)
    assert kept(x).shape == kept.compute_output_shape(shape) == (3,) + (1,) * rank + (6,)


def test_config_round_trips_and_aliases():
    for layer in [P.MaxPooling2D((3, 3), strides=2, padding="same", name="p"), P.AveragePooling2D(),
                  P.MaxPooling1D(4), P.AveragePooling1D(2, 1, "same"), P.GlobalMaxPooling2D(keepdims=True),
                  P.GlobalAveragePooling1D()]:
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config
    assert P.MaxPooling2D().get_config()["strides"] == (2, 2)
    assert P.MaxPool2D is P.MaxPooling2D and P.AvgPool2D is P.AveragePooling2D
    assert P.GlobalAvgPool2D is P.GlobalAveragePooling2D and P.MaxPool1D is P.MaxPooling1D


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match=r"expected ndim=4.*x\.reshape\(-1, 28, 28, 1\)"):
        P.MaxPooling2D()(np.zeros((2, 784), np.float32))
    with pytest.raises(ValueError, match=r"pool_size \(2, 2\) is larger than the input's spatial size \(1, 1\)"):
        Sequential([Input((1, 1, 3)), P.MaxPooling2D()])
    with pytest.raises(ValueError, match="padding"):
        P.MaxPooling2D(padding="causal")
    with pytest.raises(ValueError, match="pool_size"):
        P.MaxPooling2D(0)
    with pytest.raises(ValueError, match="channels_last"):
        P.AveragePooling2D(data_format="channels_first")
    with pytest.raises(ValueError, match=r"expected ndim=4"):
        P.GlobalAveragePooling2D()(np.zeros((2, 5, 3), np.float32))
