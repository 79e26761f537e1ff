"""Cross-entropy losses as single nodes, so the gradient through softmax is just (p - y) / n."""
import numpy as np

from deepbasics import backend
from deepbasics.ops.activation import log_softmax_array
from deepbasics.ops.loss_reduction import LossFunction


class SoftmaxCrossEntropy(LossFunction):
    """l = -sum(y log softmax(z));  dl/dz = p sum(y) - y  (= p - y for one-hot y).

    ``softmax``: the ``Softmax`` node that already turned z into p (a softmax output layer);
    its shift and normaliser give log p = z - max - log(total) without a second exp.
    """

    def __init__(self, reduction="sum_over_batch_size", softmax=None):
        super().__init__(reduction)
        self.softmax = softmax

    def forward(self, z, y, weights=None):
        sm = self.softmax
        if sm is not None:
            p = sm.output
            logp = z - (sm.shift + np.log(sm.total))
        else:
            logp = z - z.max(axis=-1, keepdims=True)
            p = np.exp(logp)
            total = p.sum(axis=-1, keepdims=True)
            p /= total
            logp -= np.log(total)
        self.save_for_backward(p, y)
        return self.reduce_dot(y, logp, weights, sign=-1.0)

    def backward(self, gy):
        p, y = self.saved
        g = p * np.add.reduce(y, axis=-1, keepdims=True)
        g -= y
        g *= self.upstream(gy)
        return g, None, None


class SparseSoftmaxCrossEntropy(LossFunction):
    """l = -log softmax(z)[label];  dl/dz = p - onehot(label)."""

    def forward(self, z, labels, weights=None):
        logp = log_softmax_array(z)
        labels = labels.astype(np.intp, copy=False)
        self.save_for_backward(logp, labels)
        picked = np.take_along_axis(logp, labels[..., None], axis=-1)[..., 0]
        return self.reduce(-picked, weights)

    def backward(self, gy):
        logp, labels = self.saved
        g = np.exp(logp)
        np.put_along_axis(g, labels[..., None], np.take_along_axis(g, labels[..., None], -1) - 1, -1)
        return self.upstream(gy) * g, None, None


class CategoricalCrossentropy(LossFunction):
    """Keras's from-probabilities form: q = p / sum p, c = clip(q, eps, 1-eps), l = -sum y log c.

    dl/dq = -y / c where not clipped (0 where clipped); through the normalisation,
    dl/dp = (dl/dq - sum(dl/dq * q)) / sum(p).
    """

    def forward(self, p, y, weights=None):
        eps = backend.epsilon()
        s = np.sum(p, axis=-1, keepdims=True)
        q = p / s
        c = np.clip(q, eps, 1.0 - eps)
        self.save_for_backward(q, c, s, y)
        return self.reduce(-np.sum(y * np.log(c), axis=-1), weights)

    def backward(self, gy):
        q, c, s, y = self.saved
        gq = np.where(c == q, -y / c, 0.0).astype(q.dtype, copy=False)
        gp = (gq - np.sum(gq * q, axis=-1, keepdims=True)) / s
        return self.upstream(gy) * gp, None, None


class SparseCategoricalCrossentropy(CategoricalCrossentropy):
    """The from-probabilities form with integer labels: y = onehot(label)."""

    def forward(self, p, labels, weights=None):
        y = np.zeros_like(p)
        np.put_along_axis(y, labels.astype(np.intp)[..., None], 1.0, axis=-1)
        return super().forward(p, y, weights)


class BinaryCrossentropy(LossFunction):
    """l = -mean_k [y log c + (1-y) log(1-c)], c = clip(p, eps, 1-eps);
    dl/dp = (c - y) / (c (1 - c) k) where not clipped."""

    def forward(self, p, y, weights=None):
        eps = backend.epsilon()
        c = np.clip(p, eps, 1.0 - eps)
        self.save_for_backward(p, c, y)
        per = -(y * np.log(c) + (1.0 - y) * np.log1p(-c))
        return self.reduce(np.mean(per, axis=-1), weights)

    def backward(self, gy):
        p, c, y = self.saved
        g = np.where(c == p, (c - y) / (c * (1.0 - c)), 0.0).astype(p.dtype, copy=False)
        return self.upstream(gy) * g / p.shape[-1], None, None


class SigmoidBinaryCrossentropy(LossFunction):
    """From logits: l = mean_k [max(z,0) - z y + log(1 + e^-|z|)];  dl/dz = (sigmoid(z) - y) / k."""

    def forward(self, z, y, weights=None):
        self.save_for_backward(z, y)
        per = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
        return self.reduce(np.mean(per, axis=-1), weights)

    def backward(self, gy):
        z, y = self.saved
        sig = 0.5 * np.tanh(0.5 * z) + 0.5
        return self.upstream(gy) * (sig - y) / z.shape[-1], None, None


class MeanSquaredError(LossFunction):
    """l = mean_k (p - y)^2;  dl/dp = 2 (p - y) / k."""

    def forward(self, p, y, weights=None):
        d = p - y
        self.save_for_backward(d)
        return self.reduce(np.mean(d * d, axis=-1), weights)

    def backward(self, gy):
        (d,) = self.saved
        return self.upstream(gy) * (2.0 / d.shape[-1]) * d, None, None
