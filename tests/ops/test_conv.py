import itertools

import numpy as np
import pytest

from deepbasics.autodiff import Tensor, gradcheck
from deepbasics.ops import conv as C


# -- an independent reference: the textbook definition, one output value at a time ------------
def keras_length(n, k, padding, s, d):
    """Keras's conv output length, written out: floor((n - d(k-1) - 1) / s) + 1 or ceil(n / s)."""
    if padding == "valid":
        return (n - d * (k - 1) - 1) // s + 1
    return -(-n // s)


def tf_same_pads(n, k, s, d):
    total = max((keras_length(n, k, "same", s, d) - 1) * s + d * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def reference_conv2d(x, w, b, strides, padding, dilation):
    n, h, wd, c = x.shape
    kh, kw, _, f = w.shape
    (sh, sw), (dh, dw) = strides, dilation
    pads = [tf_same_pads(h, kh, sh, dh), tf_same_pads(wd, kw, sw, dw)] if padding == "same" else [(0, 0)] * 2
    xp = np.pad(x, [(0, 0), pads[0], pads[1], (0, 0)])
    oh, ow = keras_length(h, kh, padding, sh, dh), keras_length(wd, kw, padding, sw, dw)
    y = np.zeros((n, oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            for u in range(kh):
                for v in range(kw):
                    y[:, i, j, :] += xp[:, i * sh + u * dh, j * sw + v * dw, :] @ w[u, v]
    return y + b


COMBOS = list(itertools.product(["valid", "same"], [(1, 1), (2, 1), (2, 3)], [(1, 1), (2, 1), (1, 3)]))


@pytest.mark.parametrize("padding,strides,dilation", COMBOS)
@pytest.mark.parametrize("channels", [1, 9])  # both im2col paths: per offset (few channels), window view
def test_conv2d_forward_matches_direct_loops(padding, strides, dilation, channels, monkeypatch):
    monkeypatch.setattr(C, "SMALL", 0)  # these tiny inputs would otherwise all take the window view
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 9, 8, channels))
    w, b = rng.standard_normal((3, 2, channels, 4)), rng.standard_normal(4)
    y = C.conv2d(Tensor(x), Tensor(w), Tensor(b), strides, padding, dilation).data
    np.testing.assert_allclose(y, reference_conv2d(x, w, b, strides, padding, dilation), rtol=1e-12, atol=1e-12)


def test_conv2d_float32_forward_and_inputs_unchanged():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 7, 7, 5)).astype(np.float32)
    w, b = rng.standard_normal((3, 3, 5, 6)).astype(np.float32), rng.standard_normal(6).astype(np.float32)
    copies = [a.copy() for a in (x, w, b)]
    y = C.conv2d(Tensor(x), Tensor(w), Tensor(b), padding="same", activation="relu").data
    assert y.dtype == np.float32
    reference = np.maximum(reference_conv2d(x.astype(np.float64), w, b, (1, 1), "same", (1, 1)), 0)
    np.testing.assert_allclose(y, reference, rtol=1e-4, atol=5e-6 * np.sqrt(45))
    for a, copy in zip((x, w, b), copies):
        np.testing.assert_array_equal(a, copy)


@pytest.mark.parametrize("n", range(1, 12))
@pytest.mark.parametrize("k,s,d", [(1, 1, 1), (2, 1, 1), (3, 1, 1), (3, 2, 1), (4, 3, 1), (3, 1, 2), (2, 2, 3)])
def test_output_length_and_padding_follow_keras_and_tensorflow(n, k, s, d):
    for padding in ("valid", "same"):
        expected = keras_length(n, k, padding, s, d)
        assert C.conv_output_length(n, k, padding, s, d) == expected
    assert C.pad_amounts(n, k, "same", s, d) == tf_same_pads(n, k, s, d)
    assert C.pad_amounts(n, k, "causal", s, d) == ((k - 1) * d, 0)
    assert C.conv_output_length(None, k, "valid", s, d) is None


@pytest.mark.parametrize("padding,strides,dilation", [("valid", (1, 1), (1, 1)), ("same", (2, 1), (1, 1)),
                                                      ("same", (1, 1), (2, 2)), ("valid", (2, 3), (1, 2))])
def test_conv2d_gradients_elementwise(padding, strides, dilation):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 6, 7, 2))
    w, b = rng.standard_normal((3, 2, 2, 3)), rng.standard_normal(3)
    gradcheck(lambda x, w, b: C.conv2d(x, w, b, strides, padding, dilation), [x, w, b])


@pytest.mark.parametrize("activation", ["relu", "tanh", None])
def test_conv2d_fused_activation_gradients_directional(activation):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 10, 9, 8))
    w, b = 0.3 * rng.standard_normal((3, 3, 8, 5)), rng.standard_normal(5)
    z = C.conv2d(Tensor(x), Tensor(w), Tensor(b), padding="same").data
    assert np.abs(z).min() > 1e-4  # relu's kink is out of reach of the finite differences
    gradcheck(lambda x, w, b: C.conv2d(x, w, b, padding="same", activation=activation), [x, w, b], directions=4)


def test_first_layer_skips_the_input_gradient(monkeypatch):
    rng = np.random.default_rng(4)
    x = Tensor(rng.standard_normal((2, 5, 5, 1)))  # the images: no gradient wanted
    w = Tensor(rng.standard_normal((3, 3, 1, 2)), requires_grad=True)
    y = C.conv2d(x, w)

    def fail(*args):
        raise AssertionError("col2im ran for an input that needs no gradient")

    monkeypatch.setattr(C, "col2im", fail)
    y.backward(np.ones(y.shape))
    assert x.grad is None and w.grad.shape == (3, 3, 1, 2)


def test_conv2d_without_bias():
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((2, 5, 4, 3)), rng.standard_normal((2, 2, 3, 2))
    y = C.conv2d(Tensor(x), Tensor(w)).data
    np.testing.assert_allclose(y, reference_conv2d(x, w, 0.0, (1, 1), "valid", (1, 1)), atol=1e-12)
    gradcheck(lambda x, w: C.conv2d(x, w), [x, w])


@pytest.mark.parametrize("padding,stride,dilation",
                         [("valid", 1, 1), ("same", 2, 1), ("causal", 1, 2), ("valid", 3, 1)])
def test_conv1d_matches_conv2d_on_a_single_row(padding, stride, dilation):
    rng = np.random.default_rng(6)
    x, w, b = rng.standard_normal((2, 11, 3)), rng.standard_normal((3, 3, 4)), rng.standard_normal(4)
    y = C.conv1d(Tensor(x), Tensor(w), Tensor(b), stride, padding, dilation).data
    if padding == "causal":  # zeros before the sequence only: a 'valid' conv of the left-padded input
        xp = np.pad(x, [(0, 0), (2 * dilation, 0), (0, 0)])
        expected = reference_conv2d(xp[:, None], w[None], b, (1, stride), "valid", (1, dilation))[:, 0]
    else:
        expected = reference_conv2d(x[:, None], w[None], b, (1, stride), padding, (1, dilation))[:, 0]
    np.testing.assert_allclose(y, expected, atol=1e-12)
    gradcheck(lambda x, w, b: C.conv1d(x, w, b, stride, padding, dilation), [x, w, b])


def test_kernel_larger_than_input_names_the_sizes():
    x, w = Tensor(np.zeros((1, 3, 3, 1))), Tensor(np.zeros((5, 5, 1, 1)))
    with pytest.raises(ValueError, match=r"\(5, 5\).*larger than the input's spatial size \(3, 3\)"):
        C.conv2d(x, w)
    with pytest.raises(ValueError, match=r"dilated to \(5, 5\)"):
        C.conv2d(x, Tensor(np.zeros((3, 3, 1, 1))), dilation_rate=2)
    assert C.conv2d(x, w, padding="same").shape == (1, 3, 3, 1)


# -- the transposed convolution: the adjoint of conv ---------------------------------------------
@pytest.mark.parametrize("padding,strides,dilation,output_padding", [
    ("valid", (1, 1), (1, 1), None), ("same", (2, 2), (1, 1), None), ("valid", (3, 2), (1, 1), None),
    ("same", (1, 1), (2, 1), None), ("valid", (2, 2), (1, 1), (1, 0)), ("same", (3, 2), (1, 1), (1, 1))])
def test_conv_transpose_is_the_adjoint_of_conv(padding, strides, dilation, output_padding):
    rng = np.random.default_rng(7)
    x, k = rng.standard_normal((2, 4, 3, 3)), rng.standard_normal((3, 3, 5, 3))
    yt = C.conv_transpose(Tensor(x), Tensor(k), None, strides, padding, dilation, output_padding).data
    lengths = [C.transpose_output_length(n, kk, padding, s, d, p) for n, kk, s, d, p in
               zip((4, 3), (3, 3), strides, dilation, output_padding or (None, None))]
    assert yt.shape == (2, *lengths, 5)
    u = rng.standard_normal(yt.shape)
    cu = C.conv2d(Tensor(u), Tensor(k), None, strides, padding, dilation).data  # maps y-space back to x-space
    np.testing.assert_allclose(np.sum(cu * x), np.sum(u * yt), rtol=1e-12)
    b = rng.standard_normal(5)
    gradcheck(lambda x, k, b: C.conv_transpose(x, k, b, strides, padding, dilation, output_padding, "tanh"),
              [x, k, b], directions=3)


def test_transpose_output_length_is_keras_deconv_output_length():
    assert C.transpose_output_length(7, 3, "valid", 2) == 15
    assert C.transpose_output_length(7, 3, "same", 2) == 14
    assert C.transpose_output_length(7, 2, "valid", 3) == 21
    assert C.transpose_output_length(7, 3, "same", 2, output_padding=1) == 14
    assert C.transpose_output_length(7, 3, "valid", 2, dilation=2) == 7 * 2 + 3


def test_zero_pad_and_its_gradient():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 3, 4, 2))
    y = C.ZeroPad([(1, 2), (0, 1)])(Tensor(x)).data
    np.testing.assert_array_equal(y, np.pad(x, [(0, 0), (1, 2), (0, 1), (0, 0)]))
    gradcheck(lambda x: C.ZeroPad([(1, 2), (0, 1)])(x), [x])
