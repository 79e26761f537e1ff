"""W1 in plain JAX, two ways a JAX user writes it:

- ``--variant step``: one ``jax.jit``-compiled training step called from a Python loop over the
  shuffled batches (the batch is gathered inside the compiled step);
- ``--variant scan``: the whole epoch's full batches compiled as one ``lax.scan`` over the
  shuffled index, the remainder batch (if any) through the jitted step.

Same math as Keras's W1: Glorot-uniform weights, zero biases, softmax cross-entropy (from the
logits) averaged over the batch, plain SGD 0.01, one-hot labels, a new permutation each epoch.
An epoch's clock stops after ``block_until_ready``, so asynchronous dispatch cannot hide work.
"""
import time

_T0 = time.perf_counter()
import numpy as np  # noqa: E402
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

IMPORT_S = time.perf_counter() - _T0

import _common  # noqa: E402

LR = 0.01


def glorot_uniform(key, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return jax.random.uniform(key, (fan_in, fan_out), jnp.float32, -limit, limit)


def init(seed):
    k1, k2 = jax.random.split(jax.random.PRNGKey(seed))
    return [glorot_uniform(k1, 784, 64), jnp.zeros(64, jnp.float32),
            glorot_uniform(k2, 64, 10), jnp.zeros(10, jnp.float32)]


def logits(params, x):
    w1, b1, w2, b2 = params
    return jax.nn.relu(x @ w1 + b1) @ w2 + b2


def loss(params, xb, yb):
    return -jnp.mean(jnp.sum(yb * jax.nn.log_softmax(logits(params, xb)), axis=1))


def sgd_step(params, x, y, idx):
    """One SGD update on the batch x[idx], y[idx]."""
    grads = jax.grad(loss)(params, x[idx], y[idx])
    return [p - LR * g for p, g in zip(params, grads)]


step = jax.jit(sgd_step)


@jax.jit
def scan_epoch(params, x, y, batches):
    """Every row of ``batches`` (steps, batch) is one SGD step, all inside one compiled loop."""
    params, _ = jax.lax.scan(lambda p, idx: (sgd_step(p, x, y, idx), None), params, batches)
    return params


def train(x, y, args):
    rng = np.random.default_rng(args.seed)
    params, bs, n = init(args.seed), args.batch_size, len(x)
    x, y = jnp.asarray(x), jnp.asarray(y)
    full = n // bs * bs
    epoch_s = []
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        perm = rng.permutation(n).astype(np.int32)
        if args.variant == "scan":
            if full:
                params = scan_epoch(params, x, y, jnp.asarray(perm[:full].reshape(-1, bs)))
            if full < n:
                params = step(params, x, y, jnp.asarray(perm[full:]))
        else:
            for i in range(0, n, bs):  # a host index per step: cheaper than slicing a device array
                params = step(params, x, y, perm[i:i + bs])
        jax.block_until_ready(params)
        epoch_s.append(time.perf_counter() - t0)
    return params, epoch_s


def main():
    args = _common.parse_args(__doc__, workloads=("W1",))
    if args.variant not in ("step", "scan"):
        raise SystemExit(f"--variant must be 'step' or 'scan', received {args.variant!r}")
    (xtr, _, ytr), (xte, yte, _), data_s = _common.load_mnist(args)
    params, epoch_s = train(xtr, ytr, args)
    acc = _common.accuracy(np.asarray(logits(params, jnp.asarray(xte))), yte)
    label = "jax (scan epoch)" if args.variant == "scan" else "jax (jit step)"
    threads = {"xla": "1 thr (XLA_FLAGS)" if args.threads == 1 else "default", "devices": [str(d) for d in jax.devices()]}
    _common.emit(args, label, jax.__version__, IMPORT_S, data_s,
                 [_common.measure("train", epoch_s, acc)], threads, variant=args.variant)


if __name__ == "__main__":
    main()
