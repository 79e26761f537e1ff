"""The reverse-mode engine: broadcasting undone once, accumulation, deep graphs, no_grad,
needs_input_grad, error messages, inputs and gy left untouched, float32 kept."""
import numpy as np
import pytest

from deepbasics import ops
from deepbasics.autodiff import Function, Tensor, Variable, is_grad_enabled, no_grad, unbroadcast
from deepbasics.ops.linear import Linear


def leaf(a, dtype=np.float64):
    return Tensor(np.asarray(a, dtype=dtype), requires_grad=True)


# -- broadcasting ----------------------------------------------------------------------------

@pytest.mark.parametrize("xs,ys", [((3, 1), (4,)), ((4,), (3, 1)), ((1,), (2, 3)), ((), (2, 3)),
                                   ((2, 1, 4), (3, 1)), ((5, 3), (5, 3))])
def test_broadcast_gradient_sums_back_to_each_input_shape(rng, xs, ys):
    x, y = leaf(rng.normal(size=xs)), leaf(rng.normal(size=ys))
    z = x * y
    gz = rng.normal(size=z.shape)
    z.backward(gz)
    # textbook: dL/dx = sum of gz * y over every axis that broadcasting stretched or added
    full_y = np.broadcast_to(y.data, z.shape)
    full_x = np.broadcast_to(x.data, z.shape)
    expect_x = _sum_to(gz * full_y, xs)
    expect_y = _sum_to(gz * full_x, ys)
    assert x.grad.shape == xs and y.grad.shape == ys
    np.testing.assert_allclose(x.grad, expect_x, rtol=1e-12)
    np.testing.assert_allclose(y.grad, expect_y, rtol=1e-12)


def test_column_plus_row_gradients():
    x, y = leaf(np.zeros((3, 1))), leaf(np.zeros(4))
    z = x + y
    assert z.shape == (3, 4)
    gz = np.arange(12.0).reshape(3, 4)
    z.backward(gz)
    np.testing.assert_array_equal(x.grad, [[0 + 1 + 2 + 3], [4 + 5 + 6 + 7], [8 + 9 + 10 + 11]])
    np.testing.assert_array_equal(y.grad, [0 + 4 + 8, 1 + 5 + 9, 2 + 6 + 10, 3 + 7 + 11])


def _sum_to(g, shape):
    """Independent reference: sum over leading axes, then over axes that were 1."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for i, n in enumerate(shape):
        if n == 1:
            g = g.sum(axis=i, keepdims=True)
    return g


def test_unbroadcast_leaves_matching_shape_alone():
    g = np.arange(6.0).reshape(2, 3)
    assert unbroadcast(g, (2, 3)) is g
    np.testing.assert_array_equal(unbroadcast(g, (1, 3)), [[3.0, 5.0, 7.0]])
    np.testing.assert_array_equal(unbroadcast(g, (2, 1)), [[3.0], [12.0]])
    assert unbroadcast(g, ()) == 15.0


def test_ops_return_broadcast_shape_gradients_and_the_engine_reduces_them():
    class AddNoReduce(Function):
        """z = x + y, the backward deliberately hands back the broadcast-shaped gy."""

        def forward(self, x, y):
            return x + y

        def backward(self, gy):
            return gy, gy

    x, y = leaf(np.ones((3, 1))), leaf(np.ones(4))
    AddNoReduce()(x, y).backward(np.ones((3, 4)))
    np.testing.assert_array_equal(x.grad, np.full((3, 1), 4.0))
    np.testing.assert_array_equal(y.grad, np.full(4, 3.0))


# -- accumulation and graph shape ----------------------------------------------------------

def test_tensor_used_twice_accumulates():
    x = leaf([1.0, -2.0, 3.0])
    (x * x + x).sum().backward()  # d/dx (x^2 + x) = 2x + 1
    np.testing.assert_allclose(x.grad, 2 * x.data + 1)


def test_diamond_graph_adds_both_paths():
    a = leaf([0.5, 2.0])
    b, c = a * 2.0, a * 3.0
    (b * c).sum().backward()  # 6 a^2 -> 12 a
    np.testing.assert_allclose(a.grad, 12 * a.data)


def test_an_intermediate_used_twice_accumulates_before_passing_on():
    a = leaf([1.5, -0.5])
    h = a * 2.0  # not a leaf: its two gradients meet in the engine before reaching a
    (h * h + h * 3.0).sum().backward()  # d/da (4a^2 + 6a) = 8a + 6
    np.testing.assert_allclose(a.grad, 8 * a.data + 6)


def test_shared_subgraphs_in_a_deeper_graph():
    x = leaf([0.3, 0.7])
    h1 = ops.tanh(x * 1.5)
    h2 = h1 * h1 + h1
    out = (h2 * h1).sum() + h2.sum()
    out.backward()
    t = np.tanh(1.5 * x.data)  # out = sum(t^3 + t^2 + t^2 + t), dt/dx = 1.5 (1 - t^2)
    np.testing.assert_allclose(x.grad, (3 * t**2 + 4 * t + 1) * 1.5 * (1 - t**2), rtol=1e-12)


def test_backward_twice_accumulates_into_leaf_grad():
    x = leaf([1.0, 2.0])
    (x + 1.0).sum().backward()
    (x + 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
    x.zero_grad()
    assert x.grad is None


def test_deep_chain_runs_without_recursion_error():
    x = leaf([1.0])
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [1.0001**5000], rtol=1e-10)


def test_backward_on_a_leaf_sets_its_own_grad():
    x = leaf([1.0, 2.0])
    x.backward(np.array([3.0, 4.0]))
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


# -- what is recorded --------------------------------------------------------------------

def test_no_grad_records_nothing_and_restores_the_mode():
    w = leaf([1.0, 2.0])
    with no_grad():
        assert not is_grad_enabled()
        y = ops.relu(w * 2.0 + 1.0).sum()
    assert is_grad_enabled()
    assert y.requires_grad is False and y.creator is None
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(KeyError):
        with no_grad():
            raise KeyError("boom")
    assert is_grad_enabled()


def test_no_grad_nests():
    with no_grad():
        with no_grad():
            pass
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_inputs_not_requiring_grad_get_no_grad():
    x = Tensor(np.array([1.0, 2.0]))
    w = leaf([3.0, 4.0])
    (x * w).sum().backward()
    assert x.grad is None
    np.testing.assert_array_equal(w.grad, x.data)


def test_no_input_requiring_grad_means_no_node():
    y = Tensor(np.ones(3)) * 2.0
    assert y.creator is None and not y.requires_grad


def test_needs_input_grad_skips_the_input_gradient_of_linear(rng):
    x = rng.normal(size=(5, 3)).astype(np.float32)  # a raw data batch
    w = Variable(rng.normal(size=(3, 2)))
    b = Variable(np.zeros(2))
    fn = Linear()
    y = fn(x, w, b)
    assert fn.needs_input_grad == (False, True, True)
    gx, gw, gb = fn.backward(np.ones(y.shape, np.float32))
    assert gx is None
    np.testing.assert_allclose(gw, x.T @ np.ones((5, 2)), rtol=1e-5)
    np.testing.assert_allclose(gb, np.full(2, 5.0))


def test_needs_input_grad_skips_the_other_operand_of_mul():
    class Spy(Function):
        def forward(self, x, y):
            return x * y

        def backward(self, gy):
            self.seen = self.needs_input_grad
            return (gy if self.needs_input_grad[0] else None), (gy if self.needs_input_grad[1] else None)

    fn = Spy()
    fn(Tensor(np.ones(2)), leaf(np.ones(2))).sum().backward()
    assert fn.seen == (False, True)


def test_detach_cuts_the_graph():
    x = leaf([2.0])
    y = (x * x).detach() * x  # d/dx = x^2 (the detached factor is a constant)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [4.0])


# -- errors --------------------------------------------------------------------------------

def test_backward_on_a_non_scalar_without_grad_is_a_clear_error():
    y = leaf(np.ones((2, 3))) * 2.0
    with pytest.raises(ValueError, match=r"scalar output.*\(2, 3\)"):
        y.backward()


def test_backward_with_a_grad_of_the_wrong_shape_is_an_error():
    y = leaf(np.ones((2, 3))) * 2.0
    with pytest.raises(ValueError, match=r"\(3,\).*\(2, 3\)"):
        y.backward(np.ones(3))


def test_second_backward_through_a_freed_graph_is_a_clear_error():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


# -- purity ----------------------------------------------------------------------------------

def _every_op(rng, dtype=np.float64):
    """(name, fn, inputs) for one graph through each op family, inputs away from kinks;
    constants (labels, targets) in ``dtype`` too."""
    a = rng.uniform(0.5, 1.5, (3, 4))
    b = rng.uniform(0.5, 1.5, (3, 4)).astype(dtype)
    s = rng.normal(size=(3, 4))
    s[np.abs(s) < 0.1] = 0.5
    w = rng.normal(size=(4, 2))
    onehot = np.eye(4, dtype=dtype)[[0, 3, 1]]
    labels = np.array([0, 3, 1])
    return [
        ("add", lambda x, y: x + y, [a, b]),
        ("sub", lambda x, y: x - y, [a, b]),
        ("mul", lambda x, y: x * y, [a, b]),
        ("div", lambda x, y: x / y, [a, b]),
        ("neg", lambda x: -x, [a]),
        ("pow", lambda x: x**3, [a]),
        ("exp", ops.exp, [s]),
        ("log", ops.log, [a]),
        ("sqrt", ops.sqrt, [a]),
        ("abs", ops.abs, [s]),
        ("maximum", ops.maximum, [a, b]),
        ("minimum", ops.minimum, [a, b]),
        ("clip", lambda x: ops.clip(x, -0.5, 0.5), [s]),
        ("matmul", ops.matmul, [s, w]),
        ("linear", lambda x, w_: ops.linear(x, w_, None, "tanh"), [s, w]),
        ("sum", lambda x: ops.sum(x, axis=0), [s]),
        ("mean", lambda x: ops.mean(x, axis=1), [s]),
        ("max", lambda x: ops.max(x, axis=1), [s]),
        ("reshape", lambda x: ops.reshape(x, (2, 6)), [s]),
        ("transpose", ops.transpose, [s]),
        ("getitem", lambda x: x[:, [0, 0, 2]], [s]),
        ("concatenate", lambda x, y: ops.concatenate([x, y], axis=0), [a, b]),
        ("relu", ops.relu, [s]),
        ("sigmoid", ops.sigmoid, [s]),
        ("tanh", ops.tanh, [s]),
        ("softmax", ops.softmax, [s]),
        ("log_softmax", ops.log_softmax, [s]),
        ("softmax_ce", lambda z: ops.softmax_cross_entropy(z, onehot), [s]),
        ("sparse_softmax_ce", lambda z: ops.sparse_softmax_cross_entropy(z, labels), [s]),
        ("categorical_ce", lambda p: ops.categorical_crossentropy(p, onehot), [a]),
        ("sparse_categorical_ce", lambda p: ops.sparse_categorical_crossentropy(p, labels), [a]),
        ("binary_ce", lambda p: ops.binary_crossentropy(p, (b > 1).astype(dtype)), [a / 2]),
        ("sigmoid_binary_ce", lambda z: ops.sigmoid_binary_crossentropy(z, (b > 1).astype(dtype)), [s]),
        ("mse", lambda p: ops.mean_squared_error(p, b), [a]),
    ]


def _case(name, dtype=np.float64):
    return next(c for c in _every_op(np.random.default_rng(0), dtype) if c[0] == name)


def _cases():
    return [c[0] for c in _every_op(np.random.default_rng(0))]


@pytest.mark.parametrize("name", _cases())
def test_forward_never_mutates_its_inputs(name):
    _, fn, inputs = _case(name)
    copies = [a.copy() for a in inputs]
    tensors = [leaf(a) for a in inputs]
    out = fn(*tensors)
    for a, c in zip(inputs, copies):
        np.testing.assert_array_equal(a, c)
    out.backward(np.ones(out.shape))
    for a, c in zip(inputs, copies):
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize("name", _cases())
def test_backward_never_mutates_gy(name):
    _, fn, inputs = _case(name)
    tensors = [leaf(a) for a in inputs]
    out = fn(*tensors)
    gy = np.random.default_rng(1).normal(size=out.shape)
    kept = gy.copy()
    gy.setflags(write=False)  # an in-place write raises
    out.backward(gy)
    np.testing.assert_array_equal(gy, kept)
    assert all(t.grad is not None for t in tensors)


@pytest.mark.parametrize("name", _cases())
def test_float32_stays_float32_through_every_op(name):
    _, fn, inputs = _case(name, np.float32)
    tensors = [leaf(a, np.float32) for a in inputs]
    out = fn(*tensors)
    assert out.dtype == np.float32
    node = out.creator
    grads = node.backward(np.ones(out.shape, np.float32))
    grads = grads if isinstance(grads, tuple) else (grads,)
    for g in grads:
        assert g is None or g.dtype == np.float32, f"{name}: gradient in {g.dtype}"


def test_a_float32_gradient_reaches_float32_leaves():
    x = leaf(np.ones((2, 2)), np.float32)
    (ops.max(x * 3.0, axis=1).sum() + ops.mean(x)).backward()
    assert x.grad.dtype == np.float32


def test_python_numbers_and_lists_become_float32():
    assert Tensor([1, 2]).dtype == np.float32
    assert Tensor(3.0).dtype == np.float32
    assert (Tensor(np.ones(2, np.float32)) * 2.5).dtype == np.float32
    assert Tensor(np.array([1, 2])).dtype == np.int64  # arrays keep their dtype (labels)


# -- Variable --------------------------------------------------------------------------------

def test_variable_assign_writes_in_place_and_checks_shape():
    v = Variable(np.array([1.0, 2.0, 3.0]))
    data = v.data
    v.assign([4.0, 5.0, 6.0])
    assert v.data is data and v.dtype == np.float32
    np.testing.assert_array_equal(v.numpy(), [4.0, 5.0, 6.0])
    v.assign_add(np.ones(3))
    v.assign_sub(np.full(3, 2.0))
    np.testing.assert_array_equal(v.numpy(), [3.0, 4.0, 5.0])
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        v.assign([1.0, 2.0])


def test_variable_owns_a_copy_of_its_initial_value():
    a = np.zeros(3, np.float32)
    v = Variable(a)
    v.assign([1.0, 1.0, 1.0])
    np.testing.assert_array_equal(a, np.zeros(3))


def test_variable_from_an_initializer_needs_a_shape():
    v = Variable(lambda shape, dtype: np.full(shape, 7.0, dtype), shape=(2, 2))
    np.testing.assert_array_equal(v.numpy(), np.full((2, 2), 7.0))
    with pytest.raises(ValueError, match="needs `shape`"):
        Variable(lambda shape, dtype: np.zeros(shape))


def test_non_trainable_variable_gets_no_grad():
    v = Variable(np.ones(2), trainable=False)
    w = Variable(np.ones(2))
    (v * w).sum().backward()
    assert v.grad is None and w.grad is not None
