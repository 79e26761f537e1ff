"""Golden 5-step trajectories of the adaptive optimizers against float64 transcriptions of
Keras 3's update rules (written here from ../shared/KERAS_REFERENCE.md, not from our code)."""
import numpy as np
import pytest

from deepbasics import Variable, optimizers

W0 = np.array([1.0, -2.0, 0.5, 3.0])


def grad_of(w):
    """The gradient of f(w) = sum(w^4)/4 + sum(w): nonlinear, so every step differs."""
    return w**3 + 1.0


def run_ours(opt, steps=5):
    v = Variable(W0.astype(np.float32))
    for _ in range(steps):
        opt.apply([grad_of(v.numpy().astype(np.float64)).astype(np.float32)], [v])
    return v.numpy()


def rmsprop_ref(lr=0.001, rho=0.9, momentum=0.0, eps=1e-7, centered=False, steps=5):
    w, v, m, a = W0.copy(), np.zeros(4), np.zeros(4), np.zeros(4)
    for _ in range(steps):
        g = grad_of(w)
        v = rho * v + (1 - rho) * g**2
        denom = v
        if centered:
            a = rho * a + (1 - rho) * g
            denom = v - a**2
        inc = lr * g / np.sqrt(denom + eps)
        if momentum:
            m = momentum * m + inc
            w = w - m
        else:
            w = w - inc
    return w


def adagrad_ref(lr=0.001, init=0.1, eps=1e-7, steps=5):
    w, acc = W0.copy(), np.full(4, init)
    for _ in range(steps):
        g = grad_of(w)
        acc = acc + g**2
        w = w - lr * g / np.sqrt(acc + eps)
    return w


def adadelta_ref(lr=0.001, rho=0.95, eps=1e-7, steps=5):
    w, eg, edx = W0.copy(), np.zeros(4), np.zeros(4)
    for _ in range(steps):
        g = grad_of(w)
        eg = rho * eg + (1 - rho) * g**2
        d = -np.sqrt(edx + eps) * g / np.sqrt(eg + eps)
        edx = rho * edx + (1 - rho) * d**2
        w = w + lr * d
    return w


def adam_ref(lr=0.001, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False, wd=0.0, steps=5):
    w, m, v, vhat = W0.copy(), np.zeros(4), np.zeros(4), np.zeros(4)
    for t in range(1, steps + 1):
        g = grad_of(w)
        w = w - w * wd * lr
        alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        m = m + (g - m) * (1 - b1)
        v = v + (g**2 - v) * (1 - b2)
        if amsgrad:
            vhat = np.maximum(vhat, v)
            w = w - alpha * m / (np.sqrt(vhat) + eps)
        else:
            w = w - alpha * m / (np.sqrt(v) + eps)
    return w


def adamax_ref(lr=0.001, b1=0.9, b2=0.999, eps=1e-7, steps=5):
    w, m, u = W0.copy(), np.zeros(4), np.zeros(4)
    for t in range(1, steps + 1):
        g = grad_of(w)
        m = m + (g - m) * (1 - b1)
        u = np.maximum(b2 * u, np.abs(g))
        w = w - lr * m / ((1 - b1**t) * (u + eps))
    return w


def nadam_ref(lr=0.001, b1=0.9, b2=0.999, eps=1e-7, steps=5):
    w, m, v, prod = W0.copy(), np.zeros(4), np.zeros(4), 1.0
    for t in range(1, steps + 1):
        g = grad_of(w)
        u_t = b1 * (1 - 0.5 * 0.96**t)
        u_t1 = b1 * (1 - 0.5 * 0.96 ** (t + 1))
        prod_t = prod * u_t
        prod_t1 = prod_t * u_t1
        prod = prod_t
        m = m + (g - m) * (1 - b1)
        v = v + (g**2 - v) * (1 - b2)
        m_hat = u_t1 * m / (1 - prod_t1) + (1 - u_t) * g / (1 - prod_t)
        v_hat = v / (1 - b2**t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return w


CASES = [
    ("rmsprop", lambda: optimizers.RMSprop(), rmsprop_ref),
    ("rmsprop momentum", lambda: optimizers.RMSprop(learning_rate=0.01, momentum=0.9),
     lambda: rmsprop_ref(lr=0.01, momentum=0.9)),
    ("rmsprop centered", lambda: optimizers.RMSprop(learning_rate=0.01, centered=True),
     lambda: rmsprop_ref(lr=0.01, centered=True)),
    ("adagrad", lambda: optimizers.Adagrad(learning_rate=0.1), lambda: adagrad_ref(lr=0.1)),
    ("adadelta", lambda: optimizers.Adadelta(learning_rate=1.0), lambda: adadelta_ref(lr=1.0)),
    ("adam", lambda: optimizers.Adam(learning_rate=0.01), lambda: adam_ref(lr=0.01)),
    ("adam amsgrad", lambda: optimizers.Adam(learning_rate=0.01, amsgrad=True), lambda: adam_ref(lr=0.01, amsgrad=True)),
    ("adamw", lambda: optimizers.AdamW(learning_rate=0.01, weight_decay=0.1), lambda: adam_ref(lr=0.01, wd=0.1)),
    ("adamax", lambda: optimizers.Adamax(learning_rate=0.01), lambda: adamax_ref(lr=0.01)),
    ("nadam", lambda: optimizers.Nadam(learning_rate=0.01), lambda: nadam_ref(lr=0.01)),
]


@pytest.mark.parametrize("name,make,ref", CASES, ids=[c[0] for c in CASES])
def test_golden_trajectory(name, make, ref):
    ours = run_ours(make())
    expected = ref()
    assert not np.allclose(expected, W0), "the reference must move"
    np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["sgd", "rmsprop", "adagrad", "adadelta", "adam", "adamw", "adamax", "nadam"])
def test_every_optimizer_resolves_steps_and_round_trips(name):
    opt = optimizers.get(name)
    assert opt is not optimizers.get(name.upper()), "get() returns a fresh instance"
    v = Variable(W0.astype(np.float32))
    opt.apply_gradients([(np.ones(4, np.float32), v)])
    assert opt.iterations == 1
    assert not np.array_equal(v.numpy(), W0.astype(np.float32))
    clone = type(opt).from_config(opt.get_config())
    assert clone.get_config() == opt.get_config()


def test_keras3_defaults():
    assert optimizers.SGD().learning_rate == pytest.approx(0.01)
    for cls in (optimizers.RMSprop, optimizers.Adagrad, optimizers.Adadelta, optimizers.Adam, optimizers.Nadam):
        assert cls().learning_rate == pytest.approx(0.001)
    assert optimizers.Adagrad().initial_accumulator_value == 0.1
    assert optimizers.RMSprop().rho == 0.9 and optimizers.Adadelta().rho == 0.95
    assert optimizers.Adam().epsilon == 1e-7
    assert optimizers.AdamW().weight_decay == 0.004


@pytest.mark.parametrize("kwargs", [{"beta_1": 1.5}, {"beta_2": -0.1}])
def test_bad_betas_are_rejected(kwargs):
    with pytest.raises(ValueError, match="beta_"):
        optimizers.Adam(**kwargs)


def test_unknown_optimizer_lists_names():
    with pytest.raises(ValueError, match="'adam'.*'sgd'"):
        optimizers.get("adma")
