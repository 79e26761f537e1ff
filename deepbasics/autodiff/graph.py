"""Reverse-mode sweep: topological order without recursion, then one pass of chain rule."""
import numpy as np



def topological_order(root):
    """The functions behind ``root``, each after every function that consumes its output.

    Iterative depth-first search, so a 10,000-step recurrent graph hits no recursion limit.
    """
    order, visited = [], {id(root.creator)}
    stack = [(root.creator, iter(root.creator.inputs))]
    while stack:
        fn, children = stack[-1]
        for x in children:
            creator = getattr(x, "creator", None)
            if creator is not None and x.requires_grad and id(creator) not in visited:
                visited.add(id(creator))
                stack.append((creator, iter(creator.inputs)))
                break
        else:
            stack.pop()
            order.append(fn)  # post-order: after all its inputs' creators
    order.reverse()
    return order


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
        grad = np.ones_like(root.data)
    else:
        grad = np.asarray(getattr(grad, "data", grad), dtype=root.data.dtype)
        if grad.shape != root.shape:
            raise ValueError(f"grad has shape {grad.shape}, expected {root.shape}")
    if root.creator is None:
        _accumulate(root, grad)
        return
    _sweep(root, grad)


def _sweep(root, grad):
    pending = {id(root.creator): grad}
    for fn in topological_order(root):
        gy = pending.pop(id(fn), None)
        if gy is None:
            continue
        gxs = fn.backward(gy)
        if not isinstance(gxs, tuple):
            gxs = (gxs,)
        for x, needs, gx in zip(fn.inputs, fn.needs_input_grad, gxs):
            if not needs or gx is None:
                continue
            gx = unbroadcast(gx, x.data.shape)
            if x.creator is None:
                _accumulate(x, gx)
            else:
                key = id(x.creator)
                # a tensor used twice: its gradients add (never write into gy in place)
                pending[key] = pending[key] + gx if key in pending else gx
        fn.saved = None  # free activations as soon as they are used


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
