"""Functions over tensors: each builds one op node. ``ops.relu(x)`` reads like the math."""
from deepbasics.ops import activation, arithmetic, crossentropy, linear as linear_op, reductions, shape


def add(x, y):
    return arithmetic.Add()(x, y)


def subtract(x, y):
    return arithmetic.Sub()(x, y)


def multiply(x, y):
    return arithmetic.Mul()(x, y)


def divide(x, y):
    return arithmetic.Div()(x, y)


def negative(x):
    return arithmetic.Neg()(x)


def power(x, p):
    return arithmetic.Pow(p)(x)


def exp(x):
    return arithmetic.Exp()(x)


def log(x):
    return arithmetic.Log()(x)


def sqrt(x):
    return arithmetic.Sqrt()(x)


def abs(x):  # noqa: A001 - the NumPy name
    return arithmetic.Abs()(x)


def maximum(x, y):
    return arithmetic.Maximum()(x, y)


def minimum(x, y):
    return arithmetic.Minimum()(x, y)


def clip(x, lo, hi):
    return arithmetic.Clip(lo, hi)(x)


def matmul(x, w):
    return arithmetic.MatMul()(x, w)


def linear(x, w, b=None, activation=None):
    """activation(x @ w + b) as one node; activation None, 'relu' or 'tanh'."""
    return linear_op.Linear(activation)(x, w, b)


def sum(x, axis=None, keepdims=False):  # noqa: A001
    return reductions.Sum(axis, keepdims)(x)


def mean(x, axis=None, keepdims=False):
    return reductions.Mean(axis, keepdims)(x)


def max(x, axis=None, keepdims=False):  # noqa: A001
    return reductions.Max(axis, keepdims)(x)


def reshape(x, new_shape):
    return shape.Reshape(tuple(new_shape))(x)


def transpose(x, axes=None):
    return shape.Transpose(axes)(x)


def getitem(x, index):
    return shape.GetItem(index)(x)


def concatenate(xs, axis=-1):
    return shape.Concatenate(axis)(*xs)


def relu(x):
    return activation.ReLU()(x)


def sigmoid(x):
    return activation.Sigmoid()(x)


def tanh(x):
    return activation.Tanh()(x)


def softmax(x, axis=-1):
    return activation.Softmax(axis)(x)


def log_softmax(x, axis=-1):
    return activation.LogSoftmax(axis)(x)


def softmax_cross_entropy(logits, y, weights=None, reduction="sum_over_batch_size", probs=None):
    """Cross-entropy of softmax(logits); ``probs``: that softmax's output tensor, if computed."""
    creator = getattr(probs, "creator", None)
    softmax = creator if isinstance(creator, activation.Softmax) else None
    return crossentropy.SoftmaxCrossEntropy(reduction, softmax)(logits, y, weights)


def sparse_softmax_cross_entropy(logits, labels, weights=None, reduction="sum_over_batch_size"):
    return crossentropy.SparseSoftmaxCrossEntropy(reduction)(logits, labels, weights)


def categorical_crossentropy(p, y, weights=None, reduction="sum_over_batch_size"):
    return crossentropy.CategoricalCrossentropy(reduction)(p, y, weights)


def sparse_categorical_crossentropy(p, labels, weights=None, reduction="sum_over_batch_size"):
    return crossentropy.SparseCategoricalCrossentropy(reduction)(p, labels, weights)


def binary_crossentropy(p, y, weights=None, reduction="sum_over_batch_size"):
    return crossentropy.BinaryCrossentropy(reduction)(p, y, weights)


def sigmoid_binary_crossentropy(logits, y, weights=None, reduction="sum_over_batch_size"):
    return crossentropy.SigmoidBinaryCrossentropy(reduction)(logits, y, weights)


def mean_squared_error(p, y, weights=None, reduction="sum_over_batch_size"):
    return crossentropy.MeanSquaredError(reduction)(p, y, weights)
