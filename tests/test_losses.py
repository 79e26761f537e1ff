"""Cross-entropy and MSE loss classes: Keras's values (clipping, from_logits, the fused softmax
path of its TensorFlow backend), reductions, sample weights, label smoothing, the registry."""
import warnings

import numpy as np
import pytest

from deepbasics import activations, losses
from deepbasics.autodiff import Tensor, gradcheck

EPS = 1e-7
rng = np.random.default_rng(0)
Z = rng.normal(size=(6, 4)).astype(np.float32)
LABELS = np.array([0, 3, 1, 1, 2, 0])
Y = np.eye(4, dtype=np.float32)[LABELS]
W = np.array([1.0, 0.0, 2.0, 0.5, 1.5, 1.0], np.float32)


def softmax_ref(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def cce_ref(y, p):
    """Keras's from-probabilities formula: renormalise, clip to [eps, 1 - eps], -sum y log p."""
    p = p / p.sum(-1, keepdims=True)
    return -(y * np.log(np.clip(p, EPS, 1 - EPS))).sum(-1)


def bce_ref(y, p):
    p = np.clip(p, EPS, 1 - EPS)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(-1)


def f32(a):
    return Tensor(np.asarray(a, np.float32))


# -- the two reference values from Keras ---------------------------------------------------

def test_zero_true_class_probability_is_clipped_like_keras():
    loss = losses.CategoricalCrossentropy()(np.array([[1.0, 0.0, 0.0]]), f32([[0.0, 0.5, 0.5]]))
    np.testing.assert_allclose(loss.numpy(), 16.118095, rtol=1e-6)
    np.testing.assert_allclose(loss.numpy(), -np.log(1e-7), rtol=1e-6)


def test_from_logits_matches_the_keras_value():
    loss = losses.CategoricalCrossentropy(from_logits=True)(np.array([[0.0, 1.0, 0.0]]), f32([[1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(loss.numpy(), 1.40760596, rtol=1e-6)


# -- the fused path ------------------------------------------------------------------------

def test_softmax_output_carries_its_logits():
    z = Tensor(Z, requires_grad=True)
    p = activations.softmax(z)
    assert p._keras_logits is z
    assert activations.softmax(z, axis=0)._keras_logits is None  # only the class axis is fused
    assert activations.sigmoid(z)._keras_logits is z


def test_fused_path_equals_the_clipped_formula_where_nothing_is_clipped():
    z = Tensor(Z, requires_grad=True)
    p = activations.softmax(z)
    fused = losses.CategoricalCrossentropy()(Y, p)
    plain = losses.CategoricalCrossentropy()(Y, Tensor(p.numpy()))  # bare probabilities: the clipped formula
    np.testing.assert_allclose(fused.numpy(), plain.numpy(), rtol=1e-6)
    np.testing.assert_allclose(fused.numpy(), cce_ref(Y, softmax_ref(Z)).mean(), rtol=1e-5)
    fused.backward()
    np.testing.assert_allclose(z.grad, (softmax_ref(Z) - Y) / len(Y), rtol=1e-5, atol=1e-7)


def test_fused_path_survives_saturation_where_clipping_does_not():
    z = Tensor(np.array([[0.0, 40.0]], np.float32), requires_grad=True)
    p = activations.softmax(z)  # p[0] = e^-40 < 1e-7: the clipped formula would stop at 16.1
    loss = losses.CategoricalCrossentropy()(np.array([[1.0, 0.0]]), p)
    np.testing.assert_allclose(loss.numpy(), 40.0, rtol=1e-6)
    loss.backward()
    np.testing.assert_allclose(z.grad, [[-1.0, 1.0]], atol=1e-6)


def test_from_logits_on_a_softmax_output_warns_and_uses_the_logits():
    z = Tensor(Z)
    p = activations.softmax(z)
    with pytest.warns(UserWarning, match="received `from_logits=True`, but the `output` argument was produced by a Softmax"):
        loss = losses.CategoricalCrossentropy(from_logits=True)(Y, p)
    # Keras's TensorFlow backend then computes from the cached logits, not softmax(softmax(z))
    np.testing.assert_allclose(loss.numpy(), cce_ref(Y, softmax_ref(Z)).mean(), rtol=1e-5)


def test_from_logits_on_a_softmax_output_warns_for_sparse_and_binary_too():
    p = activations.softmax(Tensor(Z))
    with pytest.warns(UserWarning, match="`sparse_categorical_crossentropy` received `from_logits=True`"):
        sparse = losses.SparseCategoricalCrossentropy(from_logits=True)(LABELS, p)
    np.testing.assert_allclose(sparse.numpy(), cce_ref(Y, softmax_ref(Z)).mean(), rtol=1e-5)
    s = activations.sigmoid(Tensor(Z))
    y01 = (Z > 0.3).astype(np.float32)
    with pytest.warns(UserWarning, match="`binary_crossentropy` received `from_logits=True`.*Sigmoid"):
        binary = losses.BinaryCrossentropy(from_logits=True)(y01, s)
    np.testing.assert_allclose(binary.numpy(), bce_ref(y01, 1 / (1 + np.exp(-Z.astype(float)))).mean(), rtol=1e-5)


def test_from_logits_on_a_raw_softmax_op_output_treats_it_as_logits():
    # ops.softmax (not activations.softmax) caches no logits: from_logits=True means what it says,
    # and the Softmax node that made the tensor must not be mistaken for the loss's own
    from deepbasics import ops

    z = Tensor(Z, requires_grad=True)
    p = ops.softmax(z)
    loss = losses.CategoricalCrossentropy(from_logits=True)(Y, p)
    np.testing.assert_allclose(loss.numpy(), cce_ref(Y, softmax_ref(softmax_ref(Z))).mean(), rtol=1e-5)
    gradcheck(lambda t: losses.CategoricalCrossentropy(from_logits=True)(Y, ops.softmax(t)), [Z])


def test_plain_logits_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        losses.CategoricalCrossentropy(from_logits=True)(Y, Tensor(Z))
        losses.SparseCategoricalCrossentropy(from_logits=True)(LABELS, Tensor(Z))
        losses.BinaryCrossentropy(from_logits=True)(Y, Tensor(Z))


# -- values --------------------------------------------------------------------------------

def test_categorical_from_probabilities():
    p = rng.uniform(0.01, 1.0, Z.shape).astype(np.float32)
    loss = losses.CategoricalCrossentropy()(Y, Tensor(p))
    np.testing.assert_allclose(loss.numpy(), cce_ref(Y, p.astype(float)).mean(), rtol=1e-5)


@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_equals_one_hot(from_logits):
    x = Tensor(Z) if from_logits else Tensor(softmax_ref(Z))
    sparse = losses.SparseCategoricalCrossentropy(from_logits=from_logits)(LABELS, x)
    onehot = losses.CategoricalCrossentropy(from_logits=from_logits)(Y, x)
    column = losses.SparseCategoricalCrossentropy(from_logits=from_logits)(LABELS[:, None], x)  # (n, 1) labels
    np.testing.assert_allclose(sparse.numpy(), onehot.numpy(), rtol=1e-6)
    np.testing.assert_allclose(column.numpy(), onehot.numpy(), rtol=1e-6)


def test_binary_from_probabilities_and_from_logits():
    y = (rng.uniform(size=(6, 3)) > 0.5).astype(np.float32)
    z = rng.normal(size=(6, 3)).astype(np.float32)
    p = 1 / (1 + np.exp(-z.astype(float)))
    np.testing.assert_allclose(losses.BinaryCrossentropy()(y, Tensor(p.astype(np.float32))).numpy(),
                               bce_ref(y, p).mean(), rtol=1e-5)
    np.testing.assert_allclose(losses.BinaryCrossentropy(from_logits=True)(y, Tensor(z)).numpy(),
                               bce_ref(y, p).mean(), rtol=1e-5)
    # a sigmoid output uses its logits: the same value
    np.testing.assert_allclose(losses.BinaryCrossentropy()(y, activations.sigmoid(Tensor(z))).numpy(),
                               bce_ref(y, p).mean(), rtol=1e-5)


def test_binary_clips_like_keras():
    loss = losses.BinaryCrossentropy()(np.array([[1.0]]), f32([[0.0]]))
    np.testing.assert_allclose(loss.numpy(), -np.log(1e-7), rtol=1e-6)


def test_binary_accepts_flat_labels_for_one_output_unit():
    p = rng.uniform(0.1, 0.9, (6, 1)).astype(np.float32)
    y = np.array([0, 1, 1, 0, 1, 0])
    np.testing.assert_allclose(losses.BinaryCrossentropy()(y, Tensor(p)).numpy(),
                               bce_ref(y[:, None], p.astype(float)).mean(), rtol=1e-5)


def test_mean_squared_error():
    p = rng.normal(size=(6, 3)).astype(np.float32)
    y = rng.normal(size=(6, 3)).astype(np.float32)
    expected = np.mean([np.mean([(y[i, j] - p[i, j]) ** 2 for j in range(3)]) for i in range(6)])
    np.testing.assert_allclose(losses.MeanSquaredError()(y, Tensor(p)).numpy(), expected, rtol=1e-5)
    assert losses.MeanSquaredError()(y, Tensor(p)).dtype == np.float32


# -- reductions, weights, smoothing --------------------------------------------------------

CLASSES = {
    "categorical": (lambda **kw: losses.CategoricalCrossentropy(from_logits=True, **kw), Y,
                    lambda: cce_ref(Y, softmax_ref(Z))),
    "sparse": (lambda **kw: losses.SparseCategoricalCrossentropy(from_logits=True, **kw), LABELS,
               lambda: cce_ref(Y, softmax_ref(Z))),
    "binary": (lambda **kw: losses.BinaryCrossentropy(from_logits=True, **kw), (Z > 0).astype(np.float32),
               lambda: bce_ref((Z > 0).astype(float), 1 / (1 + np.exp(-Z.astype(float))))),
    "mse": (lambda **kw: losses.MeanSquaredError(**kw), Y, lambda: ((Y - Z.astype(float)) ** 2).mean(-1)),
}


@pytest.mark.parametrize("reduction", ["none", "sum", "sum_over_batch_size"])
@pytest.mark.parametrize("name", sorted(CLASSES))
def test_reductions_and_sample_weights(name, reduction):
    make, y, per = CLASSES[name]
    loss = make(reduction=reduction)
    per = per()
    for w in (None, W):
        weighted = per if w is None else per * w
        expected = {"none": weighted, "sum": weighted.sum(), "sum_over_batch_size": weighted.sum() / len(per)}[reduction]
        got = loss(y, Tensor(Z), sample_weight=w).numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_gradients_with_weights(name):
    make, y, _ = CLASSES[name]
    gradcheck(lambda t: make()(y, t, sample_weight=W.astype(np.float64)), [Z])


def test_zero_weights_give_zero_loss_and_gradient():
    z = Tensor(Z, requires_grad=True)
    loss = losses.CategoricalCrossentropy(from_logits=True)(Y, z, sample_weight=np.zeros(6))
    loss.backward()
    assert loss.numpy() == 0.0 and not np.any(z.grad)


@pytest.mark.parametrize("ls", [0.1, 0.3])
def test_categorical_label_smoothing(ls):
    smoothed = Y * (1 - ls) + ls / 4
    loss = losses.CategoricalCrossentropy(from_logits=True, label_smoothing=ls)(Y, Tensor(Z))
    np.testing.assert_allclose(loss.numpy(), cce_ref(smoothed, softmax_ref(Z)).mean(), rtol=1e-5)
    p = rng.uniform(0.05, 1.0, Z.shape)
    loss = losses.CategoricalCrossentropy(label_smoothing=ls)(Y, Tensor(p.astype(np.float32)))
    np.testing.assert_allclose(loss.numpy(), cce_ref(smoothed, p).mean(), rtol=1e-5)


def test_binary_label_smoothing():
    y = (Z > 0).astype(np.float32)
    p = 1 / (1 + np.exp(-Z.astype(float)))
    loss = losses.BinaryCrossentropy(label_smoothing=0.2)(y, Tensor(p.astype(np.float32)))
    np.testing.assert_allclose(loss.numpy(), bce_ref(y * 0.8 + 0.1, p).mean(), rtol=1e-5)


@pytest.mark.parametrize("cls", [losses.CategoricalCrossentropy, losses.BinaryCrossentropy])
def test_label_smoothing_out_of_range_is_rejected(cls):
    with pytest.raises(ValueError, match="label_smoothing"):
        cls(label_smoothing=1.5)


def test_unsupported_arguments_are_rejected():
    with pytest.raises(ValueError, match="axis"):
        losses.CategoricalCrossentropy(axis=0)
    with pytest.raises(ValueError, match="ignore_class"):
        losses.SparseCategoricalCrossentropy(ignore_class=0)


def test_invalid_reduction_is_rejected():
    with pytest.raises(ValueError, match="Invalid reduction"):
        losses.CategoricalCrossentropy(reduction="avg")(Y, Tensor(Z))


# -- registry and function forms -------------------------------------------------------------

@pytest.mark.parametrize("name,cls", [
    ("categorical_crossentropy", losses.CategoricalCrossentropy),
    ("CategoricalCrossentropy", losses.CategoricalCrossentropy),
    ("sparse_categorical_crossentropy", losses.SparseCategoricalCrossentropy),
    ("binary_crossentropy", losses.BinaryCrossentropy),
    ("mse", losses.MeanSquaredError),
    ("mean_squared_error", losses.MeanSquaredError),
])
def test_get_by_name(name, cls):
    assert type(losses.get(name)) is cls


def test_get_passes_instances_and_functions():
    loss = losses.BinaryCrossentropy()
    assert losses.get(loss) is loss
    assert losses.get(None) is None
    assert type(losses.get(losses.categorical_crossentropy)) is losses.CategoricalCrossentropy
    assert type(losses.get({"class_name": "BinaryCrossentropy", "config": {"from_logits": True}})) is losses.BinaryCrossentropy


def test_unknown_loss_lists_the_names():
    with pytest.raises(ValueError, match=r"Unknown loss 'categorical_crossentopy'. Expected one of .*'categorical_crossentropy'"):
        losses.get("categorical_crossentopy")


def test_function_forms_return_per_sample_values():
    per = losses.categorical_crossentropy(Y, Tensor(Z), from_logits=True).numpy()
    np.testing.assert_allclose(per, cce_ref(Y, softmax_ref(Z)), rtol=1e-5)
    per = losses.mean_squared_error(Y, Tensor(Z)).numpy()
    assert per.shape == (6,)


@pytest.mark.parametrize("cls", losses._CLASSES, ids=lambda c: c.__name__)
def test_config_round_trip(cls):
    obj = cls(reduction="sum")
    clone = cls.from_config(obj.get_config())
    assert type(clone) is cls and clone.get_config() == obj.get_config()


def test_config_keeps_the_arguments():
    cfg = losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1).get_config()
    assert cfg["from_logits"] is True and cfg["label_smoothing"] == 0.1
    assert cfg["name"] == "categorical_crossentropy" and cfg["reduction"] == "sum_over_batch_size"


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_column_sample_weights_act_like_flat_ones(name):
    # Keras squeezes (n, 1) weights to the (n,) per-sample losses; broadcasting them to (n, n)
    # would silently weight every sample by every weight
    make, y, _ = CLASSES[name]
    for reduction in ("none", "sum", "sum_over_batch_size"):
        flat = make(reduction=reduction)(y, Tensor(Z), sample_weight=W).numpy()
        column = make(reduction=reduction)(y, Tensor(Z), sample_weight=W[:, None]).numpy()
        np.testing.assert_allclose(column, flat, rtol=1e-6)


def test_column_sample_weights_for_one_output_unit_and_a_wrapped_function():
    p = rng.uniform(0.1, 0.9, (6, 1)).astype(np.float32)
    y = (rng.uniform(size=(6, 1)) > 0.5).astype(np.float32)
    flat = losses.BinaryCrossentropy(reduction="sum")(y, Tensor(p), sample_weight=W).numpy()
    column = losses.BinaryCrossentropy(reduction="sum")(y, Tensor(p), sample_weight=W[:, None]).numpy()
    np.testing.assert_allclose(column, flat, rtol=1e-6)
    np.testing.assert_allclose(flat, (bce_ref(y, p.astype(float)) * W).sum(), rtol=1e-5)
    wrapped = losses.LossFunctionWrapper(lambda yt, yp: ((yp - yt) ** 2).mean(axis=-1), reduction="sum")
    np.testing.assert_allclose(wrapped(Y, Tensor(Z), sample_weight=W[:, None]).numpy(),
                               (((Z - Y) ** 2).mean(-1) * W).sum(), rtol=1e-5)
