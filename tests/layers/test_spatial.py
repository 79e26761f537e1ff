import numpy as np
import pytest

from deepbasics.autodiff import Tensor, gradcheck
from deepbasics.layers import spatial as S


def test_upsampling2d_repeats_rows_and_columns():
    x = np.arange(4, dtype=np.float32).reshape(1, 2, 2, 1)
    y = S.UpSampling2D((2, 3))(x).numpy()
    assert y.shape == (1, 4, 6, 1) == S.UpSampling2D((2, 3)).compute_output_shape((1, 2, 2, 1))
    np.testing.assert_array_equal(y[0, :, :, 0], np.kron(x[0, :, :, 0], np.ones((2, 3))))
    with pytest.raises(ValueError, match="nearest"):
        S.UpSampling2D(interpolation="bilinear")


def test_upsampling2d_gradient_sums_each_block():
    x = Tensor(np.zeros((1, 2, 2, 1), np.float32), requires_grad=True)
    S.UpSampling2D()(x).backward(np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1))
    assert x.grad.ravel().tolist() == [0 + 1 + 4 + 5, 2 + 3 + 6 + 7, 8 + 9 + 12 + 13, 10 + 11 + 14 + 15]


@pytest.mark.parametrize("padding,expected", [(1, ((1, 1), (1, 1))), ((2, 0), ((2, 2), (0, 0))),
                                              (((1, 2), (3, 0)), ((1, 2), (3, 0)))])
def test_zero_padding2d(padding, expected):
    layer = S.ZeroPadding2D(padding)
    assert layer.padding == expected
    x = np.ones((2, 3, 4, 2), np.float32)
    y = layer(x).numpy()
    np.testing.assert_array_equal(y, np.pad(x, [(0, 0), expected[0], expected[1], (0, 0)]))
    assert y.shape == layer.compute_output_shape(x.shape)
    x64 = np.random.default_rng(0).standard_normal((1, 2, 3, 1))
    gradcheck(lambda t: S.ZeroPadding2D(padding, dtype="float64")(t), [x64])


def test_cropping2d():
    x = np.arange(2 * 5 * 6 * 1, dtype=np.float32).reshape(2, 5, 6, 1)
    layer = S.Cropping2D(((1, 2), (0, 3)))
    y = layer(x).numpy()
    np.testing.assert_array_equal(y, x[:, 1:3, 0:3])
    assert y.shape == layer.compute_output_shape(x.shape) == (2, 2, 3, 1)
    gradcheck(lambda t: S.Cropping2D(1, dtype="float64")(t), [np.random.default_rng(1).standard_normal((1, 4, 4, 2))])
    with pytest.raises(ValueError, match="removes every row"):
        S.Cropping2D(3)(x)


def test_spatial_dropout2d_drops_whole_feature_maps():
    layer = S.SpatialDropout2D(0.5, seed=0)
    x = np.ones((8, 5, 5, 16), np.float32)
    y = layer(x, training=True).numpy()
    per_map = y.reshape(8, 25, 16)
    assert np.all(per_map.min(axis=1) == per_map.max(axis=1))  # one draw per (sample, channel)
    assert set(np.unique(y).tolist()) == {0.0, 2.0}  # inverted dropout
    np.testing.assert_array_equal(layer(x).numpy(), x)  # identity at inference
    one_d = S.SpatialDropout1D(0.5, seed=0)(np.ones((4, 7, 8), np.float32), training=True).numpy()
    assert np.all(one_d.min(axis=1) == one_d.max(axis=1))
    with pytest.raises(ValueError, match=r"expected ndim=4"):
        layer(np.ones((2, 3), np.float32), training=True)


def test_config_round_trips():
    for layer in [S.UpSampling2D((2, 3)), S.ZeroPadding2D(((1, 2), (3, 4))), S.Cropping2D(2),
                  S.SpatialDropout2D(0.3, seed=1), S.SpatialDropout1D(0.2)]:
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config
    assert "noise_shape" not in S.SpatialDropout2D(0.3).get_config()
