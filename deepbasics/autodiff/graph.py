"""Reverse-mode sweep: the chain rule applied from the output back to the leaves, once."""
import heapq

import numpy as np


_FREED = ("freed by backward()",)  # what a function's saved values become after its backward


def backward(root, grad=None):
    """Accumulate d(root)/d(leaf) into ``leaf.grad`` (``+=``, like PyTorch) for every leaf.

    ``grad`` is the upstream gradient (ones for a scalar root when omitted).
    """
    if not root.requires_grad:
        raise RuntimeError(
            "backward() called on a tensor that does not require grad: "
            "no input of the computation had requires_grad=True (or it ran under no_grad())."
        )
    if grad is None:
        if root.data.size != 1:
            raise ValueError(
                f"backward() without `grad` needs a scalar output, got shape {root.shape}; "
                "pass grad= an array of that shape."
            )
        grad = np.array(1.0, dtype=root.data.dtype).reshape(root.data.shape)
    else:
        grad = np.asarray(getattr(grad, "data", grad), dtype=root.data.dtype)
        if grad.shape != root.shape:
            raise ValueError(f"grad has shape {grad.shape}, expected {root.shape}")
    if root.creator is None:
        _accumulate(root, grad)
        return
    _sweep(root, grad)


def _sweep(root, grad):
    """Chain rule in one pass: a heap hands out the function with the largest sequence number
    still waiting, i.e. one whose consumers have all passed their gradients on."""
    pending = {root.creator.seq: grad}
    heap = [(-root.creator.seq, root.creator)]
    while heap:
        fn = heapq.heappop(heap)[1]
        if fn.saved is _FREED:
            raise RuntimeError(
                "Trying to backward through the graph a second time: its saved values were freed by "
                "the first backward(). Compute the forward pass again for a second backward().")
        gxs = fn.backward(pending.pop(fn.seq))
        if not isinstance(gxs, tuple):
            gxs = (gxs,)
        for x, needs, gx in zip(fn.inputs, fn.needs_input_grad, gxs):
            if not needs or gx is None:
                continue
            if gx.shape != x.data.shape:
                gx = unbroadcast(gx, x.data.shape)
            creator = x.creator
            if creator is None:
                _accumulate(x, gx)
            elif creator.seq in pending:
                # a tensor used twice: its gradients add (never written into in place)
                pending[creator.seq] = pending[creator.seq] + gx
            else:
                pending[creator.seq] = gx
                heapq.heappush(heap, (-creator.seq, creator))
        fn.saved = _FREED  # free activations as soon as they are used


def _accumulate(leaf, g):
    if g.dtype != leaf.data.dtype or not g.flags.writeable:
        g = g.astype(leaf.data.dtype)  # also turns a read-only broadcast view into an array
    # no copy: the engine never writes into a gradient array after handing it on
    leaf.grad = g if leaf.grad is None else leaf.grad + g


def unbroadcast(grad, shape):
    """Sum ``grad`` over the axes that broadcasting added or stretched, back to ``shape``."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad.reshape(shape) if grad.shape != shape else grad
