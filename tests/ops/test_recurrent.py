"""The whole-sequence recurrent ops and the embedding lookup: forward against a per-step NumPy
transcription of Keras's equations, gradients by float64 finite differences (every element at
tiny sizes, random directions for a bigger LSTM), output layouts, long sequences."""
import numpy as np
import pytest

from deepbasics.autodiff import Tensor, gradcheck
from deepbasics.ops import recurrent as R
from deepbasics.ops.embedding import Embedding

B, T, F, U = 3, 4, 2, 3


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# -- references: one step at a time, Keras's equations, float64 --------------------------------------
def simple_rnn_ref(x, w, u, b, h):
    hs = []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ w + b + h @ u)
        hs.append(h)
    return np.stack(hs, axis=1), h


def lstm_ref(x, w, u, b, h, c, act=np.tanh, sig=sigmoid):
    n, hs = u.shape[0], []
    for t in range(x.shape[1]):
        z = x[:, t] @ w + h @ u + b
        i, f, g, o = sig(z[:, :n]), sig(z[:, n:2 * n]), act(z[:, 2 * n:3 * n]), sig(z[:, 3 * n:])
        c = f * c + i * g
        h = o * act(c)
        hs.append(h)
    return np.stack(hs, axis=1), h, c


def gru_ref(x, w, u, b, h, reset_after=True):
    n, hs = u.shape[0], []
    b_in, b_rec = (b[0], b[1]) if reset_after else (b, np.zeros(3 * n))
    for t in range(x.shape[1]):
        xz = x[:, t] @ w + b_in
        inner = h @ u + b_rec
        z = sigmoid(xz[:, :n] + inner[:, :n])
        r = sigmoid(xz[:, n:2 * n] + inner[:, n:2 * n])
        if reset_after:
            hh = np.tanh(xz[:, 2 * n:] + r * inner[:, 2 * n:])
        else:
            hh = np.tanh(xz[:, 2 * n:] + (r * h) @ u[:, 2 * n:])
        h = z * h + (1 - z) * hh
        hs.append(h)
    return np.stack(hs, axis=1), h


def make(kind, rng, batch=B, steps=T, feats=F, units=U):
    """x, kernel, recurrent kernel, bias, h0, c0 for an op kind, float64."""
    gates = {"rnn": 1, "lstm": 4, "gru": 3, "gru_before": 3}[kind]
    bias_shape = (2, 3 * units) if kind == "gru" else (gates * units,)
    return [rng.normal(size=(batch, steps, feats)), 0.6 * rng.normal(size=(feats, gates * units)),
            0.6 * rng.normal(size=(units, gates * units)), 0.3 * rng.normal(size=bias_shape),
            rng.normal(size=(batch, units)), rng.normal(size=(batch, units))]


def op_for(kind, **options):
    if kind == "rnn":
        return R.SimpleRNN("tanh", **options)
    if kind == "lstm":
        return R.LSTM("tanh", "sigmoid", **options)
    return R.GRU("tanh", "sigmoid", reset_after=(kind == "gru"), **options)


def reference(kind, x, w, u, b, h0, c0):
    """(sequence, h_T, c_T or None)."""
    if kind == "rnn":
        return (*simple_rnn_ref(x, w, u, b, h0), None)
    if kind == "lstm":
        return lstm_ref(x, w, u, b, h0, c0)
    return (*gru_ref(x, w, u, b, h0, reset_after=(kind == "gru")), None)


def call(kind, arrays, **options):
    x, w, u, b, h0, c0 = arrays
    extra = (h0, c0) if kind == "lstm" else (h0,)
    return op_for(kind, **options)(x, w, u, b, *extra)


KINDS = ["rnn", "lstm", "gru", "gru_before"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("go_backwards", [False, True])
def test_forward_matches_per_step_reference(kind, go_backwards):
    rng = np.random.default_rng(0)
    arrays = [a.astype(np.float32) for a in make(kind, rng)]
    seq = call(kind, arrays, return_sequences=True, go_backwards=go_backwards).numpy()
    last = call(kind, arrays, go_backwards=go_backwards).numpy()
    x = arrays[0].astype(np.float64)
    ref_seq, ref_h, _ = reference(kind, x[:, ::-1] if go_backwards else x, *[a.astype(np.float64) for a in arrays[1:]])
    assert seq.shape == (B, T, U) and last.shape == (B, U) and seq.dtype == np.float32
    np.testing.assert_allclose(seq, ref_seq, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(last, ref_h, rtol=1e-5, atol=1e-6)


def test_lstm_return_state_packs_the_cell_after_the_outputs():
    rng = np.random.default_rng(1)
    arrays = make("lstm", rng)
    ref_seq, ref_h, ref_c = lstm_ref(*arrays)
    packed = call("lstm", arrays, return_sequences=True, return_state=True).numpy()
    assert packed.shape == (B, T + 1, U)
    np.testing.assert_allclose(packed[:, :T], ref_seq, rtol=1e-10)
    np.testing.assert_allclose(packed[:, T], ref_c, rtol=1e-10)
    packed = call("lstm", arrays, return_state=True).numpy()
    assert packed.shape == (B, 2, U)
    np.testing.assert_allclose(packed[:, 0], ref_h, rtol=1e-10)
    np.testing.assert_allclose(packed[:, 1], ref_c, rtol=1e-10)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("options", [
    {}, {"return_sequences": True}, {"go_backwards": True, "return_sequences": True},
    {"return_state": True}, {"return_state": True, "return_sequences": True, "go_backwards": True},
])
def test_gradients_of_every_input(kind, options):
    arrays = make(kind, np.random.default_rng(2))
    n = 6 if kind == "lstm" else 5
    gradcheck(lambda *a: call(kind, list(a) + [None] * (6 - n), **options), arrays[:n])


@pytest.mark.parametrize("kind", KINDS)
def test_gradients_with_recurrent_dropout_mask(kind):
    rng = np.random.default_rng(3)
    arrays = make(kind, rng)
    mask = (rng.random((B, U)) >= 0.4) / 0.6
    n = 6 if kind == "lstm" else 5
    gradcheck(lambda *a: call(kind, list(a) + [None] * (6 - n), return_sequences=True, recurrent_mask=mask),
              arrays[:n])


@pytest.mark.parametrize("activation,recurrent", [("relu", "hard_sigmoid"), ("linear", "sigmoid"),
                                                  ("sigmoid", "tanh")])
@pytest.mark.parametrize("op", [R.SimpleRNN, R.LSTM, R.GRU])
def test_other_activations_gradcheck(op, activation, recurrent):
    kind = {R.SimpleRNN: "rnn", R.LSTM: "lstm", R.GRU: "gru"}[op]
    x, w, u, b, h0, c0 = make(kind, np.random.default_rng(4))
    w, u = 0.3 * w, 0.3 * u  # pre-activations well inside hard_sigmoid's (-3, 3) and away from relu's 0
    extra = (c0,) if kind == "lstm" else ()
    gradcheck(lambda *a: op(activation, recurrent, return_sequences=True)(*a), [x, w, u, b, h0, *extra])


def test_lstm_with_other_activations_matches_reference():
    """relu and Keras 3's hard_sigmoid take the general path (the default pair has a fused one)."""
    x, w, u, b, h0, c0 = make("lstm", np.random.default_rng(12))
    out = R.LSTM("relu", "hard_sigmoid", return_sequences=True)(x, w, u, b, h0, c0).numpy()
    ref, _, _ = lstm_ref(x, w, u, b, h0, c0, act=lambda z: np.maximum(z, 0), sig=lambda z: np.clip(z / 6 + 0.5, 0, 1))
    np.testing.assert_allclose(out, ref, rtol=1e-10)


def test_no_initial_state_and_no_bias():
    x, w, u, _, _, _ = make("lstm", np.random.default_rng(5))
    gradcheck(lambda x, w, u: R.LSTM(return_sequences=True)(x, w, u, None, None, None), [x, w, u])
    ref, _, _ = lstm_ref(x, w, u, np.zeros(4 * U), np.zeros((B, U)), np.zeros((B, U)))
    np.testing.assert_allclose(R.LSTM(return_sequences=True)(x, w, u).numpy(), ref, rtol=1e-10)


def test_bigger_lstm_directional_gradcheck():
    arrays = make("lstm", np.random.default_rng(6), batch=8, steps=12, feats=10, units=16)
    gradcheck(lambda *a: R.LSTM(return_sequences=True)(*a), arrays, directions=4)


def test_forward_and_backward_leave_inputs_unchanged():
    arrays = make("gru", np.random.default_rng(7))
    copies = [a.copy() for a in arrays[:5]]
    tensors = [Tensor(a, requires_grad=True) for a in arrays[:5]]
    out = op_for("gru", return_sequences=True)(*tensors)
    gy = np.ones_like(out.data)
    out.backward(gy)
    for a, c in zip(arrays, copies):
        np.testing.assert_array_equal(a, c)
    assert np.all(gy == 1)


def test_input_gradient_skipped_when_not_needed():
    x, w, u, b, _, _ = make("lstm", np.random.default_rng(8))
    xt, wt = Tensor(x), Tensor(w, requires_grad=True)
    R.LSTM()(xt, wt, Tensor(u), Tensor(b)).backward(np.ones((B, U)))
    assert xt.grad is None and wt.grad.shape == w.shape


def test_a_thousand_steps_run_without_recursion_and_gradients_stay_finite():
    rng = np.random.default_rng(9)
    x, w, u, b = rng.normal(size=(2, 1000, 3)), 0.3 * rng.normal(size=(3, 16)), 0.3 * rng.normal(size=(4, 16)), np.zeros(16)
    wt = Tensor(w, requires_grad=True)
    out = R.LSTM(return_sequences=True)(Tensor(x), wt, Tensor(u), Tensor(b))
    out.sum().backward()
    assert out.shape == (2, 1000, 4) and np.all(np.isfinite(wt.grad))


def test_time_slice_and_reverse_gradients():
    x = np.random.default_rng(10).normal(size=(2, 5, 3))
    gradcheck(lambda x: R.TimeSlice(slice(1, 4))(x), [x])
    gradcheck(lambda x: R.TimeSlice(-1)(x), [x])
    gradcheck(lambda x: R.ReverseTime()(x), [x])
    np.testing.assert_array_equal(R.ReverseTime()(x).numpy(), x[:, ::-1])


def test_unknown_activation_is_rejected():
    with pytest.raises(ValueError, match="softmax"):
        R.LSTM("softmax")


def test_embedding_gathers_rows_and_scatter_adds_gradients():
    rng = np.random.default_rng(11)
    table = rng.normal(size=(6, 4))
    ids = np.array([[0, 2, 2], [5, 2, 0]])
    np.testing.assert_array_equal(Embedding()(ids, table).numpy(), table[ids])
    t = Tensor(table, requires_grad=True)
    gy = rng.normal(size=(2, 3, 4))
    Embedding()(ids, t).backward(gy)
    expected = np.zeros_like(table)
    for (i, j), k in np.ndenumerate(ids):  # a loop, the definition: every use adds its row
        expected[k] += gy[i, j]
    np.testing.assert_allclose(t.grad, expected, rtol=1e-12)
    gradcheck(lambda ids, table: Embedding()(ids, table), [ids, table], wrt=[1])
