"""Whether operations record a graph: ``no_grad()`` switches it off (inference, optimizers)."""
import contextlib

grad_enabled = True


@contextlib.contextmanager
def no_grad():
    """Run the block without recording a graph.

    >>> from deepbasics.autodiff import Tensor, no_grad
    >>> w = Tensor([1.0], requires_grad=True)
    >>> with no_grad():
    ...     y = w * 2.0
    >>> y.requires_grad
    False
    """
    global grad_enabled
    previous, grad_enabled = grad_enabled, False
    try:
        yield
    finally:
        grad_enabled = previous


def is_grad_enabled():
    return grad_enabled
