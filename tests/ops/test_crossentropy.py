"""The fused loss ops: values against NumPy from the textbook (Keras's clipping at 1e-7),
gradient checks through every reduction and with sample weights, the fused softmax path."""
import numpy as np
import pytest

from deepbasics import ops
from deepbasics.autodiff import Tensor, gradcheck
from deepbasics.ops import crossentropy as ce
from deepbasics.ops.activation import Softmax

EPS = 1e-7
rng = np.random.default_rng(0)
Z = rng.normal(size=(5, 4))  # logits
LABELS = np.array([0, 3, 1, 1, 2])
Y = np.eye(4)[LABELS]
P = rng.uniform(0.05, 1.0, (5, 4))  # unnormalised probabilities: the op renormalises
W = np.array([1.0, 0.0, 2.0, 0.5, 1.5])
REDUCTIONS = ["sum_over_batch_size", "sum", "none", "mean"]


def log_softmax_ref(z):
    return z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))


def reduce_ref(per, reduction, w=None):
    per = per if w is None else per * w
    if reduction == "none":
        return per
    return per.sum() if reduction == "sum" else per.sum() / per.size


PER_SAMPLE = {
    "softmax_ce": (ops.softmax_cross_entropy, Z, Y, lambda z, y: -(y * log_softmax_ref(z)).sum(-1)),
    "sparse_softmax_ce": (ops.sparse_softmax_cross_entropy, Z, LABELS,
                          lambda z, y: -log_softmax_ref(z)[np.arange(len(y)), y]),
    "categorical_ce": (ops.categorical_crossentropy, P, Y,
                       lambda p, y: -(y * np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS))).sum(-1)),
    "sparse_categorical_ce": (ops.sparse_categorical_crossentropy, P, LABELS,
                              lambda p, y: -np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS))[np.arange(len(y)), y]),
    "binary_ce": (ops.binary_crossentropy, P * 0.9, (P > 0.5).astype(float),
                  lambda p, y: -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(-1)),
    "sigmoid_binary_ce": (ops.sigmoid_binary_crossentropy, Z, (P > 0.5).astype(float),
                          lambda z, y: -(y * np.log(1 / (1 + np.exp(-z))) + (1 - y) * np.log(1 - 1 / (1 + np.exp(-z)))).mean(-1)),
    "mse": (ops.mean_squared_error, Z, P, lambda p, y: ((p - y) ** 2).mean(-1)),
}


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(PER_SAMPLE))
def test_forward_float32(name, reduction, weighted):
    fn, x, y, per = PER_SAMPLE[name]
    w = W if weighted else None
    y32 = y.astype(np.float32) if y.dtype.kind == "f" else y
    out = fn(Tensor(x.astype(np.float32)), y32, None if w is None else w.astype(np.float32), reduction).numpy()
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, reduce_ref(per(x, y), reduction, w), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(PER_SAMPLE))
def test_gradients(name, reduction, weighted):
    fn, x, y, _ = PER_SAMPLE[name]
    w = W if weighted else None
    gradcheck(lambda t: fn(t, y, w, reduction), [x])


def test_keras_clipping_of_a_zero_probability():
    out = ops.categorical_crossentropy(Tensor(np.array([[0.0, 0.5, 0.5]], np.float32)), np.array([[1.0, 0, 0]], np.float32))
    np.testing.assert_allclose(out.numpy(), -np.log(1e-7), rtol=1e-6)
    np.testing.assert_allclose(out.numpy(), 16.118095, rtol=1e-6)


def test_clipped_probabilities_get_no_gradient():
    p = Tensor(np.array([[0.0, 0.5, 0.5]]), requires_grad=True)
    ops.categorical_crossentropy(p, np.array([[1.0, 0, 0]])).backward()
    # q_0 = 0 is clipped: dl/dq is 0 there; the other entries only feel the renormalisation,
    # whose gradient is (0 - sum(0 * q)) / sum(p) = 0
    np.testing.assert_array_equal(p.grad, np.zeros((1, 3)))


def test_binary_clipping():
    out = ops.binary_crossentropy(Tensor(np.array([[0.0, 1.0]])), np.array([[1.0, 0.0]]))
    np.testing.assert_allclose(out.numpy(), -np.log(1e-7), rtol=1e-6)


def test_keras_reference_value_from_logits():
    out = ops.softmax_cross_entropy(Tensor(np.array([[1.0, 2.0, 3.0]], np.float32)), np.array([[0.0, 1.0, 0.0]], np.float32))
    np.testing.assert_allclose(out.numpy(), 1.40760596, rtol=1e-6)


def test_sparse_equals_one_hot():
    np.testing.assert_allclose(ops.sparse_softmax_cross_entropy(Tensor(Z), LABELS, reduction="none").numpy(),
                               ops.softmax_cross_entropy(Tensor(Z), Y, reduction="none").numpy(), rtol=1e-12)
    np.testing.assert_allclose(ops.sparse_categorical_crossentropy(Tensor(P), LABELS, reduction="none").numpy(),
                               ops.categorical_crossentropy(Tensor(P), Y, reduction="none").numpy(), rtol=1e-12)


def test_fused_softmax_path_matches_the_unfused_value_and_gradient():
    z1, z2 = Tensor(Z, requires_grad=True), Tensor(Z, requires_grad=True)
    sm = Softmax()
    probs = sm(z1)
    fused = ops.softmax_cross_entropy(z1, Y, W, probs=probs)
    assert isinstance(fused.creator, ce.SoftmaxCrossEntropy) and fused.creator.softmax is sm
    plain = ops.softmax_cross_entropy(z2, Y, W)
    np.testing.assert_allclose(fused.numpy(), plain.numpy(), rtol=1e-12)
    fused.backward()
    plain.backward()
    np.testing.assert_allclose(z1.grad, z2.grad, rtol=1e-12)
    # the textbook gradient: (p - y) w / n
    p = np.exp(log_softmax_ref(Z))
    np.testing.assert_allclose(z1.grad, (p - Y) * W[:, None] / 5, rtol=1e-12)


def test_fused_softmax_path_gradcheck():
    def fn(z):
        return ops.softmax_cross_entropy(z, Y, probs=Softmax()(z))

    gradcheck(fn, [Z])


def test_soft_labels_gradient_with_unnormalised_targets():
    y = rng.uniform(0, 1, Z.shape)  # rows do not sum to 1: dl/dz = p sum(y) - y
    z = Tensor(Z, requires_grad=True)
    ops.softmax_cross_entropy(z, y, reduction="sum").backward()
    p = np.exp(log_softmax_ref(Z))
    np.testing.assert_allclose(z.grad, p * y.sum(-1, keepdims=True) - y, rtol=1e-12)
    gradcheck(lambda t: ops.softmax_cross_entropy(t, y), [Z])


def test_huge_logits_stay_finite():
    z = Tensor(np.array([[1000.0, -1000.0, 0.0]], np.float32), requires_grad=True)
    out = ops.softmax_cross_entropy(z, np.array([[0.0, 1.0, 0.0]], np.float32))
    out.backward()
    np.testing.assert_allclose(out.numpy(), 2000.0)
    assert np.all(np.isfinite(z.grad))
    out = ops.sigmoid_binary_crossentropy(Tensor(np.array([[1000.0, -1000.0]], np.float32)), np.array([[0.0, 1.0]], np.float32))
    np.testing.assert_allclose(out.numpy(), 1000.0)


def test_sequence_shaped_losses_reduce_over_every_position():
    z = rng.normal(size=(2, 3, 4))
    labels = rng.integers(0, 4, (2, 3))
    per = -np.take_along_axis(log_softmax_ref(z), labels[..., None], -1)[..., 0]
    np.testing.assert_allclose(ops.sparse_softmax_cross_entropy(Tensor(z), labels).numpy(), per.mean(), rtol=1e-12)
    gradcheck(lambda t: ops.sparse_softmax_cross_entropy(t, labels), [z])


def test_unknown_reduction_is_rejected():
    with pytest.raises(ValueError, match="Invalid reduction 'avg'"):
        ops.mean_squared_error(Tensor(Z), P, reduction="avg")
